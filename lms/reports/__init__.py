"""Reporting: scoped dashboards with drill-down, exports, the yearly report and the JSON API."""

"""Competency framework, campaigns, individual profiles and unit capacity assessments."""

"""Placeholder until written."""
from lms.assessments.views import bp  # noqa: F401

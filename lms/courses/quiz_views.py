"""Routes registered on the courses blueprint."""
from lms.courses.views import bp  # noqa: F401

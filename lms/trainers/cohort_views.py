"""Routes registered on the trainers blueprint."""
from lms.trainers.views import bp  # noqa: F401

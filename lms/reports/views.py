"""Report pages. The dashboard with its exports and the yearly report register their routes on this
blueprint from their own modules (imported at the end)."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")


from lms.reports import dashboard_views, sending_views, yearly_views  # noqa: E402,F401

"""Assessment pages. The framework, campaigns, individual instruments, profiles and unit capacity
assessments register their routes on this blueprint from their own modules (imported at the end)."""
import io

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user, login_required

from lms.assessments.hub import hub_for
from lms.assessments.models import EvidenceFile
from lms.auth.permissions import can
from lms.db import get_by_id
from lms.orgs.models import Unit

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


@bp.route("/")
@login_required
def hub():
    return render_template("assessments/hub.html", hub=hub_for(current_user))


def may_read_evidence(user, evidence: EvidenceFile) -> bool:
    """The uploader, and whoever may see assessments in the file's unit or review that unit."""
    unit = get_by_id(Unit, evidence.unit_id)
    return (evidence.uploaded_by_id == user.id or can(user, "assessment.view", unit)
            or can(user, "unit_assessment.review", unit))


@bp.route("/evidence/<id:evidence_id>")
@login_required
def evidence_file(evidence_id: int):
    evidence = get_by_id(EvidenceFile, evidence_id)
    if evidence is None:
        abort(404)
    if not may_read_evidence(current_user, evidence):
        abort(403)
    return send_file(io.BytesIO(evidence.data), mimetype=evidence.content_type, as_attachment=True,
                     download_name=evidence.filename)


from lms.assessments import (  # noqa: E402,F401
    campaign_views, framework_views, instrument_views, profile_views, unit_views)

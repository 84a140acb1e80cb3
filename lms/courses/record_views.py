"""The learning record exported as xAPI JSON: one cadre's statements, or one course's within the
viewer's scope."""
import json

from flask import Response, abort
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.permissions import can, has_any_scope, in_scope
from lms.courses.models import Course, LearningRecord
from lms.courses.records import statements
from lms.courses.views import bp
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User


def _download(data: list[dict], filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@bp.route("/records/users/<id:user_id>.json")
@login_required
def user_records(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if person.id != current_user.id and not can(current_user, "progress.view", person.unit):
        abort(403)
    return _download(statements(LearningRecord.actor_id == person.id), f"xapi-can-bo-{person.id}.json")


@bp.route("/records/courses/<slug>.json")
@login_required
def course_records(slug: str):
    if not has_any_scope(current_user, "progress.view"):
        abort(403)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    in_viewers_scope = select(User.id).join(Unit, User.unit_id == Unit.id).where(
        in_scope(current_user, "progress.view", Unit.path))
    return _download(statements(LearningRecord.course_id == course.id, LearningRecord.actor_id.in_(in_viewers_scope)),
                     f"xapi-khoa-hoc-{course.slug}.json")

"""The one permission gate: may this user do this action in this unit?

A role is held over a unit and every unit under it. Views ask `can()` for a single unit and
filter listings with `in_scope()`, which turns the same rule into SQL over the unit's path.
"""
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import and_, false, or_
from sqlalchemy.sql import ColumnElement

from lms.i18n import N_
from lms.orgs.models import Unit


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    UNIT_ADMIN = "unit_admin"
    REVIEWER = "reviewer"
    CENTRAL_ADMIN = "central_admin"


# Shown through _() where rendered; N_ only puts them in the catalog.
ROLE_LABELS = {
    Role.LEARNER: N_("Học viên"),
    Role.TRAINER: N_("Tập huấn viên"),
    Role.UNIT_ADMIN: N_("Quản trị đơn vị"),
    Role.REVIEWER: N_("Người thẩm định"),
    Role.CENTRAL_ADMIN: N_("Quản trị Trung ương"),
}

_ADMINS = {Role.UNIT_ADMIN, Role.CENTRAL_ADMIN}

ACTIONS: dict[str, set[Role]] = {
    "unit.view": _ADMINS | {Role.REVIEWER, Role.TRAINER},
    "unit.manage": _ADMINS,
    "user.view": _ADMINS | {Role.REVIEWER, Role.TRAINER},
    "user.manage": _ADMINS,
    "user.import": _ADMINS,
    # Who downloaded lists of the unit's people (the directory, cohort rosters).
    "download.view": _ADMINS,
    "role.grant": _ADMINS,
    "role.grant_central": {Role.CENTRAL_ADMIN},
    # Courses: authoring is the central office's; assigning and following progress, each unit's own.
    "course.author": {Role.CENTRAL_ADMIN},
    "course.assign": _ADMINS,
    "progress.view": _ADMINS | {Role.TRAINER, Role.REVIEWER},
    "certificate.revoke": _ADMINS,
    # Training of trainers: trainers run their unit's cohorts; admins certify and plan.
    "trainer.view": _ADMINS | {Role.TRAINER, Role.REVIEWER},
    "trainer.manage": _ADMINS,
    "cohort.manage": _ADMINS | {Role.TRAINER},
    "plan.manage": _ADMINS,
    # Assessment: the central office keeps the framework; any admin runs campaigns over its subtree.
    # Supervising a cadre and reviewing a unit's capacity assessment are done from the unit above,
    # so views check these two against the parent of the cadre's or the unit's own unit.
    "framework.edit": {Role.CENTRAL_ADMIN},
    "campaign.manage": _ADMINS,
    "assessment.view": _ADMINS | {Role.REVIEWER},
    "assessment.supervise": _ADMINS,
    "unit_assessment.submit": _ADMINS,
    "unit_assessment.review": _ADMINS | {Role.REVIEWER},
    # Reports: dashboards, exports, the yearly report and the API, each over the viewer's subtree.
    "report.view": _ADMINS | {Role.REVIEWER},
    # Sending the unit's signed yearly report up to the level above.
    "report.send": _ADMINS,
}


def scope_paths(user, action: str) -> list[str]:
    """Paths of the units under which `user` may do `action` (each covers its whole subtree)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    allowed = ACTIONS[action]
    return sorted({a.unit.path for a in user.roles if a.role in allowed and a.unit.is_open})


def top_paths(paths: list[str]) -> list[str]:
    """The paths that lie under no other one of `paths`, in their order."""
    return [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]


def scope_root_ids(user, action: str) -> list[int]:
    """The units at the top of the user's scope for `action` (a unit under another of them is left out)."""
    return [path_unit_id(path) for path in top_paths(scope_paths(user, action))]


def path_unit_id(path: str) -> int:
    """The id of the unit a materialised path ("/1/7/42/") leads to."""
    return int(path.strip("/").split("/")[-1])


def can(user, action: str, unit: Unit | None) -> bool:
    if unit is None:
        return False
    return any(unit.path.startswith(path) for path in scope_paths(user, action))


def holds_on(user, action: str, unit: Unit) -> bool:
    """Whether `user` holds `action` on `unit` itself, not only through a unit above it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    allowed = ACTIONS[action]
    return any(a.unit_id == unit.id and a.role in allowed for a in user.roles)


def in_scope(user, action: str, path_column=Unit.path) -> ColumnElement[bool]:
    """SQL condition keeping only rows whose unit path lies in the user's scope for `action`."""
    paths = scope_paths(user, action)
    if not paths:
        return false()
    return or_(*(path_column.startswith(path, autoescape=True) for path in paths))


def below_scope(user, action: str, path_column=Unit.path) -> ColumnElement[bool]:
    """SQL condition keeping only rows whose unit lies strictly under a unit of the user's scope for
    `action`: the unit above them is in scope. Supervising a cadre and reviewing a unit are done so."""
    paths = scope_paths(user, action)
    if not paths:
        return false()
    return or_(*(and_(path_column.startswith(path, autoescape=True), path_column != path) for path in paths))


def has_any_scope(user, action: str) -> bool:
    return bool(scope_paths(user, action))


def require(action: str, unit: Unit | None) -> None:
    """Stop the request with 403 unless the current user may do `action` in `unit`.
    A unit that does not exist answers 404 before any permission is weighed."""
    if unit is None:
        abort(404)
    if not can(current_user, action, unit):
        abort(403)


def scope_required(action: str):
    """A view for signed-in users holding `action` over at least one unit; anyone else gets 403.
    The view still checks the particular unit it touches with `require` or filters with `in_scope`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not has_any_scope(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return decorate

"""Rules for accounts and role assignments."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import contains_eager, lazyload

from lms.actions import RuleError
from lms.auth.permissions import Role, can, has_any_scope, in_scope
from lms.auth.services import ACTIVATION, issue_token
from lms.db import db, utcnow
from lms.orgs.models import Unit
from lms.paging import Page
from lms.people.contact import normalise_email, normalise_phone
from lms.people.ethnicities import canonical_ethnicity
from lms.people.models import GENDERS, VOLUNTEER_ROLES, AuthToken, RoleAssignment, User
from lms.vietnamese import fold

DIRECTORY_PAGE_SIZE = 50
MAX_PAGE = 100_000
ADMIN_ROLES = frozenset({Role.UNIT_ADMIN, Role.CENTRAL_ADMIN})


class PersonError(RuleError):
    """An account change the rules refuse."""


class ProfileError(ValueError):
    """Profile fields the rules refuse: a message for the user per form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def create_account(*, full_name: str, unit: Unit, password_hash: str | None = None,
                   roles: tuple[tuple[Role, Unit], ...] = (), **fields) -> User:
    """A new account; every cadre is a learner in their own unit."""
    user = User(full_name=full_name, unit=unit, password_hash=password_hash, **fields)
    user.roles.append(RoleAssignment(role=Role.LEARNER, unit=unit))
    for role, scope in roles:
        grant_role(user, role, scope)
    db.session.add(user)
    return user


def grant_role(user: User, role: Role, unit: Unit, granted_by: User | None = None) -> RoleAssignment:
    for assignment in user.roles:
        if assignment.role == role and assignment.unit_id == unit.id:
            return assignment
    assignment = RoleAssignment(role=role, unit=unit, granted_by_id=granted_by.id if granted_by else None)
    user.roles.append(assignment)
    return assignment


def revoke_role(user: User, assignment_id: int) -> None:
    user.roles[:] = [a for a in user.roles if a.id != assignment_id]


def unit_by_code(code: str | None) -> Unit | None:
    """The unit with this code, however its letters were cased."""
    code = (code or "").strip()
    if not code:
        return None
    return db.session.scalar(select(Unit).where(func.lower(Unit.code) == code.lower()))


# --- The directory ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DirectoryFilter:
    unit: Unit | None = None
    query: str = ""
    status: str = ""  # "", "active" or "inactive"

    def as_args(self) -> dict:
        """The filters as the directory's query-string arguments (those not set left out)."""
        return {"unit": self.unit.id if self.unit else None, "q": self.query or None, "status": self.status or None}


def directory_page(viewer: User, filters: DirectoryFilter, number: int = 1,
                   per_page: int = DIRECTORY_PAGE_SIZE) -> Page:
    """One page of the cadres `viewer` may see, in Vietnamese order, with the total in the same query."""
    number = min(max(1, number), MAX_PAGE)
    conditions = directory_conditions(viewer, filters)
    query = (select(User, func.count().over().label("total"))
             .join(User.unit).where(*conditions)
             .options(contains_eager(User.unit), lazyload(User.roles))
             .order_by(User.sort_key, User.id)
             .limit(per_page).offset((number - 1) * per_page))
    rows = db.session.execute(query).all()
    if rows:
        return Page([row.User for row in rows], rows[0].total, number, per_page)
    return Page([], _directory_count(conditions) if number > 1 else 0, number, per_page)


def _directory_count(conditions) -> int:
    """The total when the page asked for lies past the end, so the window count had no row to ride on."""
    return db.session.scalar(select(func.count(User.id)).join(User.unit).where(*conditions))


def directory_conditions(viewer: User, filters: DirectoryFilter) -> list:
    """Who the directory lists: the cadres `viewer` may see, narrowed by the filters."""
    conditions = [in_scope(viewer, "user.view", Unit.path)]
    if filters.unit is not None:
        conditions.append(Unit.path.startswith(filters.unit.path, autoescape=True))
    if filters.query:
        conditions.append(search_condition(filters.query))
    if filters.status in ("active", "inactive"):
        conditions.append(User.is_active.is_(filters.status == "active"))
    return conditions


def search_condition(text: str):
    """Name with or without diacritics, part of an e-mail address, or part of a phone number."""
    text = text.strip()
    needle = fold(text)
    if not needle:
        return false()
    matches = [User.name_folded.contains(needle, autoescape=True),
               User.email.contains(text.lower(), autoescape=True)]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3:
        # Stored as +84…; a number typed the national way starts with a 0 that is not stored.
        matches.append(User.phone.contains(digits[1:] if digits.startswith("0") else digits))
    return or_(*matches)


# --- Who may manage whom ---------------------------------------------------------------------

def may_grant(granter: User, role: str, unit: Unit) -> bool:
    action = "role.grant_central" if role == Role.CENTRAL_ADMIN else "role.grant"
    return can(granter, action, unit)


def may_manage(editor: User, person: User) -> bool:
    """Edit, deactivate or re-key an account: the person's unit is in the editor's scope, and so is
    every power the person holds; otherwise taking over the account would widen the editor's reach."""
    if not can(editor, "user.manage", person.unit):
        return False
    return all(may_grant(editor, a.role, a.unit) for a in person.roles if a.role != Role.LEARNER)


def grantable_roles(granter: User) -> list[Role]:
    roles = [Role.LEARNER, Role.TRAINER, Role.REVIEWER, Role.UNIT_ADMIN]
    if has_any_scope(granter, "role.grant_central"):
        roles.append(Role.CENTRAL_ADMIN)
    return roles


def locked_until(person: User) -> datetime | None:
    """When a sign-in lock ends, if the account is locked now."""
    if person.locked_until and person.locked_until > utcnow():
        return person.locked_until
    return None


# --- Profiles --------------------------------------------------------------------------------

@dataclass
class Profile:
    """A person's details as typed into the form."""

    full_name: str
    unit_code: str
    date_of_birth: date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    email: str | None = None
    position: str | None = None
    volunteer_role: str | None = None


def check_profile(editor: User, profile: Profile, person: User | None = None) -> dict:
    """The values to store for `profile`, or ProfileError naming every field the rules refuse.
    `person` is None for a new account."""
    errors: dict[str, str] = {}
    person_id = person.id if person else None
    phone = _clean_phone(profile.phone, person_id, errors)
    email = _clean_email(profile.email, person_id, errors)
    if not phone and not email and not errors.keys() & {"phone", "email"}:
        errors["phone"] = _("Cần có số điện thoại hoặc e-mail để cán bộ đăng nhập.")
    values = {"full_name": profile.full_name, "date_of_birth": profile.date_of_birth,
              "gender": profile.gender if profile.gender in GENDERS else None,
              "ethnicity": _clean_ethnicity(profile.ethnicity, errors), "phone": phone, "email": email,
              "position": _blank_none(profile.position),
              "volunteer_role": profile.volunteer_role if profile.volunteer_role in VOLUNTEER_ROLES else None,
              "unit": _clean_unit(editor, profile.unit_code, person, errors)}
    if errors:
        raise ProfileError(errors)
    return values


def update_person(person: User, values: dict) -> None:
    """Apply values from `check_profile`."""
    values = dict(values)
    unit = values.pop("unit")
    for name, value in values.items():
        setattr(person, name, value)
    if unit.id != person.unit_id:
        _move(person, unit)


def create_person(values: dict) -> tuple[User, str]:
    """A new account from `check_profile` values, without a password, and the activation code for it."""
    person = create_account(password_hash=None, must_change_password=True, **values)
    db.session.flush()
    return person, issue_token(person, ACTIVATION, activation_lifetime())


def activation_lifetime() -> timedelta:
    return timedelta(days=current_app.config["LMS_ACTIVATION_TOKEN_DAYS"])


def _blank_none(text: str | None) -> str | None:
    return (text or "").strip() or None


def _clean_ethnicity(raw: str | None, errors: dict) -> str | None:
    text = _blank_none(raw)
    if text is None:
        return None
    name = canonical_ethnicity(text)
    if name is None:
        errors["ethnicity"] = _("Không có dân tộc “%(name)s” trong danh mục 54 dân tộc Việt Nam.", name=text)
    return name


def _taken(column, value: str, person_id: int | None) -> bool:
    query = select(User.id).where(column == value)
    if person_id is not None:
        query = query.where(User.id != person_id)
    return db.session.scalar(query.limit(1)) is not None


def _clean_phone(raw: str | None, person_id: int | None, errors: dict) -> str | None:
    if not (raw or "").strip():
        return None
    phone = normalise_phone(raw)
    if phone is None:
        errors["phone"] = _("Số điện thoại không hợp lệ. Hãy nhập như 0912 345 678 hoặc +84 912 345 678.")
    elif _taken(User.phone, phone, person_id):
        errors["phone"] = _("Số điện thoại này đã thuộc tài khoản khác.")
    return phone


def _clean_email(raw: str | None, person_id: int | None, errors: dict) -> str | None:
    if not (raw or "").strip():
        return None
    email = normalise_email(raw)
    if email is None:
        errors["email"] = _("Địa chỉ e-mail không hợp lệ. Ví dụ đúng: ten@example.org.")
    elif _taken(User.email, email, person_id):
        errors["email"] = _("E-mail này đã thuộc tài khoản khác.")
    return email


def _clean_unit(editor: User, code: str, person: User | None, errors: dict) -> Unit | None:
    """The unit to place the person in: in the editor's scope and open (staying put is always allowed)."""
    code = (code or "").strip()
    if person is not None and code.lower() == person.unit.code.lower():
        return person.unit
    unit = unit_by_code(code)
    if unit is None or not can(editor, "user.manage", unit):
        errors["unit_code"] = _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.", code=code)
    elif not unit.is_open:
        errors["unit_code"] = _("Đơn vị “%(name)s” đã giải thể, không thể xếp cán bộ vào.", name=unit.name)
    return unit


def _move(person: User, unit: Unit) -> None:
    """Put the person in another unit; the learner role of the old unit follows them."""
    has_learner_there = any(a.role == Role.LEARNER and a.unit_id == unit.id for a in person.roles)
    for assignment in list(person.roles):
        if assignment.role == Role.LEARNER and assignment.unit_id == person.unit_id:
            if has_learner_there:
                person.roles.remove(assignment)
            else:
                assignment.unit = unit
    person.unit = unit


# --- Account state ---------------------------------------------------------------------------

def deactivate(person: User, by: User) -> None:
    if person.id == by.id:
        raise PersonError(_("Bạn không thể tự ngừng hoạt động tài khoản của chính mình."))
    person.is_active = False


def reactivate(person: User) -> None:
    person.is_active = True


def reissue_activation(person: User, by: User) -> str:
    """Forget the password, unlock, and issue a new activation code; every earlier link stops working."""
    if person.id == by.id:
        raise PersonError(_("Để đổi mật khẩu của chính bạn, hãy dùng trang Tài khoản."))
    if not person.is_active:
        raise PersonError(_("Tài khoản đang ngừng hoạt động: hãy cho hoạt động lại trước khi cấp mã."))
    person.password_hash = None
    person.must_change_password = True
    person.failed_login_count = 0
    person.locked_until = None
    db.session.execute(update(AuthToken)
                       .where(AuthToken.user_id == person.id, AuthToken.used_at.is_(None))
                       .values(used_at=utcnow()))
    return issue_token(person, ACTIVATION, activation_lifetime())


# --- Roles -----------------------------------------------------------------------------------

def role_holders(unit_ids: list[int], roles) -> dict[int, list[User]]:
    """Active people with an e-mail who hold one of `roles` on exactly one of the units, by unit id (units
    with nobody left out): one statement."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(RoleAssignment.unit_id, User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.unit_id.in_(unit_ids), RoleAssignment.role.in_([str(role) for role in roles]),
               User.is_active.is_(True), User.email.is_not(None), User.email != "")
        .distinct().order_by(RoleAssignment.unit_id, User.id))
    holders: dict[int, list[User]] = {}
    for unit_id, person in rows:
        holders.setdefault(unit_id, []).append(person)
    return holders


def unit_admins(unit: Unit) -> list[User]:
    return role_holders([unit.id], (Role.UNIT_ADMIN,)).get(unit.id, [])


def parent_reviewers(unit: Unit) -> list[User]:
    """Those who review the unit from the unit above: its admins and reviewers (and the central office's
    administrators when the unit above is the central office)."""
    if unit.parent is None:
        return []
    reviewing = (Role.UNIT_ADMIN, Role.REVIEWER, Role.CENTRAL_ADMIN)
    return role_holders([unit.parent_id], reviewing).get(unit.parent_id, [])


def grant(person: User, role: Role, unit_code: str, by: User) -> RoleAssignment:
    unit = unit_by_code(unit_code)
    if unit is None or not may_grant(by, role, unit):
        raise PersonError(_("Không có đơn vị mã “%(code)s” trong phạm vi bạn được trao vai trò này.",
                            code=(unit_code or "").strip()))
    if not unit.is_open:
        raise PersonError(_("Đơn vị “%(name)s” đã giải thể.", name=unit.name))
    if any(a.role == role and a.unit_id == unit.id for a in person.roles):
        raise PersonError(_("Cán bộ đã có vai trò này tại “%(name)s”.", name=unit.name))
    return grant_role(person, role, unit, granted_by=by)


def revoke(person: User, assignment: RoleAssignment, by: User) -> None:
    if person.id == by.id and assignment.role in ADMIN_ROLES:
        admin_roles = [a for a in person.roles if a.role in ADMIN_ROLES]
        if len(admin_roles) == 1:
            raise PersonError(_("Bạn không thể thu hồi vai trò quản trị cuối cùng của chính mình."))
    revoke_role(person, assignment.id)

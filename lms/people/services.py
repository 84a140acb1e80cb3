"""Rules for accounts and role assignments."""
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import RoleAssignment, User


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


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))

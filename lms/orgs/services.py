"""Rules for the unit tree. A unit's `path` is kept right by these functions alone."""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.actions import RuleError
from lms.db import db, utcnow
from lms.i18n import level_name
from lms.orgs.models import AREA_FLAGS, Organisation, Unit, UnitLevel


class UnitError(RuleError):
    """A change to the tree that the rules refuse."""


def subtree(unit: Unit, include_closed: bool = True):
    """SELECT of every unit under `unit`, itself included: one indexed prefix query."""
    query = select(Unit).where(Unit.path.startswith(unit.path, autoescape=True))
    if not include_closed:
        query = query.where(Unit.closed_at.is_(None))
    return query


def subtree_ids(unit: Unit):
    return select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))


def children(unit: Unit, include_closed: bool = False) -> list[Unit]:
    query = select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)
    if not include_closed:
        query = query.where(Unit.closed_at.is_(None))
    return list(db.session.scalars(query))


def roots() -> list[Unit]:
    query = (select(Unit).join(Organisation).where(Unit.parent_id.is_(None))
             .order_by(Organisation.sort_order, Unit.name))
    return list(db.session.scalars(query))


def ancestors(unit: Unit) -> list[Unit]:
    ids = unit.ancestor_ids
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [found[i] for i in ids]


def levels() -> list[UnitLevel]:
    return list(db.session.scalars(select(UnitLevel).order_by(UnitLevel.rank)))


def _check_level(level: UnitLevel, parent: Unit | None) -> None:
    if parent is not None and level.rank <= parent.level.rank:
        raise UnitError(_("Cấp “%(level)s” không thể nằm dưới cấp “%(parent)s”.",
                          level=level_name(level), parent=level_name(parent.level)))


def _check_code_free(code: str, unit_id: int | None = None) -> None:
    taken = db.session.scalar(select(Unit.id).where(func.lower(Unit.code) == code.lower()))
    if taken is not None and taken != unit_id:
        raise UnitError(_("Mã đơn vị “%(code)s” đã được dùng.", code=code))


def create_unit(*, parent: Unit | None, level: UnitLevel, code: str, name: str,
                organisation: Organisation | None = None, **flags: bool) -> Unit:
    """Add a unit under `parent` (or a root of `organisation`). Flags not given are inherited."""
    code, name = code.strip(), name.strip()
    if parent is not None and not parent.is_open:
        raise UnitError(_("Không thể thêm đơn vị vào một đơn vị đã giải thể."))
    _check_level(level, parent)
    _check_code_free(code)
    unit = Unit(code=code, name=name, level=level,
                organisation=parent.organisation if parent else organisation, parent=parent)
    for flag in AREA_FLAGS:
        inherited = getattr(parent, flag) if parent else False
        setattr(unit, flag, flags.get(flag, inherited))
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def update_unit(unit: Unit, *, code: str, name: str, **flags: bool) -> None:
    code = code.strip()
    _check_code_free(code, unit.id)
    unit.code = code
    unit.name = name.strip()
    for flag in AREA_FLAGS:
        if flag in flags:
            setattr(unit, flag, flags[flag])


def move_unit(unit: Unit, new_parent: Unit) -> None:
    """Put `unit` and its whole subtree under `new_parent`, rewriting paths in one UPDATE."""
    if new_parent.path.startswith(unit.path):
        raise UnitError(_("Không thể chuyển một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
    if new_parent.organisation_id != unit.organisation_id:
        raise UnitError(_("Chỉ có thể chuyển đơn vị trong cùng một tổ chức."))
    if not new_parent.is_open:
        raise UnitError(_("Không thể chuyển vào một đơn vị đã giải thể."))
    _check_level(unit.level, new_parent)
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.id}/"
    db.session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_prefix, autoescape=True))
        .values(path=new_prefix + func.substr(Unit.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = new_parent.id
    db.session.flush()
    db.session.expire_all()


def close_unit(unit: Unit, reason: str) -> None:
    """Close a unit; it and its people stay on record. Open units below must be closed or moved first."""
    open_children = db.session.scalar(
        select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id, Unit.closed_at.is_(None))
    )
    if open_children:
        raise UnitError(_("Đơn vị còn %(count)d đơn vị trực thuộc đang hoạt động: "
                          "hãy chuyển hoặc giải thể chúng trước.", count=open_children))
    unit.closed_at = utcnow()
    unit.closed_reason = reason.strip()


def reopen_unit(unit: Unit) -> None:
    if unit.parent is not None and not unit.parent.is_open:
        raise UnitError(_("Đơn vị cấp trên đã giải thể: hãy mở lại đơn vị cấp trên trước."))
    unit.closed_at = None
    unit.closed_reason = None

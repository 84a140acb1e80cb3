"""Load organisations, levels and units from the CSV files under content/. Idempotent: rows are
matched by code, so loading the same files again changes nothing, and an edited row updates its unit."""
import csv
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from lms.db import db
from lms.orgs import services
from lms.orgs.models import AREA_FLAGS, Organisation, Unit, UnitLevel

_FLAG_COLUMNS = dict(zip(("mountainous", "ethnic_minority", "border", "island", "overseas"), AREA_FLAGS))


class LoadError(ValueError):
    """A row that cannot be loaded: "file:line: reason", the reason in the operator's language."""

    def __init__(self, file: Path, line: int, reason: str):
        super().__init__(f"{file}:{line}: {reason}")


def _rows(file: Path):
    with file.open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {key: (value or "").strip() for key, value in row.items()}


def load_directory(directory: Path) -> dict[str, int]:
    """Load organisations.csv, levels.csv and units*.csv found in `directory`, in one transaction."""
    counts = {"organisations": 0, "levels": 0, "units_created": 0, "units_updated": 0}
    try:
        if (directory / "organisations.csv").exists():
            counts["organisations"] = _load_organisations(directory / "organisations.csv")
        if (directory / "levels.csv").exists():
            counts["levels"] = _load_levels(directory / "levels.csv")
        for file in sorted(directory.glob("units*.csv")):
            created, updated = _load_units(file)
            counts["units_created"] += created
            counts["units_updated"] += updated
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def _load_organisations(file: Path) -> int:
    for line, row in _rows(file):
        if not row.get("code") or not row.get("name"):
            raise LoadError(file, line, _("Tổ chức cần có cả mã (cột code) và tên (cột name)."))
        org = db.session.scalar(select(Organisation).filter_by(code=row["code"])) or Organisation(code=row["code"])
        org.name, org.short_name = row["name"], row.get("short_name") or row["name"]
        org.sort_order = int(row.get("sort_order") or 0)
        db.session.add(org)
    db.session.flush()
    return db.session.query(Organisation).count()


def _load_levels(file: Path) -> int:
    for line, row in _rows(file):
        try:
            rank = int(row["rank"])
        except (KeyError, ValueError):
            raise LoadError(file, line, _("Thứ bậc của cấp đơn vị (cột rank) phải là số nguyên.")) from None
        level = db.session.scalar(select(UnitLevel).filter_by(code=row["code"])) or UnitLevel(code=row["code"])
        level.name, level.name_en, level.rank = row["name"], row.get("name_en") or row["name"], rank
        db.session.add(level)
    db.session.flush()
    return db.session.query(UnitLevel).count()


def _load_units(file: Path) -> tuple[int, int]:
    organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
    levels = {level.code: level for level in db.session.scalars(select(UnitLevel))}
    created = updated = 0
    for line, row in _rows(file):
        organisation, level, parent = _references(file, line, row, organisations, levels)
        flags = {field: row.get(column) == "1" for column, field in _FLAG_COLUMNS.items()}
        try:
            unit = db.session.scalar(select(Unit).filter_by(code=row["code"]))
            if unit is None:
                services.create_unit(parent=parent, level=level, code=row["code"], name=row["name"],
                                     organisation=organisation, **flags)
                created += 1
                continue
            if _differs(unit, row["name"], level, flags):
                services.update_unit(unit, code=row["code"], name=row["name"], **flags)
                unit.level = level
                updated += 1
            if parent is not None and unit.parent_id != parent.id:
                services.move_unit(unit, parent)
                updated += 1
        except services.UnitError as error:
            raise LoadError(file, line, str(error)) from None
    db.session.flush()
    return created, updated


def _references(file: Path, line: int, row: dict[str, str], organisations: dict[str, Organisation],
                levels: dict[str, UnitLevel]) -> tuple[Organisation, UnitLevel, Unit | None]:
    """The organisation, level and parent unit a row of a units file names; LoadError when one is unknown."""
    if not row.get("code") or not row.get("name"):
        raise LoadError(file, line, _("Đơn vị cần có cả mã (cột code) và tên (cột name)."))
    organisation = organisations.get(row.get("organisation") or "")
    if organisation is None:
        raise LoadError(file, line, _("Không có tổ chức mã “%(code)s” (cột organisation).",
                                      code=row.get("organisation") or ""))
    level = levels.get(row.get("level") or "")
    if level is None:
        raise LoadError(file, line, _("Không có cấp đơn vị mã “%(code)s” (cột level).", code=row.get("level") or ""))
    if not row.get("parent_code"):
        return organisation, level, None
    parent = db.session.scalar(select(Unit).filter_by(code=row["parent_code"]))
    if parent is None:
        raise LoadError(file, line, _("Chưa có đơn vị cấp trên mã “%(code)s”: đơn vị cấp trên phải đứng ở một dòng "
                                      "phía trên hoặc đã được nạp trước.", code=row["parent_code"]))
    return organisation, level, parent


def _differs(unit: Unit, name: str, level: UnitLevel, flags: dict[str, bool]) -> bool:
    return (unit.name != name or unit.level_id != level.id
            or any(getattr(unit, field) != value for field, value in flags.items()))

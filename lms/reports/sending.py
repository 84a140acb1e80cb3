"""Yearly reports sent up: each unit sends its signed yearly report (PDF or DOCX) to the level above, and
the level above sees, unit by unit, which of the units directly under it have sent theirs."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from lms.actions import RuleError
from lms.auth.permissions import can
from lms.assessments.evidence import ALLOWED_TYPES, has_upload, save_upload, types_label
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User
from lms.reports.models import SentReport

ACTION = "report.send"
REPORT_TYPES = {extension: ALLOWED_TYPES[extension] for extension in ("pdf", "docx")}
MAX_NOTE = 500


def send(unit: Unit, year: int, upload: FileStorage | None, note: str, sender: User) -> SentReport:
    """Record `unit`'s yearly report of `year` as sent by `sender`, with the signed file. Refuses (RuleError,
    nothing stored) a unit with nothing above it, a closed unit, no file, a file that is not a real PDF or
    DOCX, or a note too long."""
    if unit.parent_id is None:
        raise RuleError(_("%(unit)s không có cấp trên để gửi báo cáo.", unit=unit.name))
    if not unit.is_open:
        raise RuleError(_("%(unit)s đã giải thể nên không gửi báo cáo được.", unit=unit.name))
    if not has_upload(upload):
        raise RuleError(_("Hãy chọn tệp báo cáo năm đã ký (%(types)s).", types=types_label(REPORT_TYPES)))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise RuleError(_("Ghi chú tối đa %(max)d ký tự.", max=MAX_NOTE))
    stored = save_upload(upload, sender, unit, REPORT_TYPES)
    sent = SentReport(unit_id=unit.id, year=year, file_id=stored.id, note=note, sent_by_id=sender.id)
    db.session.add(sent)
    db.session.flush()
    return sent


def history(unit: Unit, year: int) -> list[SentReport]:
    """Every report of `year` the unit has sent, the latest (the one that counts) first."""
    return list(db.session.scalars(
        select(SentReport).where(SentReport.unit_id == unit.id, SentReport.year == year)
        .options(joinedload(SentReport.sent_by), joinedload(SentReport.file))
        .order_by(SentReport.id.desc())))


@dataclass(frozen=True)
class ChildReport:
    unit: Unit
    latest: SentReport | None  # None: not sent
    times: int  # how many times it was sent


def children_reports(unit: Unit, year: int) -> list[ChildReport]:
    """Each open unit directly under `unit`, in name order, with its latest report of `year` and how many
    times it has sent one: one grouped statement."""
    sent = (select(SentReport.unit_id, func.max(SentReport.id).label("latest_id"), func.count().label("times"))
            .where(SentReport.year == year).group_by(SentReport.unit_id).subquery())
    rows = db.session.execute(
        select(Unit, SentReport, sent.c.times)
        .outerjoin(sent, sent.c.unit_id == Unit.id)
        .outerjoin(SentReport, SentReport.id == sent.c.latest_id)
        .where(Unit.parent_id == unit.id, Unit.closed_at.is_(None))
        .options(joinedload(SentReport.sent_by), joinedload(SentReport.file))
        .order_by(Unit.name_folded, Unit.id))
    return [ChildReport(child, latest, times or 0) for child, latest, times in rows]


@dataclass(frozen=True)
class Panel:
    """What the dashboard of a unit says about yearly reports sent up."""
    history: list[SentReport]  # the unit's own, latest first; empty for a unit with nothing above it
    may_send: bool
    children: list[ChildReport]

    @property
    def children_sent(self) -> int:
        return sum(1 for child in self.children if child.latest is not None)


def panel(viewer: User, unit: Unit, year: int) -> Panel:
    has_parent = unit.parent_id is not None
    return Panel(history(unit, year) if has_parent else [],
                 has_parent and unit.is_open and can(viewer, ACTION, unit), children_reports(unit, year))

"""Yearly reports sent up: each unit sends its signed yearly report (PDF or DOCX) to the level above by the
day the level above has set for the units under it (else the installation's LMS_YEARLY_REPORT_DUE), so
each level can set its units a day before its own. The level above is told by e-mail when a report
arrives, sees unit by unit which of the units directly under it have sent theirs, in time or late, and
reminds the others."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import aliased, joinedload
from werkzeug.datastructures import FileStorage

from lms.actions import RuleError
from lms.assessments.evidence import ALLOWED_TYPES, has_upload, save_upload, types_label
from lms.auth.permissions import Role, can, holds_on
from lms.db import db, utcnow
from lms.i18n import N_, end_of_local_day_utc, local_date, local_today, names_in_message
from lms.mail import Batch, Mailing, mail_batches, mail_each
from lms.orgs.models import Unit
from lms.orgs.services import subtree_ids
from lms.people.models import User
from lms.people.services import parent_reviewers, role_holders
from lms.reports.models import ReportDeadline, ReportReminder, SentReport
from lms.reports.tables import CODE, DATE, INT, Column, Table

ACTION = "report.send"  # sending one's unit's report up, and reminding the units under it to send theirs
REPORT_TYPES = {extension: ALLOWED_TYPES[extension] for extension in ("pdf", "docx")}
MAX_NOTE = 500
MAX_REPORT_BYTES = 20 * 1024 * 1024  # a signed report scanned page by page runs to several megabytes
REMIND_EVERY = timedelta(days=3)  # a unit is not reminded again sooner
PANEL = "bao-cao-gui-len"  # the dashboard's section about reports sent up
REPORTING_SEASON_ENDS = 3  # a year's reports are written and sent until the end of this month of the next year

# A report's status, which the API also gives as a stable code beside the label: sent in time, sent late, not
# sent with the day due still to come, not sent with the day due past.
SENT, LATE, NOT_SENT, OVERDUE = "sent_in_time", "sent_late", "not_sent", "overdue"
STATUSES = (SENT, LATE, NOT_SENT, OVERDUE)


def status_label(status: str) -> str:
    """A report's status as people read it ("Chưa gửi" is "Not sent" here, where other pages say it of forms)."""
    return {SENT: pgettext("a yearly report sent up", "Đã gửi đúng hạn"),
            LATE: pgettext("a yearly report sent up", "Gửi muộn"),
            NOT_SENT: pgettext("a yearly report sent up", "Chưa gửi"),
            OVERDUE: pgettext("a yearly report sent up", "Quá hạn, chưa gửi")}[status]


def default_due_date(year: int) -> date:
    """The installation's day by which the yearly report of `year` is to be sent up."""
    month, day = current_app.config["LMS_YEARLY_REPORT_DUE"]
    return date(year, month, day)


def due_date(unit: Unit, year: int) -> date:
    """The day by which the units directly under `unit` send it their report of `year`: the day its admins
    set, else the installation's, but never after a day a level above has since set for the units under
    it (a level that moves its day earlier moves the days of the levels below it along). One statement."""
    set_days = dict(db.session.execute(
        select(ReportDeadline.unit_id, ReportDeadline.due_on)
        .where(ReportDeadline.unit_id.in_([*unit.ancestor_ids, unit.id]), ReportDeadline.year == year)).all())
    own = set_days.pop(unit.id, None) or default_due_date(year)
    return min([own, *set_days.values()])


def season_end(year: int) -> date:
    """The last day of `year`'s reporting season: the last day a due day of its reports may fall on, and the
    last day they may be sent up, reminded of, or have their due day changed."""
    return date(year + 1, REPORTING_SEASON_ENDS + 1, 1) - timedelta(days=1)


def season_over(year: int, today: date | None = None) -> bool:
    return (today or local_today()) > season_end(year)


def reporting_years(today: date) -> list[int]:
    """The years whose reports are being written and sent up on `today`: this year, and last year too until
    its reporting season ends."""
    return [today.year, today.year - 1] if today <= season_end(today.year - 1) else [today.year]


def judged_by(due: date, due_when_sent: date | None) -> date:
    """The day a report sent is in time by: the day due now or the day due when its first version was sent,
    whichever is later. So a day moved later excuses a report already late, and a day moved earlier does not
    make late one that was in time."""
    return max(due, due_when_sent or due)


def status_of(first_sent_at: datetime | None, due_when_sent: date | None, due: date, now: datetime) -> str:
    """Whether a report due on `due` is sent, and in time: its first version (a corrected one sent later
    does not make it late) was sent before the end of the day it is judged by (judged_by())."""
    if first_sent_at is None:
        return OVERDUE if now >= end_of_local_day_utc(due) else NOT_SENT
    return SENT if first_sent_at < end_of_local_day_utc(judged_by(due, due_when_sent)) else LATE


def earlier_day_kept(first_sent_at: datetime | None, due_when_sent: date | None, due: date) -> date | None:
    """The day due when a report was sent, where only that day, since moved earlier to `due`, makes the
    report in time (the page then says by which day); else None."""
    if first_sent_at is None or due_when_sent is None:
        return None
    kept = end_of_local_day_utc(due) <= first_sent_at < end_of_local_day_utc(due_when_sent)
    return due_when_sent if kept else None


# --- Sending ----------------------------------------------------------------------------------------

def send(unit: Unit, year: int, upload: FileStorage | None, note: str, sender: User,
         on: date | None = None) -> SentReport:
    """Record `unit`'s yearly report of `year` as sent by `sender`, with the signed file, on the day `on`
    (today unless a report sent earlier is being loaded, as the demo's are). Refuses (RuleError, nothing
    stored) a unit with nothing above it, a closed unit, a year whose reporting season was over on that day, a
    sender who is not an admin of the unit itself (the level above receives reports; it does not send them for
    its units), no file, a file that is not a real PDF or DOCX, or a note too long."""
    if unit.parent_id is None:
        raise RuleError(_("%(unit)s không có cấp trên để gửi báo cáo.", unit=unit.name))
    if not unit.is_open:
        raise RuleError(_("%(unit)s đã giải thể nên không gửi báo cáo được.", unit=unit.name))
    if season_over(year, on):
        raise RuleError(_("Mùa báo cáo năm %(year)d đã kết thúc ngày %(date)s; không gửi báo cáo năm này được nữa.",
                          year=year, date=season_end(year).strftime("%d/%m/%Y")))
    if not holds_on(sender, ACTION, unit):
        raise RuleError(_("Chỉ quản trị viên của chính %(unit)s gửi báo cáo năm của đơn vị lên cấp trên.",
                          unit=unit.name))
    if not has_upload(upload):
        raise RuleError(_("Hãy chọn tệp báo cáo năm đã ký (%(types)s).", types=types_label(REPORT_TYPES)))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise RuleError(_("Ghi chú tối đa %(max)d ký tự.", max=MAX_NOTE))
    stored = save_upload(upload, sender, unit, REPORT_TYPES, MAX_REPORT_BYTES)
    sent = SentReport(unit_id=unit.id, year=year, file_id=stored.id, note=note, sent_by_id=sender.id,
                      due_on=due_date(unit.parent, year))
    db.session.add(sent)
    db.session.flush()
    return sent


def history(unit: Unit, year: int) -> list[SentReport]:
    """Every report of `year` the unit has sent, the latest (the one that counts) first."""
    return list(db.session.scalars(
        select(SentReport).where(SentReport.unit_id == unit.id, SentReport.year == year)
        .options(joinedload(SentReport.sent_by), joinedload(SentReport.file))
        .order_by(SentReport.id.desc())))


# --- What the level above sees ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildReport:
    unit: Unit
    latest: SentReport | None  # None: not sent
    times: int  # how many times it was sent
    first_sent_at: datetime | None  # of its first version, by which it is in time or late
    status: str  # SENT, LATE, NOT_SENT or OVERDUE
    last_reminded_at: datetime | None
    earlier_day_kept: date | None  # see earlier_day_kept()

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def children_reports(unit: Unit, year: int, due: date | None = None) -> list[ChildReport]:
    """Each open unit directly under `unit`, in name order, with its latest report of `year`, how many
    times it has sent one, whether in time (by `due`, else the unit's due day, and the day due when its first
    version was sent), and when it was last reminded: one grouped statement."""
    sent = (select(SentReport.unit_id, func.max(SentReport.id).label("latest_id"), func.count().label("times"),
                   func.min(SentReport.id).label("first_id"))
            .where(SentReport.year == year).group_by(SentReport.unit_id).subquery())
    first = aliased(SentReport)
    reminded = (select(ReportReminder.unit_id, func.max(ReportReminder.reminded_at).label("at"))
                .where(ReportReminder.year == year).group_by(ReportReminder.unit_id).subquery())
    rows = db.session.execute(
        select(Unit, SentReport, sent.c.times, first.sent_at, first.due_on, reminded.c.at)
        .outerjoin(sent, sent.c.unit_id == Unit.id)
        .outerjoin(SentReport, SentReport.id == sent.c.latest_id)
        .outerjoin(first, first.id == sent.c.first_id)
        .outerjoin(reminded, reminded.c.unit_id == Unit.id)
        .where(Unit.parent_id == unit.id, Unit.closed_at.is_(None))
        .options(joinedload(SentReport.sent_by), joinedload(SentReport.file))
        .order_by(Unit.name_folded, Unit.id))
    due, now = due or due_date(unit, year), utcnow()
    return [ChildReport(child, latest, times or 0, first_at, status_of(first_at, due_then, due, now), reminded_at,
                        earlier_day_kept(first_at, due_then, due))
            for child, latest, times, first_at, due_then, reminded_at in rows]


def children_table(unit: Unit, year: int) -> Table:
    """The yearly reports of the units directly under `unit` as a report table, for the exports and the API."""
    due = due_date(unit, year)
    children = children_reports(unit, year, due)
    columns = [Column("unit", pgettext("a unit in a table", "Đơn vị")), Column("status", _("Tình trạng")),
               Column("status_code", _("Mã tình trạng"), CODE),
               Column("first_sent_on", _("Ngày gửi bản đầu tiên"), DATE),
               Column("sent_on", _("Ngày gửi bản mới nhất"), DATE),
               Column("sent_by", pgettext("a yearly report sent up", "Người gửi")),
               Column("versions", _("Số lần gửi"), INT), Column("file", _("Tệp đã gửi")), Column("note", _("Ghi chú"))]
    rows = [(child.unit.name, child.status_label, child.status,
             local_date(child.first_sent_at) if child.latest else None,
             local_date(child.latest.sent_at) if child.latest else None,
             child.latest.sent_by.full_name if child.latest else "",
             child.times, child.latest.file.filename if child.latest else "",
             child.latest.note if child.latest else "")
            for child in children]
    note = _("Các đơn vị trực thuộc đang hoạt động. Hạn gửi báo cáo năm %(year)d là ngày %(due)s; đơn vị gửi "
             "đúng hạn khi bản đầu tiên được gửi trước khi hết ngày này, hoặc hết hạn áp dụng lúc gửi nếu hạn đó "
             "muộn hơn; bản sửa gửi sau không tính là muộn.", year=year, due=due.strftime("%d/%m/%Y"))
    return Table("sent", _("Báo cáo năm %(year)d của các đơn vị trực thuộc", year=year), columns, rows,
                 [child.unit.id for child in children], note)


@dataclass(frozen=True)
class Panel:
    """What the dashboard of a unit says about yearly reports sent up."""
    history: list[SentReport]  # the unit's own, latest first; empty for a unit with nothing above it
    status: str | None  # of the unit's own report; None for a unit with nothing above it
    due: date | None  # of the unit's own report; None for a unit with nothing above it
    earlier_day_kept: date | None  # of the unit's own report: see earlier_day_kept()
    may_send: bool
    children: list[ChildReport]
    children_due: date
    may_remind: bool
    may_set_due: bool
    due_bounds: tuple[date, date] | None  # the days it may set, when it may: see due_day_bounds()
    season_ended_on: date | None  # when the year's reporting season is over: nothing more is sent or changed
    without_admins: frozenset[int]  # ids of the units not sent that no reminder reaches, for those who remind

    @property
    def status_label(self) -> str:
        return status_label(self.status) if self.status else ""

    @property
    def children_sent(self) -> int:
        return sum(1 for child in self.children if child.latest is not None)

    @property
    def children_overdue(self) -> int:
        return sum(1 for child in self.children if child.status == OVERDUE)


def panel(viewer: User, unit: Unit, year: int) -> Panel:
    acts = unit.is_open and can(viewer, ACTION, unit)
    children_due = due_date(unit, year)
    children = children_reports(unit, year, children_due)
    ended_on = season_end(year) if season_over(year) else None
    may_remind = acts and not ended_on and any(child.latest is None for child in children)
    may_set_due = acts and not ended_on and bool(children)
    due_bounds = due_day_bounds(unit, year) if may_set_due else None
    without_admins = _without_admins(children) if may_remind else frozenset()
    if unit.parent_id is None:
        return Panel([], None, None, None, False, children, children_due, may_remind, may_set_due, due_bounds,
                     ended_on, without_admins)
    own, due = history(unit, year), due_date(unit.parent, year)
    first_sent_at, due_when_sent = (own[-1].sent_at, own[-1].due_on) if own else (None, None)
    may_send = unit.is_open and not ended_on and holds_on(viewer, ACTION, unit)
    return Panel(own, status_of(first_sent_at, due_when_sent, due, utcnow()), due,
                 earlier_day_kept(first_sent_at, due_when_sent, due), may_send,
                 children, children_due, may_remind, may_set_due, due_bounds, ended_on, without_admins)


def _without_admins(children: list[ChildReport]) -> frozenset[int]:
    """The units among `children` that have not sent and have no active admin with an e-mail address: one
    statement."""
    waiting = [child.unit.id for child in children if child.latest is None]
    return frozenset(waiting) - role_holders(waiting, (Role.UNIT_ADMIN,)).keys()


def _days_left_in_season(year: int) -> tuple[date, date]:
    """The first and the last day a due day of `year` may still be set to: from today to the season's end."""
    return max(date(year, 1, 1), local_today()), season_end(year)


def due_day_bounds(unit: Unit, year: int) -> tuple[date, date]:
    """The days `unit` may set for its units' reports of `year` (what set_due_date accepts), for the date
    picker: from today to the season's end, and no later than the unit's own day at the level above."""
    first, last = _days_left_in_season(year)
    return first, last if unit.parent_id is None else min(last, due_date(unit.parent, year))


def set_due_date(unit: Unit, year: int, due_on: date, by: User) -> ReportDeadline:
    """Set the day by which the units directly under `unit` send it their report of `year`. Refuses
    (RuleError, nothing changed) a closed unit, a year whose reporting season is over, a day after the unit's
    own report is due at the level above, or a day before today or outside the season."""
    if not unit.is_open:
        raise RuleError(_("%(unit)s đã giải thể.", unit=unit.name))
    first, last = _days_left_in_season(year)
    if first > last:
        raise RuleError(_("Mùa báo cáo năm %(year)d đã kết thúc ngày %(date)s; không đổi hạn gửi được nữa.",
                          year=year, date=last.strftime("%d/%m/%Y")))
    if unit.parent_id is not None:
        own = due_date(unit.parent, year)
        if due_on > own:
            raise RuleError(_("Hạn cho các đơn vị trực thuộc phải trước hoặc đúng ngày %(unit)s gửi báo cáo lên "
                              "%(parent)s (%(date)s), để kịp tổng hợp.", unit=unit.name,
                              parent=unit.parent.name, date=own.strftime("%d/%m/%Y")))
        last = min(last, own)  # the range named below is the one the date picker offers
    if not first <= due_on <= last:
        raise RuleError(_("Hạn gửi báo cáo năm %(year)d phải từ ngày %(first)s đến ngày %(last)s.", year=year,
                          first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y")))
    deadline = db.session.scalar(select(ReportDeadline)
                                 .where(ReportDeadline.unit_id == unit.id, ReportDeadline.year == year))
    if deadline is None:
        deadline = ReportDeadline(unit_id=unit.id, year=year)
        db.session.add(deadline)
    deadline.due_on, deadline.set_by_id = due_on, by.id
    return deadline


def announce_due(unit: Unit, year: int, by: User) -> tuple[int, list[Unit], list[Unit]]:
    """E-mail the day the units directly under `unit` are now due to the admins of those that have not sent
    their report of `year`, and of those whose own units were due later (which that day now moves along),
    sent or not (call after the commit). Returns how many e-mails were sent, the units to tell that have
    no admin with an e-mail address to tell, and those none of whose admins the mail server took an e-mail
    for (once it is found down, the units after are not tried)."""
    due = due_date(unit, year)
    children = children_reports(unit, year, due)
    moved = set(db.session.scalars(select(ReportDeadline.unit_id).where(
        ReportDeadline.unit_id.in_([child.unit.id for child in children]), ReportDeadline.year == year,
        ReportDeadline.due_on > due)))
    told = [child for child in children if child.latest is None or child.unit.id in moved]
    admins = role_holders([child.unit.id for child in told], (Role.UNIT_ADMIN,))
    untold = [child.unit for child in told if child.unit.id not in admins]
    to_mail = [(child, people) for child in told
               if (people := [person for person in admins.get(child.unit.id, []) if person.id != by.id])]
    mailings = mail_batches([Batch(
        people, N_("Hạn gửi báo cáo năm %(year)d của %(unit)s: ngày %(date)s"), _subject_args(child.unit, year, due),
        "reports/email_due_set.txt",
        {"unit": child.unit, "year": year, "due": due, "by": by, "link": panel_link(child.unit.id, year),
         "moved": child.unit.id in moved, "has_sent": child.latest is not None}) for child, people in to_mail])
    return (sum(mailing.sent for mailing in mailings), untold,
            [child.unit for (child, _people), mailing in zip(to_mail, mailings) if not mailing.sent])


def days_set_later_below(unit: Unit, year: int, due_on: date) -> int:
    """How many levels under `unit` have set their units a day of `year` after `due_on` (which due_date() now
    brings forward to it)."""
    return db.session.scalar(
        select(func.count()).select_from(ReportDeadline)
        .where(ReportDeadline.unit_id.in_(subtree_ids(unit)), ReportDeadline.unit_id != unit.id,
               ReportDeadline.year == year, ReportDeadline.due_on > due_on))


# --- Reminding the units that have not sent ------------------------------------------------------------

@dataclass
class Reminders:
    """The outcome of remind(): the units reminded with the admins e-mailed, and those left out."""
    due: date
    at: datetime  # when the reminders were recorded
    reminded: list[tuple[Unit, list[User]]]
    without_admins: list[Unit]  # not sent, but no active admin with an e-mail address
    recently_reminded: list[Unit]  # not sent, but reminded less than REMIND_EVERY ago


class NobodyReminded(RuleError):
    """remind() recorded nothing: each unit that has not sent was reminded lately or has no admin to e-mail.
    The outcome names them."""

    def __init__(self, outcome: Reminders):
        super().__init__(" ".join([_("Chưa gửi được nhắc nhở nào."), *left_out(outcome)]))
        self.outcome = outcome


def remind(unit: Unit, year: int, by: User | None) -> Reminders:
    """Record a reminder to each open unit directly under `unit` that has not sent its report of `year`,
    was not reminded in the last three days and has admins with an e-mail address; deliver() e-mails them
    after the commit. `by` is the admin who asked, or None for the daily run. Refuses (RuleError, nothing
    recorded) when the year's reporting season is over or there is nobody to remind, saying why
    (NobodyReminded when every unit that has not sent was left out)."""
    if not unit.is_open:
        raise RuleError(_("%(unit)s đã giải thể.", unit=unit.name))
    if season_over(year):
        raise RuleError(_("Mùa báo cáo năm %(year)d đã kết thúc ngày %(date)s; không nhắc gửi nữa.", year=year,
                          date=season_end(year).strftime("%d/%m/%Y")))
    due = due_date(unit, year)
    waiting = [child for child in children_reports(unit, year, due) if child.latest is None]
    if not waiting:
        raise RuleError(_("Mọi đơn vị trực thuộc đã gửi báo cáo năm %(year)d; không có đơn vị nào cần nhắc.",
                          year=year))
    now = utcnow()
    to_remind = [child for child in waiting if child.last_reminded_at is None
                 or child.last_reminded_at <= now - REMIND_EVERY]
    admins = role_holders([child.unit.id for child in to_remind], (Role.UNIT_ADMIN,))
    outcome = Reminders(due, now,
                        [(child.unit, admins[child.unit.id]) for child in to_remind if child.unit.id in admins],
                        [child.unit for child in to_remind if child.unit.id not in admins],
                        [child.unit for child in waiting if child not in to_remind])
    if not outcome.reminded:
        raise NobodyReminded(outcome)
    for child, people in outcome.reminded:
        db.session.add(ReportReminder(unit_id=child.id, year=year, reminded_by_id=by and by.id, reminded_at=now,
                                      recipients=len(people)))
    return outcome


def units_to_remind_under(year: int, today: date, days_before: int) -> list[Unit]:
    """The open units, in tree order, with an open unit directly under them that has not sent its report of
    `year`, whose day for those reports is at most `days_before` days away or has passed while the reporting
    season lasts: those whose units the daily run reminds. One statement, then one per such unit for its day."""
    if today > season_end(year):
        return []
    child = aliased(Unit)
    waiting = (select(child.parent_id).where(child.closed_at.is_(None), ~exists().where(
        SentReport.unit_id == child.id, SentReport.year == year)))
    parents = db.session.scalars(select(Unit).where(Unit.closed_at.is_(None), Unit.id.in_(waiting))
                                 .order_by(Unit.path))
    return [unit for unit in parents if today >= due_date(unit, year) - timedelta(days=days_before)]


def left_out(outcome: Reminders) -> list[str]:
    """Sentences naming the units that were not reminded, and why."""
    sentences = []
    if outcome.recently_reminded:
        sentences.append(_("Đã nhắc trong %(days)d ngày qua nên chưa nhắc lại: %(units)s.",
                           days=REMIND_EVERY.days, units=unit_names(outcome.recently_reminded)))
    if outcome.without_admins:
        sentences.append(_("Chưa có quản trị viên có e-mail để nhắc: %(units)s.",
                           units=unit_names(outcome.without_admins)))
    return sentences


def unit_names(units: list[Unit]) -> str:
    return names_in_message([unit.name for unit in units], N_("%(names)s và %(num)d đơn vị khác"))


@dataclass(frozen=True)
class Delivery:
    """What deliver() did: the e-mails sent, the units the mail server could not be reached for (their
    reminders withdrawn), and those whose admins' addresses it refused."""
    sent: int
    unreached: list[Unit]
    refused: list[Unit]

    def reminded(self, outcomes: list[Reminders]) -> int:
        """How many units of `outcomes` at least one e-mail reached."""
        return sum(len(outcome.reminded) for outcome in outcomes) - len(self.unreached) - len(self.refused)


def deliver(outcomes: list[Reminders], year: int, by: User | None) -> Delivery:
    """E-mail the reminders remind() recorded (call after the commit). A unit none of whose admins the mail
    server could be reached for (it is down) has its reminder withdrawn, committed, so that it may be reminded
    again at once; once the server is found down, the units after are not tried, and withdrawn too. A unit
    whose admins' addresses it all refused keeps its reminder: a new try would be refused too."""
    to_mail = [(outcome, child, admins) for outcome in outcomes for child, admins in outcome.reminded]
    mailings = mail_batches([Batch(
        admins, N_("Nhắc gửi báo cáo năm %(year)d của %(unit)s, hạn %(date)s"), _subject_args(child, year, outcome.due),
        "reports/email_send_reminder.txt",
        {"unit": child, "year": year, "due": outcome.due, "by": by, "link": panel_link(child.id, year),
         "remind_days": REMIND_EVERY.days}) for outcome, child, admins in to_mail])
    unreached, refused, withdrawn = [], [], {}
    for (outcome, child, _admins), mailing in zip(to_mail, mailings):
        if mailing.sent:
            continue
        if mailing.unreached:
            unreached.append(child)
            withdrawn.setdefault(outcome.at, []).append(child.id)
        else:
            refused.append(child)
    _withdraw(withdrawn, year)
    return Delivery(sum(mailing.sent for mailing in mailings), unreached, refused)


def _withdraw(unit_ids_by_time: dict[datetime, list[int]], year: int) -> None:
    """Take back the reminders of `year` recorded at each time that never reached those units, and commit."""
    for reminded_at, unit_ids in unit_ids_by_time.items():
        db.session.execute(delete(ReportReminder).where(
            ReportReminder.unit_id.in_(unit_ids), ReportReminder.year == year,
            ReportReminder.reminded_at == reminded_at))
    if unit_ids_by_time:
        db.session.commit()


# --- Telling the level above -----------------------------------------------------------------------------

def notify_parent(sent: SentReport, by: User) -> Mailing:
    """E-mail the admins and reviewers of the level above that `sent` has arrived (call after the commit):
    the Mailing says whom the mail server could not tell."""
    unit = sent.unit
    people = [person for person in parent_reviewers(unit) if person.id != by.id]
    link = panel_link(unit.parent_id, sent.year)
    due, versions = due_date(unit.parent, sent.year), history(unit, sent.year)
    first = versions[-1]
    return mail_each(people, N_("%(unit)s đã gửi báo cáo năm %(year)d"), _subject_args(unit, sent.year, due),
                     "reports/email_report_sent.txt", unit=unit, year=sent.year, sent=sent, by=by, link=link,
                     in_time=status_of(first.sent_at, first.due_on, due, utcnow()) == SENT,
                     judged_by=judged_by(due, first.due_on), times=len(versions))


def panel_link(unit_id: int, year: int) -> str:
    """The absolute address of the section on reports sent up of unit `unit_id`'s dashboard, for e-mails."""
    return url_for("reports.dashboard", unit=unit_id, year=year, _anchor=PANEL, _external=True)


def _subject_args(unit: Unit, year: int, due: date) -> dict:
    return {"unit": unit.name, "year": year, "date": due.strftime("%d/%m/%Y")}

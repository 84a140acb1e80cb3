"""Reporting keeps tables of its own: the API tokens people create to read reports from other programs, the
yearly reports units send up to the level above, the day each level sets for the units under it to send
theirs, and the reminders sent to units that have not."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.assessments.models import EvidenceFile
from lms.db import db, utcnow
from lms.orgs.models import Unit
from lms.people.models import User


class ApiToken(db.Model):
    """A personal token for the JSON API. It acts as its user, with the roles the user holds when it is
    used. Only the SHA-256 hash of the secret is kept; `prefix` (the first characters) tells tokens apart."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… of user {self.user_id}>"


class SentReport(db.Model):
    """A unit's yearly report as sent up to the level above: the signed file, who sent it and when, and the day
    it was due then. A unit may send a corrected version; the latest one counts, and the earlier ones stay."""

    __table_args__ = (Index("ix_sent_report_year_unit", "year", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int]
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_file.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date | None]  # the day it was due when sent; None for reports sent before this was kept

    unit: Mapped[Unit] = relationship()
    file: Mapped[EvidenceFile] = relationship()
    sent_by: Mapped[User] = relationship()


class ReportReminder(db.Model):
    """A reminder e-mailed to a unit's admins, by an admin of the level above (or, with no one named, by the
    daily run of `flask lms reports remind`), that the unit has not yet sent its yearly report of `year`;
    kept so that a unit is not reminded again too soon."""

    __table_args__ = (Index("ix_report_reminder_year_unit", "year", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int]
    reminded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reminded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int]  # how many of the unit's admins were e-mailed


class ReportDeadline(db.Model):
    """The day by which the units directly under `unit` send it their yearly report of `year`, set by the
    unit's admins so that each level hears from the levels below before its own report is due. Without
    one, the installation's day (LMS_YEARLY_REPORT_DUE) holds."""

    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int]
    due_on: Mapped[date]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.db import db, utcnow
from lms.i18n import N_
from lms.orgs.models import Unit
from lms.vietnamese import clean_spaces, fold, name_key, sort_key

GENDERS = ("nam", "nu", "khac")
GENDER_LABELS = {"nam": N_("Nam"), "nu": N_("Nữ"), "khac": N_("Khác")}
# What a cadre does in volunteer work; the competency framework expects more of some roles.
SECRETARY, COORDINATOR, TEAM_LEADER = "secretary", "coordinator", "team_leader"
VOLUNTEER_ROLES = (SECRETARY, COORDINATOR, TEAM_LEADER)
VOLUNTEER_ROLE_LABELS = {SECRETARY: N_("Bí thư, chủ tịch hội (lãnh đạo đơn vị)"),
                         COORDINATOR: N_("Điều phối viên tình nguyện"),
                         TEAM_LEADER: N_("Đội trưởng đội hình, chủ nhiệm câu lạc bộ")}


def name_fields(full_name: str) -> dict[str, str]:
    """A person's name and the keys derived from it, for single objects and bulk inserts alike."""
    full_name = clean_spaces(full_name)
    return {"full_name": full_name, "name_key": name_key(full_name), "sort_key": sort_key(full_name),
            "name_folded": fold(full_name)}


class User(UserMixin, db.Model):
    __table_args__ = (Index("ix_user_unit_sort", "unit_id", "sort_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(160), index=True)
    sort_key: Mapped[str] = mapped_column(String(400), index=True)
    name_folded: Mapped[str] = mapped_column(String(120), default="")
    date_of_birth: Mapped[date | None]
    gender: Mapped[str | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    volunteer_role: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleAssignment.user_id",
    )

    @validates("full_name")
    def _derive_name_keys(self, _key, value: str) -> str:
        fields = name_fields(value)
        self.name_key, self.sort_key, self.name_folded = fields["name_key"], fields["sort_key"], fields["name_folded"]
        return fields["full_name"]

    @validates("email")
    def _lower_email(self, _key, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    @property
    def given_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1]

    @property
    def role_names(self) -> set[str]:
        return {assignment.role for assignment in self.roles}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.full_name}>"


class RoleAssignment(db.Model):
    """A role held over one unit and everything under it."""

    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship(lazy="joined")


class AuthToken(db.Model):
    """A one-time secret sent to a person: password reset or first activation. Only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ImportBatch(db.Model):
    """An uploaded list of cadres, validated and held until the admin confirms it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="preview")
    rows: Mapped[list] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    # Activation codes of the accounts created, kept in clear only until the admin downloads them once.
    issued_codes: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()


# The lists of people a download log records: the directory under its filters, a cohort's participants.
DIRECTORY_LIST, COHORT_ROSTER = "directory", "cohort_roster"


class DataDownload(db.Model):
    """A list of people someone downloaded: who, when, from where, which list of which unit, how many people.
    Kept so that a unit can say who took its cadres' personal data out of the application."""

    __table_args__ = (Index("ix_data_download_unit_at", "unit_id", "downloaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    downloaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    kind: Mapped[str] = mapped_column(String(20))  # DIRECTORY_LIST | COHORT_ROSTER
    # The unit whose people the list holds: the directory's unit filter (or the unit above everything the
    # person may see), the cohort's organising unit.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(200), default="")  # the cohort's title, for a roster
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # the directory's search and status filters
    file_format: Mapped[str] = mapped_column(String(5))
    people: Mapped[int]

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()

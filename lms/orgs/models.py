from datetime import datetime

from flask_babel import gettext
from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.db import db, utcnow
from lms.i18n import N_
from lms.vietnamese import clean_spaces, fold

AREA_FLAGS = ("is_mountainous", "is_ethnic_minority", "is_border", "is_island", "is_overseas")
# An area's name, translated where it is shown.
AREA_NAMES = {"is_mountainous": N_("Miền núi"), "is_ethnic_minority": N_("Vùng đồng bào dân tộc thiểu số"),
              "is_border": N_("Biên giới"), "is_island": N_("Hải đảo"), "is_overseas": N_("Ở nước ngoài")}


def area_name(flag: str) -> str:
    """The name of the area a flag of AREA_FLAGS marks, in the page's language."""
    return gettext(AREA_NAMES[flag])


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(default=0)


class UnitLevel(db.Model):
    """A tier of the tree. Tiers are data: a district tier is one more row with a rank between."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(unique=True)


class Unit(db.Model):
    """A unit of an organisation. `path` is the materialised path of ids, "/1/7/42/",
    so "every unit under U" is one indexed prefix query."""

    __table_args__ = (
        Index("ix_unit_path_prefix", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("unit_level.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), default="")
    path: Mapped[str] = mapped_column(String(400), default="")
    is_mountainous: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_ethnic_minority: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_border: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_island: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_overseas: Mapped[bool] = mapped_column(default=False, server_default=false())
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    level: Mapped[UnitLevel] = relationship(lazy="joined")
    parent: Mapped["Unit | None"] = relationship(remote_side=[id])

    @validates("name")
    def _fold_name(self, _key, value: str) -> str:
        value = clean_spaces(value)
        self.name_folded = fold(value)
        return value

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    @property
    def area_flags(self) -> list[str]:
        return [flag for flag in AREA_FLAGS if getattr(self, flag)]

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

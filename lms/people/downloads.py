"""The download log: each list of people taken out of the application as a file is written down, in the
request that serves it, and the admins of a unit read who took which list of their people and when."""
from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import contains_eager, joinedload

from lms.auth.permissions import in_scope, path_unit_id, scope_paths, top_paths
from lms.db import db, utcnow
from lms.paging import PAGE_SIZE, Page
from lms.orgs.models import Unit
from lms.people.models import COHORT_ROSTER, DataDownload, User
from lms.people.services import DirectoryFilter, directory_conditions

ACTION = "download.view"
MAX_PAGE = 100_000


def record(viewer: User, kind: str, people_by_unit: list[tuple[int, int]], file_format: str, *, title: str = "",
           filters: dict | None = None) -> None:
    """Write down that `viewer` downloaded a list holding, for each (unit id, people) pair, that many people
    of that unit (one entry per unit, so the admins of each read it), and commit it before the file is sent."""
    for unit_id, people in people_by_unit:
        db.session.add(DataDownload(user_id=viewer.id, kind=kind, unit_id=unit_id, people=people,
                                    file_format=file_format, title=title, filters=filters or {},
                                    remote_addr=request.remote_addr))
    db.session.commit()


def prune(days: int) -> int:
    """Remove the entries older than `days` days: one statement. Returns how many went."""
    if days < 1:
        raise ValueError(_("Nhật ký tải danh sách phải lưu các lượt tải ít nhất một ngày."))
    cutoff = utcnow() - timedelta(days=days)
    return db.session.execute(delete(DataDownload).where(DataDownload.downloaded_at < cutoff)).rowcount


def directory_units(viewer: User, filters: DirectoryFilter, people: int) -> list[tuple[int, int]]:
    """The units a directory file of `people` people is of, with how many of them each holds: its unit
    filter, or else each top unit of what `viewer` may see (counted in one grouped statement when there are
    several)."""
    if filters.unit is not None:
        return [(filters.unit.id, people)]
    roots = top_paths(scope_paths(viewer, "user.view"))
    if len(roots) < 2:
        return [(path_unit_id(path), people) for path in roots]
    root = case(*((Unit.path.startswith(path, autoescape=True), path_unit_id(path)) for path in roots))
    counts = dict(db.session.execute(select(root, func.count()).select_from(User).join(User.unit)
                                     .where(*directory_conditions(viewer, filters)).group_by(root)).all())
    return [(path_unit_id(path), counts.get(path_unit_id(path), 0)) for path in roots]


def log_page(viewer: User, number: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """One page of the downloads of lists of people of units in `viewer`'s scope, newest first."""
    number = min(max(1, number), MAX_PAGE)
    condition = in_scope(viewer, ACTION, Unit.path)
    total = db.session.scalar(select(func.count()).select_from(DataDownload).join(DataDownload.unit)
                              .where(condition))
    entries = db.session.scalars(
        select(DataDownload).join(DataDownload.unit).where(condition)
        .options(contains_eager(DataDownload.unit), joinedload(DataDownload.user))
        .order_by(DataDownload.downloaded_at.desc(), DataDownload.id.desc())
        .limit(per_page).offset((number - 1) * per_page)).all()
    return Page(entries, total, number, per_page)


def describe(entry: DataDownload) -> str:
    """Which list, in the reader's language: "Danh sách cán bộ (tìm “Hà”, đang hoạt động)"."""
    if entry.kind == COHORT_ROSTER:
        return _("Học viên của lớp “%(title)s”", title=entry.title)
    narrowed = []
    if entry.filters.get("q"):
        narrowed.append(_("tìm “%(query)s”", query=entry.filters["q"]))
    if entry.filters.get("status") == "active":
        narrowed.append(_("đang hoạt động"))
    elif entry.filters.get("status") == "inactive":
        narrowed.append(_("ngừng hoạt động"))
    if not narrowed:
        return _("Danh sách cán bộ")
    return _("Danh sách cán bộ (%(filters)s)", filters=", ".join(narrowed))


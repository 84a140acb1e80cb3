"""The directory as a file: every cadre the viewer may see under the directory's filters, as one report
table, so it downloads as .xlsx or .csv through the same helper as the report tables."""
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from lms.actions import RuleError
from lms.db import db
from lms.orgs.models import Unit
from lms.people.contact import display_phone
from lms.people.models import GENDER_LABELS, VOLUNTEER_ROLE_LABELS, User
from lms.people.services import DirectoryFilter, directory_conditions
from lms.reports.tables import DATE, Column, Table

# A file beyond this many people is no list anyone reads; a unit filter makes it smaller.
EXPORT_MAX_ROWS = 20_000


def directory_table(viewer: User, filters: DirectoryFilter) -> Table:
    """The people of the directory in its order, with what the onboarding file holds about them.
    Refuses (RuleError) a list longer than EXPORT_MAX_ROWS, saying how to narrow it."""
    rows = db.session.execute(
        select(User.full_name, User.date_of_birth, User.gender, User.ethnicity, Unit.name, Unit.code,
               User.position, User.volunteer_role, User.phone, User.email, User.is_active)
        .join(User.unit).where(*directory_conditions(viewer, filters))
        .order_by(User.sort_key, User.id).limit(EXPORT_MAX_ROWS + 1)).all()
    if len(rows) > EXPORT_MAX_ROWS:
        raise RuleError(_("Danh sách có hơn %(max)s cán bộ, quá dài để tải về một lần. Hãy thu hẹp danh sách "
                          "(chọn một đơn vị từ trang Đơn vị, hoặc lọc theo trạng thái) rồi tải lại.",
                          max=format_number(EXPORT_MAX_ROWS)))
    return Table("can-bo", _("Danh sách cán bộ"), _columns(), [_row(row) for row in rows])


def _columns() -> list[Column]:
    return [Column("full_name", _("Họ và tên")), Column("date_of_birth", _("Ngày sinh"), DATE),
            Column("gender", _("Giới tính")), Column("ethnicity", _("Dân tộc")),
            Column("unit", _("Đơn vị")), Column("unit_code", _("Mã đơn vị")),
            Column("position", _("Chức vụ")), Column("volunteer_role", _("Vai trò tình nguyện")),
            Column("phone", _("Điện thoại")), Column("email", _("E-mail")), Column("status", _("Trạng thái"))]


def _row(row) -> tuple:
    return (row.full_name, row.date_of_birth, _(GENDER_LABELS[row.gender]) if row.gender else "",
            row.ethnicity or "", row.name, row.code, row.position or "",
            _(VOLUNTEER_ROLE_LABELS[row.volunteer_role]) if row.volunteer_role else "",
            display_phone(row.phone) if row.phone else "", row.email or "",
            _("Đang hoạt động") if row.is_active else _("Ngừng hoạt động"))

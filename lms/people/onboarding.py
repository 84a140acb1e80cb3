"""Bulk onboarding of cadres from a spreadsheet: read, check, preview, then create every account at once.

Nothing touches the accounts until the admin confirms a file without a single error. The checks
against existing accounts are set-based (IN lists in chunks), and the accounts, their activation
codes and their learner roles are bulk inserts, so a file of thousands of rows takes seconds.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_number, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.auth.permissions import Role, can, in_scope
from lms.auth.services import ACTIVATION, activation_token_row, new_secret
from lms.db import db, utcnow
from lms.orgs.models import Unit
from lms.people.contact import display_phone, normalise_email, normalise_phone
from lms.people.ethnicities import ETHNICITIES, canonical_ethnicity
from lms.people.models import (
    COORDINATOR, GENDER_LABELS, SECRETARY, TEAM_LEADER, AuthToken, ImportBatch, RoleAssignment, User, name_fields)
from lms.vietnamese import clean_spaces, fold, name_key, sort_key

MAX_ROWS = 10_000
CHUNK = 500
NAME_MAX = 120
POSITION_MAX = 120
PREVIEW, COMMITTED = "preview", "committed"
# The template's example row carries this address, so a file that still holds it is caught.
EXAMPLE_EMAIL = "vi.du@example.org"
# Rows searched for the header line, above which a list often has a title.
_HEADER_SEARCH = 10


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    width: int = 16
    required: bool = True  # the header line must have it (its cells may still be empty)


COLUMNS = (
    Column("full_name", "Họ và tên", ("Họ tên", "Họ và tên cán bộ"), 28),
    Column("date_of_birth", "Ngày sinh", ("Ngày tháng năm sinh",), 13),
    Column("gender", "Giới tính", (), 10),
    Column("ethnicity", "Dân tộc", (), 14),
    Column("phone", "Số điện thoại", ("Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động"), 16),
    Column("email", "E-mail", ("Thư điện tử", "Địa chỉ e-mail"), 30),
    Column("unit_code", "Mã đơn vị", (), 26),
    Column("position", "Chức vụ", (), 32),
    Column("volunteer_role", "Vai trò tình nguyện", ("Vai trò trong công tác tình nguyện",), 26, required=False),
)
# What may be written in the volunteer-role column (compared without accents or case).
VOLUNTEER_ROLE_WORDS = {
    "Bí thư": SECRETARY, "Chủ tịch hội": SECRETARY, "Lãnh đạo đơn vị": SECRETARY,
    "Điều phối viên": COORDINATOR,
    "Đội trưởng": TEAM_LEADER, "Chủ nhiệm câu lạc bộ": TEAM_LEADER, "Chủ nhiệm CLB": TEAM_LEADER,
}
_VOLUNTEER_ROLES_FOLDED = {fold(word): role for word, role in VOLUNTEER_ROLE_WORDS.items()}

_MESSAGES = {
    "missing_name": _l("Thiếu họ và tên."),
    "name_too_long": _l("Họ và tên dài quá %(max)d ký tự."),
    "bad_name": _l("Họ và tên “%(value)s” phải bắt đầu bằng chữ cái."),
    "bad_date": _l("Ngày sinh “%(value)s” không hợp lệ (định dạng ngày/tháng/năm)."),
    "future_date": _l("Ngày sinh “%(value)s” ở sau ngày hôm nay."),
    "bad_gender": _l("Giới tính “%(value)s” không hợp lệ; hãy ghi Nam, Nữ hoặc Khác."),
    "bad_ethnicity": _l("Dân tộc “%(value)s” không có trong danh mục 54 dân tộc Việt Nam."),
    "bad_phone": _l("Số điện thoại “%(value)s” không hợp lệ."),
    "bad_email": _l("E-mail “%(value)s” không hợp lệ."),
    "no_contact": _l("Cần có số điện thoại hoặc e-mail để người này đăng nhập."),
    "missing_unit": _l("Thiếu mã đơn vị."),
    "unknown_unit": _l("Không có đơn vị mã “%(value)s”."),
    "closed_unit": _l("Đơn vị “%(name)s” đã giải thể."),
    "out_of_scope": _l("Đơn vị “%(name)s” nằm ngoài phạm vi bạn quản lý."),
    "position_too_long": _l("Chức vụ dài quá %(max)d ký tự."),
    "bad_volunteer_role": _l("Vai trò tình nguyện “%(value)s” không hợp lệ; hãy ghi Bí thư, Điều phối viên, "
                             "Đội trưởng hoặc để trống."),
    "example_row": _l("Đây là dòng ví dụ của tệp mẫu; hãy xóa dòng này."),
    "email_in_file": _l("Trùng e-mail với dòng %(line)d trong tệp."),
    "phone_in_file": _l("Trùng số điện thoại với dòng %(line)d trong tệp."),
    "person_in_file": _l("Trùng người với dòng %(line)d (cùng họ tên và ngày sinh)."),
    "email_taken": _l("E-mail đã có tài khoản trong hệ thống."),
    "phone_taken": _l("Số điện thoại đã có tài khoản trong hệ thống."),
    "person_exists": _l("Đã có cán bộ cùng họ tên và ngày sinh trong đơn vị “%(name)s”."),
    "person_exists_elsewhere": _l("Đã có cán bộ cùng họ tên và ngày sinh ở một đơn vị ngoài phạm vi bạn quản lý."),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be used; the message is for the user."""


def describe(error: dict) -> str:
    """The user's wording of one row problem, kept as a code so it follows the interface language."""
    params = {key: value for key, value in error.items() if key != "code"}
    text = str(_MESSAGES[error["code"]])
    return text % params if params else text


# --- Reading the file -------------------------------------------------------------------------

def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(re.sub(r"\(.*?\)", "", text)))


_HEADERS = {_header_key(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_spaces(str(value))


def _header_mapping(cells) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADERS.get(_header_key(_cell_text(cell)))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _find_header(lines) -> tuple[bool, dict[str, int]]:
    """Consume `lines` up to the header line. Returns whether the table has any content, and the
    header found: complete, or else the line that came closest."""
    best: dict[str, int] = {}
    seen = 0
    for _line, cells in lines:
        if _is_blank(cells):
            continue
        seen += 1
        mapping = _header_mapping(cells)
        if all(column.key in mapping for column in COLUMNS if column.required):
            return True, mapping
        best = max(best, mapping, key=len)
        if seen == _HEADER_SEARCH:
            break
    return seen > 0, best


def _data_rows(lines, mapping: dict[str, int]) -> list[tuple[int, dict]]:
    rows = []
    for line, cells in lines:
        if _is_blank(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(_("Tệp có hơn %(max)s dòng cán bộ. Hãy chia thành nhiều tệp, mỗi tệp "
                                    "không quá %(max)s dòng.", max=format_number(MAX_ROWS)))
        rows.append((line, {key: cells[index] if index < len(cells) else None for key, index in mapping.items()}))
    return rows


def _read_table(tables) -> list[tuple[int, dict]]:
    """Rows of the first table (sheet) that has the header line, as (line number, {column: value})."""
    best: dict[str, int] = {}
    has_content = False
    for lines in tables:
        lines = iter(lines)
        content, mapping = _find_header(lines)
        if all(column.key in mapping for column in COLUMNS if column.required):
            rows = _data_rows(lines, mapping)
            if not rows:
                raise ImportFileError(_("Tệp chỉ có dòng tiêu đề, chưa có cán bộ nào."))
            return rows
        has_content = has_content or content
        best = max(best, mapping, key=len)
    if not has_content:
        raise ImportFileError(_("Tệp trống."))
    if not best:
        raise ImportFileError(_("Không tìm thấy dòng tiêu đề (Họ và tên, Ngày sinh, …). Hãy dùng tệp mẫu."))
    missing = ", ".join(column.header for column in COLUMNS if column.required and column.key not in best)
    raise ImportFileError(_("Tệp thiếu cột: %(columns)s. Hãy dùng đúng dòng tiêu đề của tệp mẫu.",
                            columns=missing))


def _xlsx_tables(data: bytes):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # whatever stops the reader means the file is not a usable workbook
        raise ImportFileError(_("Không đọc được tệp: đây không phải tệp Excel .xlsx hợp lệ. Nếu là tệp "
                                 ".xls cũ, hãy mở bằng Excel và lưu lại dưới dạng .xlsx.")) from None
    try:
        return _read_table(enumerate(sheet.iter_rows(values_only=True), start=1)
                           for sheet in workbook.worksheets)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("Không đọc được tệp: nội dung tệp Excel bị hỏng.")) from None
    finally:
        workbook.close()


def _csv_tables(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Tệp CSV không ở mã UTF-8. Trong Excel, hãy chọn “Lưu thành” → "
                                 "“CSV UTF-8 (phân cách bằng dấu phẩy)”.")) from None
    sample = "\n".join([line for line in text.splitlines() if line.strip()][:_HEADER_SEARCH])
    delimiter = max((",", ";", "\t"), key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _read_table([enumerate(reader, start=1)])


def read_file(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """The cadres listed in an .xlsx or .csv file, each with its line number in the file."""
    if not data.strip():
        raise ImportFileError(_("Tệp trống."))
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _xlsx_tables(data)
    return _csv_tables(data)


# --- Checking one row -------------------------------------------------------------------------

_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00)?)?")


def _parse_date(text: str) -> date | None:
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth_date(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, None
    value = raw.date() if isinstance(raw, datetime) else raw if isinstance(raw, date) else _parse_date(text)
    if value is None or value.year < 1900:
        return None, {"code": "bad_date", "value": text}
    if value > date.today():
        return None, {"code": "future_date", "value": text}
    return value.isoformat(), None


def _full_name(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, {"code": "missing_name"}
    if len(text) > NAME_MAX:
        return None, {"code": "name_too_long", "max": NAME_MAX}
    if not text[0].isalpha():
        return None, {"code": "bad_name", "value": text}
    # A name typed all in capitals (or all in small letters) is written the usual way.
    return (text.title() if text.isupper() or text.islower() else text), None


def _gender(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, None
    value = fold(text)
    return (value, None) if value in GENDER_LABELS else (None, {"code": "bad_gender", "value": text})


def _ethnicity(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, None
    value = canonical_ethnicity(text)
    return (value, None) if value else (None, {"code": "bad_ethnicity", "value": text})


def _contact(raw, normalise, code: str) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, None
    value = normalise(text)
    return (value, None) if value else (None, {"code": code, "value": text})


def _unit_code(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw).replace(" ", "")
    return (text, None) if text else (None, {"code": "missing_unit"})


def _position(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if len(text) > POSITION_MAX:
        return None, {"code": "position_too_long", "max": POSITION_MAX}
    return text or None, None


def _volunteer_role(raw) -> tuple[str | None, dict | None]:
    text = _cell_text(raw)
    if not text:
        return None, None
    role = _VOLUNTEER_ROLES_FOLDED.get(fold(text))
    return (role, None) if role else (None, {"code": "bad_volunteer_role", "value": text})


def check_row(line: int, values: dict) -> dict:
    """One row as stored in the batch: what the file said, the clean values, and its problems."""
    checks = {
        "full_name": _full_name(values.get("full_name")),
        "date_of_birth": _birth_date(values.get("date_of_birth")),
        "gender": _gender(values.get("gender")),
        "ethnicity": _ethnicity(values.get("ethnicity")),
        "phone": _contact(values.get("phone"), normalise_phone, "bad_phone"),
        "email": _contact(values.get("email"), normalise_email, "bad_email"),
        "unit_code": _unit_code(values.get("unit_code")),
        "position": _position(values.get("position")),
        "volunteer_role": _volunteer_role(values.get("volunteer_role")),
    }
    data = {key: value for key, (value, _error) in checks.items()}
    errors = [error for _value, error in checks.values() if error]
    shown = {column.key: _cell_text(values.get(column.key)) for column in COLUMNS}
    if not shown["phone"] and not shown["email"]:
        errors.append({"code": "no_contact"})
    if data["email"] == EXAMPLE_EMAIL:
        errors.append({"code": "example_row"})
    return {"line": line, "shown": shown, "data": data, "errors": errors}


def _person_key(data: dict) -> tuple[str, str] | None:
    if not data["full_name"] or not data["date_of_birth"]:
        return None
    return name_key(data["full_name"]), data["date_of_birth"]


def mark_duplicates_in_file(rows: list[dict]) -> None:
    """A later row repeating an e-mail, a phone or a person (name and birth date) of an earlier one."""
    first: dict[tuple, int] = {}
    for row in rows:
        data = row["data"]
        for code, key in (("email_in_file", data["email"]), ("phone_in_file", data["phone"]),
                          ("person_in_file", _person_key(data))):
            if key is None:
                continue
            if (code, key) in first:
                row["errors"].append({"code": code, "line": first[(code, key)]})
            else:
                first[(code, key)] = row["line"]


# --- Checking against the database ------------------------------------------------------------

def _chunked(values) -> list[list]:
    values = sorted(values)
    return [values[start:start + CHUNK] for start in range(0, len(values), CHUNK)]


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    found = {}
    for chunk in _chunked(codes):
        for unit in db.session.scalars(select(Unit).where(func.lower(Unit.code).in_(chunk))):
            found[unit.code.lower()] = unit
    return found


def _taken(column, values: set[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunked(values):
        taken.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return taken


def _existing_people(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Unit]:
    """The unit of each existing account with one of these (name key, ISO birth date) pairs."""
    matches: dict[tuple[str, str], int] = {}
    for chunk in _chunked({key for key, _born in keys}):
        query = select(User.name_key, User.date_of_birth, User.unit_id).where(
            User.name_key.in_(chunk), User.date_of_birth.is_not(None))
        for key, born, unit_id in db.session.execute(query):
            if (key, born.isoformat()) in keys:
                matches[(key, born.isoformat())] = unit_id
    units = {}
    for chunk in _chunked(set(matches.values())):
        units.update({unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(chunk)))})
    return {key: units[unit_id] for key, unit_id in matches.items()}


def _unit_error(code: str, unit: Unit | None, user) -> dict | None:
    if unit is None:
        return {"code": "unknown_unit", "value": code}
    if not unit.is_open:
        return {"code": "closed_unit", "name": unit.name}
    if not can(user, "user.import", unit):
        return {"code": "out_of_scope", "name": unit.name}
    return None


def _person_error(unit: Unit, user) -> dict:
    if can(user, "user.view", unit):
        return {"code": "person_exists", "name": unit.name}
    return {"code": "person_exists_elsewhere"}


def check_database(rows: list[dict], user) -> dict[str, Unit]:
    """Add the problems only the database can tell: units, and accounts that already exist.
    A few set-based queries for the whole file; returns the units found, by lower-case code."""
    datas = [row["data"] for row in rows]
    units = _units_by_code({d["unit_code"].lower() for d in datas if d["unit_code"]})
    emails = _taken(User.email, {d["email"] for d in datas if d["email"]})
    phones = _taken(User.phone, {d["phone"] for d in datas if d["phone"]})
    people = _existing_people({key for key in map(_person_key, datas) if key})
    for row in rows:
        data, errors = row["data"], row["errors"]
        if data["unit_code"]:
            unit = units.get(data["unit_code"].lower())
            row["unit_name"] = unit.name if unit else None
            if error := _unit_error(data["unit_code"], unit, user):
                errors.append(error)
        if data["email"] in emails:
            errors.append({"code": "email_taken"})
        if data["phone"] in phones:
            errors.append({"code": "phone_taken"})
        if (key := _person_key(data)) in people:
            errors.append(_person_error(people[key], user))
    return units


# --- Preview and commit -----------------------------------------------------------------------

def _error_count(rows: list[dict]) -> int:
    return sum(1 for row in rows if row["errors"])


def preview(filename: str, data: bytes, user) -> ImportBatch:
    """Read and check a file, and keep it as a batch awaiting confirmation. Creates no account."""
    rows = [check_row(line, values) for line, values in read_file(filename, data)]
    mark_duplicates_in_file(rows)
    check_database(rows, user)
    batch = ImportBatch(created_by_id=user.id, filename=(filename or "")[:255], rows=rows,
                        error_count=_error_count(rows), status=PREVIEW)
    db.session.add(batch)
    db.session.commit()
    return batch


def batch_of(batch_id: int, user) -> ImportBatch | None:
    """The batch, if `user` uploaded it; nobody else may see it."""
    batch = db.session.get(ImportBatch, batch_id)
    return batch if batch is not None and batch.created_by_id == user.id else None


def recent_batches(user, limit: int = 10) -> list:
    return db.session.execute(
        select(ImportBatch.id, ImportBatch.filename, ImportBatch.status, ImportBatch.error_count,
               ImportBatch.created_count, ImportBatch.created_at, ImportBatch.committed_at)
        .where(ImportBatch.created_by_id == user.id)
        .order_by(ImportBatch.id.desc()).limit(limit)).all()


@dataclass
class CommitResult:
    outcome: str  # "created", "already", "has_errors" or "conflicts"
    count: int = 0


def commit(batch: ImportBatch, user) -> CommitResult:
    """Create every account of a clean batch, or none. Checks the database again first: an account
    may have been created, or a unit closed, since the preview."""
    if batch.created_by_id != user.id:
        raise PermissionError("only the admin who uploaded a batch may confirm it")
    if batch.status != PREVIEW:
        return CommitResult("already")
    if batch.error_count:
        return CommitResult("has_errors", batch.error_count)
    batch_id = batch.id
    claimed = db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == PREVIEW)
        .values(status=COMMITTED, committed_at=utcnow())).rowcount
    if not claimed:
        db.session.rollback()
        return CommitResult("already")
    rows = [{**row, "errors": []} for row in batch.rows]
    units = check_database(rows, user)
    if _error_count(rows):
        return _keep_conflicts(batch_id, rows)
    try:
        codes = _create_accounts(rows, units, user)
        batch.issued_codes, batch.created_count = codes, len(codes)
        db.session.commit()
    except IntegrityError:
        # Someone created a clashing account between our check and our insert.
        db.session.rollback()
        rows = [{**row, "errors": []} for row in rows]
        check_database(rows, user)
        return _keep_conflicts(batch_id, rows)
    return CommitResult("created", len(codes))


def _keep_conflicts(batch_id: int, rows: list[dict]) -> CommitResult:
    """Undo the claim and store the new problems on the batch, which stays a preview."""
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    batch.rows, batch.error_count = rows, _error_count(rows)
    db.session.commit()
    return CommitResult("conflicts", batch.error_count)


def _create_accounts(rows: list[dict], units: dict[str, Unit], user) -> list[dict]:
    """Bulk insert of the accounts, one activation code each, and their learner role."""
    accounts = [_account_values(row["data"], units[row["data"]["unit_code"].lower()]) for row in rows]
    # Table-level inserts: every dict has the same keys, so each is one multi-row statement per page.
    # Every account has a unique e-mail or phone, which matches the returned ids to the rows without
    # asking the database to keep the order (that would insert one row at a time on some engines).
    users = User.__table__
    created = db.session.execute(insert(users).returning(users.c.id, users.c.email, users.c.phone), accounts)
    id_by_contact = {email or phone: user_id for user_id, email, phone in created}
    ids = [id_by_contact[account["email"] or account["phone"]] for account in accounts]
    secrets = [new_secret(ACTIVATION) for _ in ids]
    tokens = [activation_token_row(user_id, secret) for user_id, secret in zip(ids, secrets)]
    db.session.execute(insert(AuthToken.__table__), tokens)
    db.session.execute(insert(RoleAssignment.__table__), [
        {"user_id": user_id, "role": Role.LEARNER.value, "unit_id": account["unit_id"],
         "granted_by_id": user.id, "created_at": utcnow()}
        for user_id, account in zip(ids, accounts)])
    names = {unit.id: unit.name for unit in units.values()}
    return [{"full_name": account["full_name"], "unit": names[account["unit_id"]], "email": account["email"],
             "phone": account["phone"], "code": secret, "expires_at": token["expires_at"].isoformat()}
            for account, secret, token in zip(accounts, secrets, tokens)]


def _account_values(data: dict, unit: Unit) -> dict:
    born = data["date_of_birth"]
    return {
        **name_fields(data["full_name"]),
        "date_of_birth": date.fromisoformat(born) if born else None, "gender": data["gender"],
        "ethnicity": data["ethnicity"], "phone": data["phone"], "email": data["email"], "unit_id": unit.id,
        "position": data["position"], "volunteer_role": data.get("volunteer_role"), "password_hash": None,
        "is_active": True, "created_at": utcnow(),
    }


def take_codes(batch: ImportBatch) -> list[dict] | None:
    """The clear activation codes, handed out once: after this call they are gone."""
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.id == batch.id).with_for_update()
                              .execution_options(populate_existing=True))
    codes = batch.issued_codes
    if not codes:
        return None
    batch.issued_codes = None
    db.session.commit()
    return codes


def units_in_scope(user) -> list[Unit]:
    """Open units the user may import into, for the template's list of codes."""
    return list(db.session.scalars(
        select(Unit).where(in_scope(user, "user.import"), Unit.closed_at.is_(None)).order_by(Unit.path)))


# --- Spreadsheets handed to the admin ----------------------------------------------------------

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEMPLATE_ROWS = MAX_ROWS + 1


def _table_sheet(sheet, headers: list[tuple[str, int]]) -> None:
    """Bold, frozen header line and readable column widths."""
    sheet.append([header for header, _width in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _append_plain(sheet, line: int, values: list) -> None:
    """Append row `line`; text that starts with "=" stays text, never a formula."""
    sheet.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith("="):
            sheet.cell(row=line, column=column).data_type = "s"


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example_row(units: list[Unit]) -> list:
    return ["Nguyễn Thị Mai", date(1998, 3, 15), "Nữ", "Kinh", "0912345678", EXAMPLE_EMAIL,
            units[0].code if units else "", "Bí thư Chi đoàn", "Bí thư"]


def _add_choice(sheet, column: str, formula: str) -> None:
    """A drop-down of suggested values; other values may still be typed and are checked on upload."""
    choice = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    sheet.add_data_validation(choice)
    choice.add(f"{column}2:{column}{_TEMPLATE_ROWS}")


def template_workbook(user) -> bytes:
    """The list to fill in: the header line, one example row, and the allowed values beside it."""
    units = units_in_scope(user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách cán bộ"
    _table_sheet(sheet, [(column.header, column.width) for column in COLUMNS])
    sheet.append(_example_row(units))
    sheet["B2"].number_format = "DD/MM/YYYY"
    sheet["E2"].number_format = "@"
    lists = workbook.create_sheet("Danh mục")
    _table_sheet(lists, [("Mã đơn vị", 26), ("Tên đơn vị", 44), ("", 4), ("Giới tính", 12), ("Dân tộc", 18),
                         ("Vai trò tình nguyện", 24)])
    genders, roles = list(GENDER_LABELS.values()), list(VOLUNTEER_ROLE_WORDS)
    for index in range(max(len(units), len(ETHNICITIES))):
        unit = units[index] if index < len(units) else None
        _append_plain(lists, index + 2, [unit.code if unit else None, unit.name if unit else None, None,
                                         genders[index] if index < len(genders) else None,
                                         ETHNICITIES[index] if index < len(ETHNICITIES) else None,
                                         roles[index] if index < len(roles) else None])
    _add_choice(sheet, "C", f"'Danh mục'!$D$2:$D${len(GENDER_LABELS) + 1}")
    _add_choice(sheet, "D", f"'Danh mục'!$E$2:$E${len(ETHNICITIES) + 1}")
    _add_choice(sheet, "I", f"'Danh mục'!$F$2:$F${len(roles) + 1}")
    if units:
        _add_choice(sheet, "G", f"'Danh mục'!$A$2:$A${len(units) + 1}")
    return _saved(workbook)


def code_sheet(codes: list[dict], sign_in_url: str) -> bytes:
    """Activation codes to hand to each person, by unit then name, with how to sign in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mã kích hoạt"
    _table_sheet(sheet, [("Họ và tên", 28), ("Đơn vị", 36), ("E-mail", 30), ("Số điện thoại", 16),
                         ("Mã kích hoạt", 16), ("Hạn dùng", 18)])
    ordered = sorted(codes, key=lambda e: (fold(e["unit"]), sort_key(e["full_name"])))
    for line, entry in enumerate(ordered, start=2):
        expires = to_user_timezone(datetime.fromisoformat(entry["expires_at"])).replace(tzinfo=None)
        _append_plain(sheet, line, [entry["full_name"], entry["unit"], entry["email"],
                                    display_phone(entry["phone"]), entry["code"], expires])
        sheet.cell(row=line, column=6).number_format = "DD/MM/YYYY HH:MM"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 100
    for text in (_("Cách đăng nhập lần đầu"),
                 _("1. Mở %(url)s", url=sign_in_url),
                 _("2. Nhập e-mail hoặc số điện thoại của bạn, và mã kích hoạt thay cho mật khẩu."),
                 _("3. Đặt mật khẩu riêng của bạn. Mã kích hoạt chỉ dùng được một lần, trước hạn dùng."),
                 _("Hãy trao mã tận tay từng người và không gửi cả danh sách này cho người khác.")):
        guide.append([text])
    guide["A1"].font = Font(bold=True)
    return _saved(workbook)

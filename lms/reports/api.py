"""The JSON API under /api/v1: units, courses and every report table, read with a personal token.

Data endpoints answer only to `Authorization: Bearer <token>` (never to the session cookie), are
GET-only, and are scoped exactly like the report pages through the "report.view" permission: a token
acts as its user with the roles the user holds at the moment of the call. The page where a person
manages their tokens (/api/v1/tokens) is an ordinary signed-in HTML page with CSRF-protected forms.
The OpenAPI document (/api/v1/openapi.json) is built below from the same constants the views use.
"""
import json
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.auth.permissions import scope_paths, scope_required, top_paths
from lms.courses.models import ACTIVE, PUBLISHED, Course, Lesson, Module
from lms.db import MAX_ID, db, get_by_id, id_in_path, utcnow
from lms.errors import ExplainedBadRequest
from lms.forms import ActionForm, ChoiceField, choices
from lms.i18n import local_today
from lms.orgs.models import AREA_FLAGS, Unit
from lms.reports import api_tokens, dashboard, metrics, sending
from lms.reports.tables import CODE, DATE, INT, PERCENT, TEXT, Table
from lms.years import FIRST_YEAR, year_from_arg

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ACTION = "report.view"
PER_PAGE_DEFAULT, PER_PAGE_MAX = 50, 200
PAGE_MAX = 100_000


# --- answers -------------------------------------------------------------------------------------

class ApiError(Exception):
    """Stops an API request with a JSON answer {"error": Vietnamese message, "code": English code}."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def _json(data, status: int = 200, headers: dict | None = None):
    """A JSON answer with Vietnamese kept readable (not \\u-escaped) and fields in their written order."""
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, default=_plain) + "\n",
                                          status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _plain(value):
    """JSON for the values report tables and summaries hold besides numbers and text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# The WWW-Authenticate header of a 401 (RFC 6750: no error named when no token was sent at all).
_CHALLENGES = {api_tokens.MISSING: 'Bearer realm="lms"',
               api_tokens.MALFORMED: 'Bearer realm="lms", error="invalid_request"'}


@bp.errorhandler(ApiError)
def _answer_error(error: ApiError):
    body = {"error": error.message, "code": error.code}
    if error.parameter:
        body["parameter"] = error.parameter
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = _CHALLENGES.get(error.code, 'Bearer realm="lms", error="invalid_token"')
    return _json(body, error.status, headers)


@bp.app_errorhandler(MethodNotAllowed)
def _method_not_allowed(error: MethodNotAllowed):
    """A method the API does not take answers in JSON too (routing fails before the blueprint is known,
    hence a handler for the whole application that leaves other pages to Flask)."""
    if not _is_api_path(request.path):
        return error
    return _path_or_method_refused()


def _is_api_path(path: str) -> bool:
    """/api/v1 itself, with or without its slash, or anything under it."""
    return path == bp.url_prefix or path.startswith(f"{bp.url_prefix}/")


# Every method a client may send: what an endpoint may serve at a path.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _path_or_method_refused():
    """The answer to a request under /api/v1 that no endpoint serves: 405 when an endpoint serves its path
    with other methods (named in the Allow header), else 404, whatever the method."""
    allowed = _methods_served_at_path()
    if not allowed:
        return _answer_error(ApiError(404, "not_found", _("Không có địa chỉ này trong API.")))
    return _json({"error": _("Địa chỉ này không nhận phương thức %(method)s.", method=request.method),
                  "code": "method_not_allowed"}, 405, {"Allow": ", ".join(sorted(allowed))})


def _methods_served_at_path() -> set[str]:
    """The methods an endpoint other than the catch-all (not_found below) serves at the request's path."""
    adapter = current_app.create_url_adapter(request)
    served = set()
    for method in METHODS:
        try:
            rule, _arguments = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint != f"{bp.name}.{not_found.__name__}":
            served.add(method)
    return served


def _unauthorised(code: str) -> ApiError:
    messages = {
        api_tokens.MISSING: _("Thiếu mã truy cập. Hãy gửi tiêu đề “Authorization: Bearer <mã truy cập>”."),
        api_tokens.MALFORMED: _("Tiêu đề Authorization phải có dạng “Bearer <mã truy cập>”."),
        api_tokens.INVALID: _("Mã truy cập không đúng hoặc đã bị thu hồi."),
        api_tokens.EXPIRED: _("Mã truy cập đã hết hạn. Hãy tạo mã mới."),
        api_tokens.INACTIVE: _("Tài khoản gắn với mã truy cập này đã ngừng hoạt động."),
    }
    return ApiError(401, code, messages[code])


def token_required(view):
    """A data endpoint: the bearer token names the user, who must hold "report.view" somewhere."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        result = api_tokens.authenticate(request.headers.get("Authorization"))
        if result.user is None:
            raise _unauthorised(result.error)
        g.api_scope = scope_paths(result.user, ACTION)
        if not g.api_scope:
            raise ApiError(403, "no_report_scope", _("Tài khoản này không có quyền xem báo cáo."))
        return view(*args, **kwargs)

    return wrapper


def _int_arg(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    """A whole-number query parameter within [minimum, maximum]; anything else is a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and len(raw) <= 12 and minimum <= int(raw) <= maximum:
        return int(raw)
    raise ApiError(400, "invalid_parameter",
                   _("Tham số “%(name)s” phải là số nguyên từ %(min)s đến %(max)s.",
                     name=name, min=minimum, max=maximum), parameter=name)


def _year() -> int:
    """?year=, read as the report pages read it (this year when absent); a bad one is a 400 naming it."""
    try:
        return year_from_arg(request.args.get("year"), dashboard.report_years())
    except ExplainedBadRequest as error:
        raise ApiError(400, "invalid_parameter", error.description, parameter="year") from None


def _in_scope(unit: Unit) -> bool:
    return any(unit.path.startswith(path) for path in g.api_scope)


def _unit_or_error(unit_id: int | None) -> Unit:
    """The unit the URL names: 404 when there is none (or the URL holds no id), 403 when it lies outside
    the token's scope. Ids in API paths are read by id_in_path() rather than by the `id` URL converter,
    which takes the same ids, so that a path holding no id answers in JSON too."""
    unit = get_by_id(Unit, unit_id)
    if unit is None:
        raise ApiError(404, "unit_not_found", _("Không tìm thấy đơn vị."))
    if not _in_scope(unit):
        raise ApiError(403, "out_of_scope", _("Đơn vị này nằm ngoài phạm vi bạn được xem báo cáo."))
    return unit


# --- shapes ---------------------------------------------------------------------------------------

def _unit_json(unit: Unit, child_count: int | None = None) -> dict:
    data = {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "level": {"code": unit.level.code, "name": unit.level.name, "name_en": unit.level.name_en,
                  "rank": unit.level.rank},
        "organisation": {"code": unit.organisation.code, "name": unit.organisation.name,
                         "short_name": unit.organisation.short_name},
        "parent_id": unit.parent_id,
        "path": unit.path,
        **{flag: bool(getattr(unit, flag)) for flag in AREA_FLAGS},
        "is_open": unit.is_open,
    }
    if child_count is not None:
        data["child_count"] = child_count
    return data


def _child_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(select(Unit.parent_id, func.count()).where(Unit.parent_id.in_(ids))
                              .group_by(Unit.parent_id))
    return dict(rows.all())


def _cell(value, kind: str):
    if value is None:
        return None
    if kind == DATE and isinstance(value, (date, datetime)):
        return value.isoformat()
    if kind == INT:
        return int(value)
    if kind == PERCENT:
        return round(float(value), 1)
    return value if isinstance(value, (str, int, float)) else str(value)


def _table_json(table: Table) -> dict:
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
        "rows": [{c.key: _cell(value, c.kind) for c, value in zip(table.columns, row)} for row in table.rows],
        "row_units": list(table.row_units) if table.row_units else [None] * len(table.rows),
        "note": str(table.note or ""),
    }


# --- data endpoints --------------------------------------------------------------------------------

@bp.get("/units")
@token_required
def units():
    page = _int_arg("page", 1, 1, PAGE_MAX)
    per_page = _int_arg("per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX)
    parent_id = _int_arg("parent", None, 1, MAX_ID)
    if parent_id is None:
        condition = Unit.path.in_(top_paths(g.api_scope))
    else:
        condition = Unit.parent_id == _unit_or_error(parent_id).id
    total = db.session.scalar(select(func.count()).select_from(Unit).where(condition))
    found = list(db.session.scalars(select(Unit).where(condition).order_by(Unit.name_folded, Unit.id)
                                    .offset((page - 1) * per_page).limit(per_page)))
    counts = _child_counts([unit.id for unit in found])
    return _json({
        "items": [_unit_json(unit, counts.get(unit.id, 0)) for unit in found],
        "total": total, "page": page, "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
    })


@bp.get("/units/<unit_id>")
@token_required
def unit(unit_id: str):
    node = _unit_or_error(id_in_path(unit_id))
    return _json(_unit_json(node, _child_counts([node.id]).get(node.id, 0)))


@bp.get("/courses")
@token_required
def courses():
    modules = (select(Module.course_id, func.count(Module.id).label("n")).where(Module.status == ACTIVE)
               .group_by(Module.course_id).subquery())
    lessons = (select(Module.course_id, func.count(Lesson.id).label("n")).join(Lesson, Lesson.module_id == Module.id)
               .where(Module.status == ACTIVE, Lesson.status == ACTIVE).group_by(Module.course_id).subquery())
    rows = db.session.execute(
        select(Course.id, Course.slug, Course.title, Course.version,
               func.coalesce(modules.c.n, 0), func.coalesce(lessons.c.n, 0))
        .outerjoin(modules, modules.c.course_id == Course.id)
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .where(Course.status == PUBLISHED).order_by(Course.title_folded, Course.id)).all()
    items = [{"id": r[0], "slug": r[1], "title": r[2], "version": r[3], "modules": r[4], "lessons": r[5]}
             for r in rows]
    return _json({"items": items, "total": len(items)})


@bp.get("/units/<unit_id>/reports/<key>")
@token_required
def report(unit_id: str, key: str):
    year = _year()
    node = _unit_or_error(id_in_path(unit_id))
    build = metrics.TABLES.get(key)
    if build is None:
        raise ApiError(404, "report_not_found", _("Không có báo cáo “%(key)s”.", key=key))
    table = _table_json(build(node, year))
    return _json({"key": table.pop("key"), "title": table.pop("title"), "year": year, "unit": _unit_json(node),
                  **table})


@bp.get("/units/<unit_id>/summary")
@token_required
def summary(unit_id: str):
    year = _year()
    node = _unit_or_error(id_in_path(unit_id))
    figures = metrics.summary(node, year)
    return _json({"year": year, "unit": _unit_json(node), "summary": figures,
                  "labels": {key: metrics.summary_label(key) for key in figures}})


@bp.get("/openapi.json")
def openapi():
    return _json(openapi_document())


# /api/v1 without its slash has a rule of its own, lest werkzeug redirect it (in HTML) to the root, which serves
# nothing; neither rule holds `defaults`, which would redirect one to the other. None answers OPTIONS by itself
# (Flask's 200 would say the path exists): OPTIONS on a path that names nothing is a 404 like any other method.
@bp.get("", provide_automatic_options=False)
@bp.get("/", provide_automatic_options=False)
@bp.get("/<path:rest>", provide_automatic_options=False)
def not_found(rest: str = ""):
    """Anything else under /api/v1 (a mistyped path, an id that is no id, the API's root) answers in JSON too,
    whatever the method; a GET to the path of an endpoint that takes other methods only is a 405."""
    return _path_or_method_refused()


# --- the token page -------------------------------------------------------------------------------

class TokenForm(FlaskForm):
    name = StringField(_l("Tên mã (để bạn nhận ra nơi dùng)"), validators=[
        DataRequired(_l("Hãy đặt tên cho mã truy cập.")),
        Length(max=80, message=_l("Tên mã tối đa 80 ký tự."))])
    days = ChoiceField(_l("Thời hạn"), default=str(api_tokens.DEFAULT_EXPIRY_DAYS), choices=choices(
        [(str(days), _l("%(num)d ngày", num=days)) for days in api_tokens.EXPIRY_DAYS]))


@bp.route("/tokens", methods=["GET", "POST"])
@scope_required(ACTION)
def tokens():
    form = TokenForm()
    created = secret = None
    if form.validate_on_submit():
        try:
            created, secret = api_tokens.create_token(current_user, form.name.data, int(form.days.data))
        except api_tokens.TokenError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    page = render_template("reports/api_tokens.html", form=form, tokens=api_tokens.tokens_of(current_user),
                           created=created, secret=secret, action_form=ActionForm(), now=utcnow(),
                           max_active=api_tokens.MAX_ACTIVE_TOKENS)
    # The page may hold a secret in clear: no copy of it anywhere.
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<id:token_id>/revoke")
@scope_required(ACTION)
def revoke_token(token_id: int):
    """Revoke one of the person's own tokens; one revoked already (the form sent twice, or from a second tab) is
    left as it was, and the message says when it was revoked."""
    token = api_tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    if api_tokens.revoke_token(token):
        db.session.commit()
        flash(_("Đã thu hồi mã “%(name)s”; chương trình nào dùng mã này sẽ không đọc được số liệu nữa.",
                name=token.name), "success")
    else:
        flash(_("Mã “%(name)s” đã bị thu hồi lúc %(time)s; không cần thu hồi lại.", name=token.name,
                time=format_datetime(token.revoked_at, "HH:mm, dd/MM/yyyy")), "info")
    return redirect(url_for("api.tokens"))


# --- the OpenAPI document --------------------------------------------------------------------------

_documents: dict[int, dict] = {}  # this year → the document, whose years run up to it


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of the data endpoints, built once a year."""
    this_year = local_today().year
    if this_year not in _documents:
        _documents.clear()
        _documents[this_year] = _build_document(this_year)
    return _documents[this_year]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _int_param(name: str, where: str, description: str, minimum: int, maximum: int,
               required: bool = False, default: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def _errors(*codes: int) -> dict:
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}
    return {str(code): {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def _ok(description: str, schema: dict) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _build_document(this_year: int) -> dict:
    report_keys = [*metrics.TABLE_ORDER, *(key for key in metrics.TABLES if key not in metrics.TABLE_ORDER)]
    summary_keys = list(metrics.SUMMARY_LABELS)
    unit_id = _int_param("unit_id", "path", "Mã số đơn vị. — Unit id.", 1, MAX_ID, required=True)
    year = _int_param("year", "query", "Năm dương lịch của báo cáo, viết bằng 4 chữ số, đến năm nay (mặc định: năm "
                      "nay). — Calendar year of the report, in four digits, up to the current year (default: the "
                      "current year).", FIRST_YEAR, this_year)
    nullable_int = {"type": ["integer", "null"]}
    error_schema = {
        "type": "object", "required": ["error", "code"], "additionalProperties": False,
        "properties": {
            "error": {"type": "string", "description": "Thông báo lỗi bằng tiếng Việt. — Message in Vietnamese."},
            "code": {"type": "string", "description": "Mã lỗi (tiếng Anh, ổn định). — Stable English error code.",
                     "examples": ["missing_token", "invalid_token", "expired_token", "inactive_account",
                                  "malformed_token", "no_report_scope", "out_of_scope", "unit_not_found",
                                  "report_not_found", "not_found", "invalid_parameter", "method_not_allowed"]},
            "parameter": {"type": "string", "description": "Tham số sai (lỗi 400). — The offending parameter."},
        },
    }
    unit_schema = {
        "type": "object", "additionalProperties": False,
        "required": ["id", "code", "name", "level", "organisation", "parent_id", "path", *AREA_FLAGS, "is_open"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string", "description": "Mã đơn vị, ví dụ DOAN-LCI. — Unit code."},
            "name": {"type": "string"},
            "level": {"type": "object", "additionalProperties": False,
                      "required": ["code", "name", "name_en", "rank"],
                      "properties": {"code": {"type": "string", "examples": ["central", "province", "grassroots",
                                                                              "branch"]},
                                     "name": {"type": "string"}, "name_en": {"type": "string"},
                                     "rank": {"type": "integer"}},
                      "description": "Cấp đơn vị. — Unit level."},
            "organisation": {"type": "object", "additionalProperties": False,
                             "required": ["code", "name", "short_name"],
                             "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                            "short_name": {"type": "string"}}},
            "parent_id": {**nullable_int, "description": "Đơn vị cấp trên (null ở gốc). — Parent unit id."},
            "path": {"type": "string", "description": "Đường dẫn mã số từ gốc, ví dụ /1/7/42/. — Materialised path."},
            **{flag: {"type": "boolean"} for flag in AREA_FLAGS},
            "is_open": {"type": "boolean", "description": "Sai khi đơn vị đã giải thể. — False once closed."},
            "child_count": {"type": "integer", "description": "Số đơn vị trực thuộc. — Number of child units."},
        },
    }
    column_schema = {"type": "object", "additionalProperties": False, "required": ["key", "label", "kind"],
                     "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                                    "kind": {"type": "string", "enum": [TEXT, INT, PERCENT, DATE, CODE],
                                             "description": "code: mã ổn định (tiếng Anh) cho chương trình, cạnh "
                                                            "cột người đọc. — code: a stable English code for "
                                                            "programs, beside the column people read."}}}
    status_code = {"type": "string", "enum": list(sending.STATUSES), "description": (
        "Bảng sent: mã tình trạng, cạnh nhãn `status` — sent_in_time: đã gửi đúng hạn; sent_late: gửi muộn; "
        "not_sent: chưa gửi, chưa đến hạn; overdue: quá hạn, chưa gửi. — In the sent table: the status as a "
        "stable code beside the `status` label: sent in time, sent late, not sent before the day due, not sent "
        "and past the day due.")}
    table_schema = {
        "type": "object", "additionalProperties": False,
        "required": ["key", "title", "year", "unit", "columns", "rows", "row_units", "note"],
        "properties": {
            "key": {"type": "string", "enum": report_keys},
            "title": {"type": "string"},
            "year": {"type": "integer"},
            "unit": _ref("Unit"),
            "columns": {"type": "array", "items": _ref("Column")},
            "rows": {"type": "array", "description": "Mỗi dòng: khóa cột → giá trị (phần trăm 0–100, ngày ISO). — "
                     "Each row maps column keys to values (percent 0–100, ISO dates).",
                     "items": {"type": "object", "properties": {"status_code": status_code},
                               "additionalProperties": {"type": ["string", "number", "null"]}}},
            "row_units": {"type": "array", "items": nullable_int,
                          "description": "Đơn vị của từng dòng để xem sâu hơn (null nếu không có). — "
                                         "The unit each row stands for, for drilling down."},
            "note": {"type": "string", "description": "Cách tính số liệu. — How the figures are counted."},
        },
        "if": {"properties": {"key": {"const": "sent"}}},
        "then": {"properties": {"rows": {"items": {"required": ["status_code"]}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API báo cáo — Tập huấn Tình nguyện (LMS reporting API)",
            "version": "1.4.0",
            "description": (
                "API JSON chỉ đọc cho số liệu báo cáo: đơn vị, khóa học, độ bao phủ tập huấn, lan tỏa, tập huấn "
                "viên, khoảng trống năng lực, đợt đánh giá, đánh giá năng lực đơn vị và chỉ tiêu. Mỗi mã truy cập "
                "mang quyền của người tạo ra nó (quyền xem báo cáo, trong phạm vi đơn vị được giao) tại thời "
                "điểm gọi. Tạo mã tại /api/v1/tokens.\n\n"
                "Read-only JSON API for reporting figures. A token acts as the person who created it, with the "
                "report scope they hold at the time of the call. Create tokens at /api/v1/tokens."),
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/units": {"get": {
                "operationId": "listUnits",
                "summary": "Đơn vị trong phạm vi — Units in scope",
                "description": "Không có `parent`: các đơn vị gốc của phạm vi. Có `parent`: các đơn vị trực thuộc. "
                               "— Without `parent`: the top units of the token's scope; with it: its children.",
                "parameters": [
                    _int_param("parent", "query", "Đơn vị cấp trên. — Parent unit id.", 1, MAX_ID),
                    _int_param("page", "query", "Trang, từ 1. — Page number.", 1, PAGE_MAX, default=1),
                    _int_param("per_page", "query", "Số đơn vị mỗi trang. — Page size.", 1, PER_PAGE_MAX,
                               default=PER_PAGE_DEFAULT),
                ],
                "responses": {**_ok("Một trang đơn vị. — One page of units.", _ref("UnitPage")),
                              **_errors(400, 401, 403, 404)},
            }},
            "/api/v1/units/{unit_id}": {"get": {
                "operationId": "getUnit",
                "summary": "Một đơn vị — One unit",
                "parameters": [unit_id],
                "responses": {**_ok("Đơn vị. — The unit.", _ref("Unit")), **_errors(401, 403, 404)},
            }},
            "/api/v1/courses": {"get": {
                "operationId": "listCourses",
                "summary": "Khóa học đã xuất bản — Published courses",
                "responses": {**_ok("Các khóa học. — The courses.", _ref("CourseList")), **_errors(401, 403)},
            }},
            "/api/v1/units/{unit_id}/reports/{key}": {"get": {
                "operationId": "getReport",
                "summary": "Một bảng báo cáo của đơn vị — One report table of a unit",
                "description": (
                    "coverage: độ bao phủ khóa học cốt lõi (ghi danh, hoàn thành, quá hạn) — core-course "
                    "enrolment and completion; courses: theo khóa học và cấp — per course and level; areas: "
                    "đào tạo ở các địa bàn ưu tiên (miền núi, dân tộc thiểu số, biên giới, hải đảo, nước ngoài) — "
                    "training in the priority areas (mountainous, ethnic-minority, border, island, overseas); cascade: "
                    "lan tỏa tập huấn — cascade reach; trainers: tập huấn viên theo bậc — trainers by tier; "
                    "gaps: khoảng trống năng lực — competency gaps; campaigns: đợt đánh giá — assessment "
                    "campaigns; capacity: đánh giá năng lực đơn vị — unit capacity assessments; targets: chỉ "
                    "tiêu và thực hiện — targets against actual; sent: báo cáo năm các đơn vị trực thuộc đã gửi "
                    "lên, đúng hạn hay muộn (mã ở `status_code`) — the yearly reports the units directly under "
                    "the unit have sent up, in time or late (coded in `status_code`); sent_levels: số đơn vị mỗi "
                    "cấp dưới đã gửi báo cáo năm lên cấp trên — how many units of each level under the unit have "
                    "sent their yearly report up."),
                "parameters": [unit_id, {"name": "key", "in": "path", "required": True,
                                         "description": "Khóa bảng báo cáo. — Report table key.",
                                         "schema": {"type": "string", "enum": report_keys}}, year],
                "responses": {**_ok("Bảng báo cáo. — The report table.", _ref("ReportTable")),
                              **_errors(400, 401, 403, 404)},
            }},
            "/api/v1/units/{unit_id}/summary": {"get": {
                "operationId": "getSummary",
                "summary": "Số liệu chính của đơn vị — A unit's headline figures",
                "parameters": [unit_id, year],
                "responses": {**_ok("Số liệu chính. — Headline figures.", _ref("Summary")),
                              **_errors(400, 401, 403, 404)},
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "Tài liệu này — This document",
                "security": [],
                "responses": _ok("Tài liệu OpenAPI. — The OpenAPI document.", {"type": "object"}),
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "Mã truy cập cá nhân, tạo tại /api/v1/tokens: `Authorization: Bearer lms_…`. — "
                               "Personal token created at /api/v1/tokens."}},
            "responses": {
                "BadRequest": {"description": "Tham số không hợp lệ. — Invalid parameter.",
                               "content": {"application/json": {"schema": _ref("Error")}}},
                "Unauthorized": {"description": "Thiếu mã, mã sai, đã thu hồi, hết hạn, hoặc tài khoản ngừng hoạt "
                                                "động. — Missing, invalid, revoked or expired token, or inactive "
                                                "account.",
                                 "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                                 "content": {"application/json": {"schema": _ref("Error")}}},
                "Forbidden": {"description": "Ngoài phạm vi được xem báo cáo. — Outside the token's report scope.",
                              "content": {"application/json": {"schema": _ref("Error")}}},
                "NotFound": {"description": "Không có đơn vị, báo cáo hay địa chỉ này. — No such unit, report or "
                                            "path.",
                             "content": {"application/json": {"schema": _ref("Error")}}},
            },
            "schemas": {
                "Error": error_schema,
                "Unit": unit_schema,
                "UnitPage": {"type": "object", "additionalProperties": False,
                             "required": ["items", "total", "page", "per_page", "pages"],
                             "properties": {"items": {"type": "array", "items": _ref("Unit")},
                                            "total": {"type": "integer", "minimum": 0},
                                            "page": {"type": "integer", "minimum": 1},
                                            "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
                                            "pages": {"type": "integer", "minimum": 1}}},
                "Course": {"type": "object", "additionalProperties": False,
                           "required": ["id", "slug", "title", "version", "modules", "lessons"],
                           "properties": {"id": {"type": "integer"}, "slug": {"type": "string"},
                                          "title": {"type": "string"}, "version": {"type": "integer"},
                                          "modules": {"type": "integer", "minimum": 0,
                                                      "description": "Số mô-đun. — Active modules."},
                                          "lessons": {"type": "integer", "minimum": 0,
                                                      "description": "Số bài học. — Active lessons."}}},
                "CourseList": {"type": "object", "additionalProperties": False, "required": ["items", "total"],
                               "properties": {"items": {"type": "array", "items": _ref("Course")},
                                              "total": {"type": "integer", "minimum": 0}}},
                "Column": column_schema,
                "ReportTable": table_schema,
                "Summary": {
                    "type": "object", "additionalProperties": False,
                    "required": ["year", "unit", "summary", "labels"],
                    "properties": {
                        "year": {"type": "integer"},
                        "unit": _ref("Unit"),
                        "summary": {"type": "object", "additionalProperties": False, "required": summary_keys,
                                    "properties": {key: {"type": ["number", "null"]} for key in summary_keys},
                                    "description": "Số liệu chính của đơn vị và mọi cấp dưới (phần trăm 0–100, "
                                                   "null khi không có mẫu số). — Headline figures of the subtree "
                                                   "(percent 0–100, null without a denominator)."},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"},
                                   "description": "Tên tiếng Việt của từng số liệu. — Each figure's label."},
                    }},
            },
        },
    }

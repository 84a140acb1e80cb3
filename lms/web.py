"""Pages every user shares: home, health check, language switch, and the navigation."""
from dataclasses import dataclass

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text

from lms.assessments.hub import open_tasks
from lms.auth.permissions import ROLE_LABELS, has_any_scope
from lms.courses.services import learner_home
from lms.db import db
from lms.i18n import level_name, remember_locale
from lms.orgs.models import area_name
from lms.people.contact import display_phone

bp = Blueprint("web", __name__)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


def navigation(user) -> list[NavItem]:
    """Menu entries the user's roles open, in the order a person needs them."""
    items = [NavItem("web.home", _("Trang chủ")), NavItem("courses.catalogue", _("Khóa học")),
             NavItem("courses.my_certificates", _("Chứng nhận")), NavItem("assessments.hub", _("Đánh giá"))]
    if has_any_scope(user, "trainer.view"):
        items.append(NavItem("trainers.home", _("Tập huấn")))
    if has_any_scope(user, "course.assign"):
        items.append(NavItem("courses.assignments", _("Giao khóa học")))
    if has_any_scope(user, "course.author"):
        items.append(NavItem("courses.manage_list", _("Soạn khóa học")))
    if has_any_scope(user, "report.view"):
        items.append(NavItem("reports.dashboard", _("Báo cáo")))
    if has_any_scope(user, "unit.view"):
        items.append(NavItem("orgs.tree", _("Đơn vị")))
    if has_any_scope(user, "user.view"):
        items.append(NavItem("people.directory", _("Cán bộ")))
    if has_any_scope(user, "user.import"):
        items.append(NavItem("people.import_upload", _("Nhập danh sách")))
    items.append(NavItem("auth.account", _("Tài khoản")))
    return items


bp.add_app_template_filter(level_name, "level_name")
bp.add_app_template_filter(area_name, "area_name")


@bp.app_context_processor
def layout_context():
    nav = navigation(current_user) if current_user.is_authenticated else []
    language = str(get_locale() or "vi")
    return {"nav_items": nav, "role_labels": ROLE_LABELS, "display_phone": display_phone,
            "current_language": language, "other_language": "en" if language == "vi" else "vi"}


@bp.route("/")
@login_required
def home():
    tasks = [task for task in open_tasks(current_user) if task.pending]
    return render_template("home.html", learning=learner_home(current_user), assessment_tasks=tasks)


@bp.route("/lang/<locale>", methods=["POST"])
def set_language(locale: str):
    remember_locale(locale)
    if current_user.is_authenticated and locale in ("vi", "en"):
        current_user.locale = locale
        db.session.commit()
    target = request.form.get("next") or url_for("web.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    return redirect(target)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

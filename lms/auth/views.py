from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from lms.auth import services
from lms.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from lms.auth.permissions import has_any_scope
from lms.db import db
from lms.extensions import login_manager
from lms.i18n import N_
from lms.mail import send_mail
from lms.people.models import User

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"
login_manager.localize_callback = _

# Pages a person who must choose a new password may still open.
_OPEN_WHILE_PASSWORD_PENDING = {"auth.set_password", "auth.logout", "static", "web.set_language", "web.healthz"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in account; one deactivated since sign-in is signed out on its next request."""
    user = db.session.get(User, int(user_id), options=[joinedload(User.roles)])  # one statement per request
    return user if user is not None and user.is_active else None


@bp.before_app_request
def require_own_password():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _OPEN_WHILE_PASSWORD_PENDING):
        return redirect(url_for("auth.set_password"))
    return None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.sign_in(form.identifier.data, form.password.data)
        if result.user is not None:
            login_user(result.user)
            if result.needs_new_password:
                return redirect(url_for("auth.set_password"))
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_sign_in_message(result))
    return render_template("auth/login.html", form=form)


def _sign_in_message(result: services.SignInResult) -> str:
    if result.error == "locked":
        return ngettext("Tài khoản tạm khóa vì đăng nhập sai nhiều lần. Vui lòng thử lại sau %(num)d phút "
                        "hoặc đặt lại mật khẩu.",
                        "Tài khoản tạm khóa vì đăng nhập sai nhiều lần. Vui lòng thử lại sau %(num)d phút "
                        "hoặc đặt lại mật khẩu.", result.locked_minutes)
    if result.error == "inactive":
        return _("Tài khoản này đã ngừng hoạt động. Hãy liên hệ quản trị đơn vị của bạn.")
    return _("E-mail/số điện thoại hoặc mật khẩu không đúng.")


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    # Nothing of this person's session (pending messages, language aside) passes to the next one.
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", may_use_api=has_any_scope(current_user, "report.view"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not (current_user.password_hash
                and check_password_hash(current_user.password_hash, form.current_password.data)):
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            services.set_password(current_user, form.new_password.data)
            db.session.commit()
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/set-password", methods=["GET", "POST"])
@login_required
def set_password():
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(current_user, form.new_password.data)
        db.session.commit()
        flash(_("Đã lưu mật khẩu của bạn."), "success")
        return redirect(url_for("web.home"))
    return render_template("auth/set_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        issued = services.request_password_reset(form.identifier.data)
        if issued:
            user, secret = issued
            link = url_for("auth.reset_password", token=secret, _external=True)
            hours = current_app.config["LMS_RESET_TOKEN_HOURS"]
            send_mail(user.email, _("Đặt lại mật khẩu"),
                      render_template("auth/reset_email.txt", user=user, link=link, hours=hours))
        # The same answer whether or not the account exists.
        flash(_("Nếu tài khoản có e-mail, chúng tôi đã gửi hướng dẫn đặt lại mật khẩu. "
                "Hãy kiểm tra hộp thư của bạn."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.find_valid_token(token, services.RESET) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.new_password.data)
        flash(_("Đã đặt lại mật khẩu. Hãy đăng nhập bằng mật khẩu mới."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, resetting=True)

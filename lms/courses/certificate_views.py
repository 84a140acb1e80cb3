"""Certificate routes on the courses blueprint, and the public verification page."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lms.actions import carry_out
from lms.courses import certificates
from lms.courses.models import Certificate
from lms.courses.views import bp

verify_bp = Blueprint("verify", __name__)


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        DataRequired(_l("Hãy ghi lý do thu hồi.")),
        Length(max=300, message=_l("Lý do dài tối đa %(max)d ký tự."))])


def _viewable(code: str) -> Certificate:
    certificate = certificates.find(code)
    if certificate is None:
        abort(404)
    if not certificates.may_view(current_user, certificate):
        abort(403)
    return certificate


@bp.route("/certificates")
@login_required
def my_certificates():
    return render_template("courses/certificate_list.html", certificates=certificates.of_user(current_user))


@bp.route("/certificates/<code>")
@login_required
def certificate(code: str):
    certificate = _viewable(code)
    return _certificate_page(certificate, RevokeForm())


def _certificate_page(certificate: Certificate, form: RevokeForm, status: int = 200):
    may_revoke = certificate.revoked_at is None and certificates.may_revoke(current_user, certificate)
    return render_template("courses/certificate_page.html", certificate=certificate, form=form,
                           may_revoke=may_revoke, verify_url=certificates.verify_url(certificate)), status


@bp.route("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    certificate = _viewable(code)
    if certificate.revoked_at is not None:
        flash(_("Chứng nhận này đã bị thu hồi nên không còn bản PDF để tải."), "error")
        return redirect(url_for("courses.certificate", code=certificate.code))
    response = make_response(certificates.render_pdf(certificate))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="chung-nhan-{certificate.code}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@login_required
def revoke_certificate(code: str):
    certificate = certificates.find(code)
    if certificate is None:
        abort(404)
    if not certificates.may_revoke(current_user, certificate):
        abort(403)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _certificate_page(certificate, form, 400)
    carry_out(lambda: certificates.revoke(certificate, form.reason.data, current_user),
              _("Đã thu hồi chứng nhận của %(name)s.", name=certificate.holder_name))
    return redirect(url_for("courses.certificate", code=certificate.code))


@verify_bp.route("/verify/<code>")
def verify(code: str):
    """Public: whether a certificate is genuine, with only what the certificate itself shows."""
    certificate = certificates.find(code)
    response = make_response(render_template("verify.html", certificate=certificate, code=code),
                             200 if certificate else 404)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex"  # holders' names are for those who hold the code
    return response

"""Bulk onboarding pages: upload a list, preview its problems, confirm, hand out activation codes.
The rules live in lms.people.onboarding; these views only route, check access and render."""
import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.auth.permissions import has_any_scope
from lms.people import onboarding
from lms.forms import ActionForm
from lms.people.forms import ImportUploadForm
from lms.people.views import bp


def _require_importer() -> None:
    if not has_any_scope(current_user, "user.import"):
        abort(403)


def _own_batch(batch_id: int):
    """The current user's batch; another admin's batch is as good as absent."""
    _require_importer()
    batch = onboarding.batch_of(batch_id, current_user)
    if batch is None:
        abort(404)
    return batch


def _xlsx(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype=onboarding.XLSX_MIMETYPE, as_attachment=True,
                         download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    _require_importer()
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = onboarding.preview(upload.filename or "", upload.read(), current_user)
        except onboarding.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            return redirect(url_for("people.import_preview", batch_id=batch.id))
    return render_template("people/import_upload.html", form=form, columns=onboarding.COLUMNS,
                           max_rows=onboarding.MAX_ROWS, batches=onboarding.recent_batches(current_user))


@bp.route("/import/template.xlsx")
@login_required
def import_template():
    _require_importer()
    return _xlsx(onboarding.template_workbook(current_user), "mau-danh-sach-can-bo.xlsx")


@bp.route("/import/<id:batch_id>")
@login_required
def import_preview(batch_id: int):
    batch = _own_batch(batch_id)
    if batch.status == onboarding.COMMITTED:
        return redirect(url_for("people.import_result", batch_id=batch.id))
    only_errors = request.args.get("errors") == "1"
    rows = [row for row in batch.rows if row["errors"]] if only_errors else batch.rows
    return render_template("people/import_preview.html", batch=batch, rows=rows, only_errors=only_errors,
                           form=ActionForm(), columns=onboarding.COLUMNS, describe=onboarding.describe)


@bp.route("/import/<id:batch_id>/confirm", methods=["POST"])
@login_required
def import_confirm(batch_id: int):
    batch = _own_batch(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = onboarding.commit(batch, current_user)
    if result.outcome == "created":
        flash(ngettext("Đã tạo %(num)d tài khoản cán bộ.", "Đã tạo %(num)d tài khoản cán bộ.", result.count),
              "success")
        return redirect(url_for("people.import_result", batch_id=batch_id))
    if result.outcome == "already":
        flash(_("Danh sách này đã được nhập trước đó; không tạo thêm tài khoản nào."), "info")
        return redirect(url_for("people.import_result", batch_id=batch_id))
    if result.outcome == "has_errors":
        flash(_("Tệp còn dòng lỗi nên không thể xác nhận. Hãy sửa tệp rồi tải lên lại."), "error")
    else:
        flash(_("Dữ liệu trong hệ thống đã thay đổi từ lúc xem trước nên tệp nay có dòng lỗi. "
                "Chưa có tài khoản nào được tạo."), "error")
    return redirect(url_for("people.import_preview", batch_id=batch_id))


@bp.route("/import/<id:batch_id>/result")
@login_required
def import_result(batch_id: int):
    batch = _own_batch(batch_id)
    if batch.status != onboarding.COMMITTED:
        return redirect(url_for("people.import_preview", batch_id=batch.id))
    return render_template("people/import_result.html", batch=batch, form=ActionForm(),
                           code_days=current_app.config["LMS_ACTIVATION_TOKEN_DAYS"])


@bp.route("/import/<id:batch_id>/codes.xlsx", methods=["POST"])
@login_required
def import_codes(batch_id: int):
    """Download the activation codes, once: a POST, so no link preview or prefetch can use it up."""
    batch = _own_batch(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if batch.status != onboarding.COMMITTED:
        return redirect(url_for("people.import_preview", batch_id=batch_id))
    codes = onboarding.take_codes(batch)
    if codes is None:
        flash(_("Danh sách mã kích hoạt của lần nhập này đã được tải về trước đó; hệ thống không giữ lại "
                "mã nào."), "warning")
        return redirect(url_for("people.import_result", batch_id=batch_id))
    sheet = onboarding.code_sheet(codes, url_for("auth.login", _external=True))
    return _xlsx(sheet, f"ma-kich-hoat-dot-{batch_id}.xlsx")

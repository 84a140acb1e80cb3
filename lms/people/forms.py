from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("Tệp danh sách cán bộ (.xlsx hoặc .csv)"),
        validators=[FileRequired(_l("Hãy chọn tệp danh sách.")),
                    FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))],
    )


class ConfirmImportForm(FlaskForm):
    """Confirms a previewed import; carries nothing but its CSRF token."""

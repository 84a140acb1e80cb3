from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from lms.auth.services import MIN_PASSWORD_LENGTH


def _new_password_fields():
    return (
        PasswordField(
            _l("Mật khẩu mới"),
            validators=[
                DataRequired(_l("Hãy nhập mật khẩu mới.")),
                Length(min=MIN_PASSWORD_LENGTH, max=128,
                       message=_l("Mật khẩu cần từ %(min)d đến %(max)d ký tự.")),
            ],
        ),
        PasswordField(
            _l("Nhập lại mật khẩu mới"),
            validators=[DataRequired(_l("Hãy nhập lại mật khẩu mới.")),
                        EqualTo("new_password", _l("Hai lần nhập mật khẩu không khớp nhau."))],
        ),
    )


class LoginForm(FlaskForm):
    identifier = StringField(_l("E-mail hoặc số điện thoại"),
                             validators=[DataRequired(_l("Hãy nhập e-mail hoặc số điện thoại."))])
    password = PasswordField(_l("Mật khẩu hoặc mã kích hoạt"),
                             validators=[DataRequired(_l("Hãy nhập mật khẩu."))])


class SetPasswordForm(FlaskForm):
    new_password, confirm_password = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"),
                                     validators=[DataRequired(_l("Hãy nhập mật khẩu hiện tại."))])
    new_password, confirm_password = _new_password_fields()


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(_l("E-mail hoặc số điện thoại"),
                             validators=[DataRequired(_l("Hãy nhập e-mail hoặc số điện thoại."))])

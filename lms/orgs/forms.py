from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from lms.forms import ChoiceField
from lms.orgs.models import AREA_NAMES

_CODE_RULE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    message=_l("Mã chỉ gồm chữ không dấu, chữ số, dấu gạch ngang, gạch dưới hoặc dấu chấm."))


class AreaFlagsMixin:
    is_mountainous = BooleanField(_l(AREA_NAMES["is_mountainous"]))
    is_ethnic_minority = BooleanField(_l(AREA_NAMES["is_ethnic_minority"]))
    is_border = BooleanField(_l(AREA_NAMES["is_border"]))
    is_island = BooleanField(_l(AREA_NAMES["is_island"]))
    is_overseas = BooleanField(_l(AREA_NAMES["is_overseas"]))


class UnitForm(AreaFlagsMixin, FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Hãy nhập tên đơn vị.")),
                                                     Length(max=200, message=_l("Tên tối đa 200 ký tự."))])
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(_l("Hãy nhập mã đơn vị.")),
                                                    Length(max=40, message=_l("Mã tối đa 40 ký tự.")), _CODE_RULE])


class NewUnitForm(UnitForm):
    level_id = ChoiceField(_l("Cấp"), coerce=int, validate_choice=True)


class MoveUnitForm(FlaskForm):
    new_parent_code = StringField(_l("Mã đơn vị cấp trên mới"),
                                  validators=[DataRequired(_l("Hãy nhập mã đơn vị cấp trên mới."))])


class CloseUnitForm(FlaskForm):
    reason = StringField(_l("Lý do giải thể / sáp nhập"),
                         validators=[DataRequired(_l("Hãy ghi lý do.")),
                                     Length(max=300, message=_l("Lý do tối đa 300 ký tự."))])

"""The years a page, a file or a command may be asked about, and reading one from ?year=: one strict
reading for the report pages, their files and the API, and for the trainers' yearly plans."""
from flask_babel import gettext as _

from lms.errors import ExplainedBadRequest
from lms.i18n import local_today

FIRST_YEAR = 2000  # the first year a report or a plan can be asked for


def year_from_arg(raw: str | None, years: tuple[int, int]) -> int:
    """?year=yyyy: this year when absent. Anything but a year written in four digits from the first to the last
    of `years` stops the request with a 400 that says which years can be asked for."""
    if raw is None:
        return local_today().year
    first, last = years
    if len(raw) == 4 and raw.isascii() and raw.isdigit() and first <= int(raw) <= last:
        return int(raw)
    raise ExplainedBadRequest(_("Năm không hợp lệ: hãy chọn một năm từ %(first)d đến %(last)d.",
                                first=first, last=last))

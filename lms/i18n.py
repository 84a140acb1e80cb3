"""Language and time zone: Vietnamese by default, English on request, remembered per person."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, session
from flask_babel import get_locale, gettext
from flask_login import current_user


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it here: it is kept as written and
    translated with `_()` where it is shown (labels held in module-level tables, for instance)."""
    return message


NAMES_IN_MESSAGE = 5  # names a message lists; the rest are counted


def names_in_message(names: list[str], others: str) -> str:
    """Names for a message: the first NAMES_IN_MESSAGE, then `others` (a message id marked with N_, with
    %(names)s and %(num)d) counting the rest: "Đoàn xã A, …, Đoàn xã E và 3 đơn vị khác"."""
    shown = ", ".join(names[:NAMES_IN_MESSAGE])
    if len(names) <= NAMES_IN_MESSAGE:
        return shown
    return gettext(others, names=shown, num=len(names) - NAMES_IN_MESSAGE)


def people_names(people) -> str:
    """People (anything with a `full_name`) for a message, named as names_in_message() names them."""
    return names_in_message([person.full_name for person in people], N_("%(names)s và %(num)d người khác"))


def select_locale() -> str:
    supported = current_app.config["LMS_LOCALES"]
    # Outside a request (command line, loaders) there is no session: use the default.
    chosen = session.get("locale") if has_request_context() else None
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def recipient_locale(locale: str | None) -> str:
    """The language to write to a person in: theirs when the application speaks it, else the default."""
    return locale if locale in current_app.config["LMS_LOCALES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_locale(locale: str) -> bool:
    if locale not in current_app.config["LMS_LOCALES"]:
        return False
    session["locale"] = locale
    return True



def level_name(level) -> str:
    """A unit level's name in the page's language (levels are data, named in both languages)."""
    return level.name_en if str(get_locale() or "vi") == "en" and level.name_en else level.name


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_today() -> date:
    """Today where the users are (the application's time zone), not on the server's clock."""
    return datetime.now(_zone()).date()


def local_date(moment: datetime) -> date:
    """The day where the users are of `moment`, a naive UTC time as the database keeps it."""
    return moment.replace(tzinfo=timezone.utc).astimezone(_zone()).date()


def end_of_local_day_utc(day: date) -> datetime:
    """The first instant after `day` ends where the users are, as the naive UTC time the database keeps."""
    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)

"""Error pages in the user's language."""
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from lms.db import db
from lms.uploads import upload_limit

_PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    500: "errors/500.html",
}


class ExplainedBadRequest(BadRequest):
    """A 400 whose description tells the user, in their language, what was wrong with the request; the
    error page shows it in place of the general message."""


def register(app: Flask) -> None:
    for code, template in _PAGES.items():
        app.register_error_handler(code, _handler(code, template))
    app.register_error_handler(CSRFError, lambda _e: (render_template("errors/400.html", csrf=True), 400))


def _handler(code: int, template: str):
    def handle(error):
        if code == 500:
            db.session.rollback()
        if code == 413:
            return render_template(template, limit_mb=upload_limit() // (1024 * 1024), back=_page_before()), code
        if isinstance(error, ExplainedBadRequest):
            return render_template(template, reason=error.description), code
        return render_template(template), code

    return handle


def _page_before() -> str | None:
    """The page the request came from when it is one of this site's (where a file too large was chosen), as a
    path to go back to; None for another site's or none."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return urlunsplit(("", "", referrer.path, referrer.query, ""))

"""The application's own static files (stylesheet, icon) under addresses that carry a digest of their content,
`/static/css/app.css?v=<digest>`. A browser keeps such a file for a year without asking again, which spares a
round trip on every page over a slow link, and an upgrade that changes the file changes its address, so nobody
is left with the old one. A request naming another digest, or none, is answered as before: to be checked again
on every use."""
import hashlib
import os
import stat
from functools import lru_cache

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

MAX_AGE = 365 * 24 * 60 * 60
VERSION_ARG = "v"


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_keep_current_version)


def static_version(filename: str) -> str | None:
    """The digest of the static file's current content, or None for a file that is not there."""
    path = safe_join(current_app.static_folder, filename)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return _digest(path, found.st_mtime_ns, found.st_size) if stat.S_ISREG(found.st_mode) else None


@lru_cache(maxsize=64)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    """Keyed on the file's time and size too, so that a file edited in place gets a new digest."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
        version = static_version(values["filename"])
        if version:
            values[VERSION_ARG] = version


def _keep_current_version(response: Response) -> Response:
    asked = request.args.get(VERSION_ARG)
    if (request.endpoint == "static" and asked and response.status_code in (200, 304)
            and asked == static_version(request.view_args["filename"])):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        response.cache_control.immutable = True
    return response

"""How large a request may be: MAX_CONTENT_LENGTH, or more for a view that takes a larger file
(`allows_upload`). A request over its limit is refused (413) before its body is read."""
from flask import Request as FlaskRequest
from flask import current_app, request

FORM_MARGIN = 1024 * 1024  # the form's other fields and the multipart framing around its file


def allows_upload(max_bytes: int):
    """Mark a view (right under its route) whose form carries a file of up to `max_bytes`, more than
    MAX_CONTENT_LENGTH allows other requests."""
    def mark(view):
        view.max_upload_bytes = max_bytes
        return view
    return mark


def _larger_upload(endpoint: str | None) -> int | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "max_upload_bytes", None)


def upload_limit() -> int:
    """The largest file the current request's view takes, in bytes (for the message of a 413)."""
    return _larger_upload(request.endpoint) or current_app.config["MAX_CONTENT_LENGTH"]


class Request(FlaskRequest):
    @property
    def max_content_length(self) -> int | None:
        larger = _larger_upload(self.endpoint)
        return larger + FORM_MARGIN if larger else super().max_content_length

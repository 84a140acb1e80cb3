"""Uploaded files: evidence attached to ratings and unit indicators, and the signed yearly reports units
send up (lms.reports.sending). A few document and image types, checked by their content rather than their
name, and limited in size."""
import hashlib

import filetype
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from lms.actions import RuleError
from lms.assessments.models import EvidenceFile
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User

MAX_BYTES = 5 * 1024 * 1024
# What a file's content must turn out to be, by the extension the form accepts.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def types_label(allowed: dict[str, str]) -> str:
    """"PDF, JPG, PNG, DOCX hoặc XLSX": the extensions a form accepts, as people know them."""
    names = [extension.upper() for extension in allowed if extension != "jpeg"]
    if len(names) == 1:
        return names[0]
    return _("%(first)s hoặc %(last)s", first=", ".join(names[:-1]), last=names[-1])


class EvidenceError(RuleError):
    """An upload refused; the message says why."""


def has_upload(upload: FileStorage | None) -> bool:
    return upload is not None and bool(upload.filename)


def save_upload(upload: FileStorage, uploaded_by: User, unit: Unit,
                allowed: dict[str, str] = ALLOWED_TYPES, max_bytes: int = MAX_BYTES) -> EvidenceFile:
    """Store an uploaded file, readable within `unit`'s scope. Refuses an empty file or one over `max_bytes`,
    or one whose extension is not in `allowed` or whose content is not what its extension says, with a
    message naming the file."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[-200:] or "minh-chung"
    data = upload.read(max_bytes + 1)
    if not data:
        raise EvidenceError(_("Tệp “%(name)s” trống.", name=name))
    if len(data) > max_bytes:
        raise EvidenceError(_("Tệp “%(name)s” lớn hơn %(size)d MB.", name=name, size=max_bytes // (1024 * 1024)))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = filetype.guess(data)
    if extension not in allowed or kind is None or kind.mime != allowed[extension]:
        raise EvidenceError(_("Tệp “%(name)s” không phải là tệp %(types)s hợp lệ.", name=name,
                              types=types_label(allowed)))
    evidence = EvidenceFile(uploaded_by_id=uploaded_by.id, unit_id=unit.id, filename=name,
                            content_type=kind.mime, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            data=data)
    db.session.add(evidence)
    db.session.flush()
    return evidence

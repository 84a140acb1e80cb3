"""The learning record: each learning event written once, shaped like an xAPI statement, and
exported as xAPI JSON. Rows are only ever added."""
import uuid
from datetime import datetime

from flask import url_for
from sqlalchemy import select

from lms.courses.models import LearningRecord
from lms.db import db, utcnow
from lms.people.models import User

VERBS = {
    "registered": "http://adlnet.gov/expapi/verbs/registered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "https://w3id.org/xapi/dod-isd/verbs/earned",
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "certificate": "https://w3id.org/xapi/cmi5/activitytype/certificate",
}


def record(actor: User, verb: str, object_type: str, object_id: int, object_name: str,
           course_id: int | None = None, result: dict | None = None) -> LearningRecord:
    """Add one learning event to the session, dated now (committed with the change it records)."""
    entry = LearningRecord(**record_row(actor.id, verb, object_type, object_id, object_name, course_id, utcnow(),
                                        result))
    db.session.add(entry)
    return entry


def record_row(actor_id: int, verb: str, object_type: str, object_id: int, object_name: str,
               course_id: int | None, at: datetime, result: dict | None = None) -> dict:
    """One learning event dated `at`, as the columns of a LearningRecord (a bulk insert takes them as a row)."""
    if verb not in VERBS or object_type not in ACTIVITY_TYPES:
        raise ValueError(f"unknown verb or object type: {verb}, {object_type}")
    return {"statement_id": str(uuid.uuid4()), "actor_id": actor_id, "verb": verb, "object_type": object_type,
            "object_id": object_id, "object_name": object_name[:200], "course_id": course_id, "result": result,
            "timestamp": at}


def _statement(entry: LearningRecord, actor: User) -> dict:
    statement = {
        "id": entry.statement_id,
        "actor": {"objectType": "Agent", "name": actor.full_name,
                  "account": {"homePage": url_for("web.home", _external=True), "name": str(actor.id)}},
        "verb": {"id": VERBS[entry.verb], "display": {"en-US": entry.verb}},
        "object": {"objectType": "Activity",
                   "id": url_for("web.home", _external=True) + f"xapi/{entry.object_type}/{entry.object_id}",
                   "definition": {"type": ACTIVITY_TYPES[entry.object_type], "name": {"vi-VN": entry.object_name}}},
        "timestamp": entry.timestamp.isoformat(timespec="seconds") + "Z",
    }
    if entry.result:
        statement["result"] = entry.result
    return statement


def statements(*conditions) -> list[dict]:
    """xAPI statements of the records matching `conditions`, oldest first."""
    rows = db.session.execute(select(LearningRecord, User).join(User, LearningRecord.actor_id == User.id)
                              .where(*conditions).order_by(LearningRecord.timestamp, LearningRecord.id))
    return [_statement(entry, actor) for entry, actor in rows]

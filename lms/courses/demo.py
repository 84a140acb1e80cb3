"""The demo's cadres in the core course: over the last twenty months most of them enrolled and many
completed it (lessons, quizzes, certificate and learning record, dated as they happened), each unit at its
own pace and the units of ethnic-minority areas slower, so that the demo's dashboards, exports and yearly
reports have online training to count and compare, this year against the last.

Each cadre's history follows from the cadre's id and each unit's pace from the unit's id, so loading it
again adds nothing. Rows are inserted in bulk, as for a dataset built once. The caller commits."""
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from lms.courses.completion import certificate_row
from lms.courses.models import (ACTIVE, Certificate, Course, Enrolment, LearningRecord, LessonProgress, Module,
                                Quiz, QuizAttempt)
from lms.courses.records import record_row
from lms.courses.services import LessonRef, lesson_sequence
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User

HISTORY_DAYS = 600  # the first enrolments, about twenty months back
SLOWER_IN_ETHNIC_MINORITY_AREAS = 0.15  # less enrolled, and less completed, than elsewhere


@dataclass(frozen=True)
class Pace:
    enrols: float  # share of the unit's cadres who enrolled
    completes: float  # share of those who completed the course


@dataclass(frozen=True)
class History:
    enrolled_at: datetime
    lessons_done: list[LessonRef]
    last_seen: datetime | None  # the last lesson done; for a completed course, its completion
    completed: bool  # every lesson done and every quiz passed

    def lesson_done_at(self, index: int) -> datetime:
        """The lessons are done at even intervals between the enrolment and the last one."""
        return self.enrolled_at + (self.last_seen - self.enrolled_at) * (index + 1) / len(self.lessons_done)


def unit_pace(unit: Unit) -> Pace:
    rng = random.Random(f"demo-core-pace-{unit.id}")
    slower = SLOWER_IN_ETHNIC_MINORITY_AREAS if unit.is_ethnic_minority else 0.0
    return Pace(rng.uniform(0.55, 0.9) - slower, rng.uniform(0.35, 0.75) - slower)


def cadre_history(user_id: int, pace: Pace, lessons: list[LessonRef], today: date) -> History | None:
    """The cadre's enrolment in the core course, or None for a cadre who never enrolled."""
    rng = random.Random(f"demo-core-{user_id}")
    if rng.random() >= pace.enrols:
        return None
    enrolled_on = today - timedelta(days=rng.randint(20, HISTORY_DAYS))
    enrolled_at = datetime.combine(enrolled_on, time(rng.randint(1, 13), rng.randint(0, 59)))  # 8:00–20:59 in Vietnam
    yesterday = datetime.combine(today - timedelta(days=1), time(12))
    if rng.random() < pace.completes:
        completed_at = enrolled_at + timedelta(days=rng.randint(10, 150), hours=rng.randint(0, 6))
        return History(enrolled_at, lessons, min(completed_at, yesterday), True)
    started = rng.randint(1, len(lessons) - 1) if len(lessons) > 1 and rng.random() >= 0.25 else 0
    last_seen = min(enrolled_at + timedelta(days=3 * started, hours=2), yesterday) if started else None
    return History(enrolled_at, lessons[:started], last_seen, False)


def load_core_history(core: Course, cadres: list[User], today: date) -> int:
    """Enrol `cadres` not yet enrolled in `core` as their history says; returns how many were enrolled."""
    lessons = lesson_sequence(core.id)
    if not lessons:
        return 0
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == core.id)))
    paces: dict[int, Pace] = {}
    histories = {}
    for cadre in sorted(cadres, key=lambda c: c.id):
        if cadre.id in enrolled:
            continue
        pace = paces.setdefault(cadre.unit_id, unit_pace(cadre.unit))
        history = cadre_history(cadre.id, pace, lessons, today)
        if history is not None:
            histories[cadre] = history
    if histories:
        _insert(core, histories)
    return len(histories)


def _insert(core: Course, histories: dict[User, History]) -> None:
    db.session.execute(insert(Enrolment), [
        {"user_id": cadre.id, "course_id": core.id, "enrolled_at": h.enrolled_at,
         "completed_at": h.last_seen if h.completed else None,
         "last_lesson_id": h.lessons_done[-1].id if h.lessons_done else None, "last_activity_at": h.last_seen}
        for cadre, h in histories.items()])
    ids = dict(db.session.execute(select(Enrolment.user_id, Enrolment.id).where(
        Enrolment.course_id == core.id, Enrolment.user_id.in_([cadre.id for cadre in histories]))).all())
    completed = {cadre: h for cadre, h in histories.items() if h.completed}
    certificates = _certificates(core, completed, ids) if core.certificate_enabled else {}
    quizzes = db.session.execute(select(Quiz.id, Quiz.title).join(Module, Module.id == Quiz.module_id).where(
        Module.course_id == core.id, Module.status == ACTIVE, Quiz.status == ACTIVE)).all()
    progress, attempts, records = [], [], []
    for cadre, h in histories.items():
        records.append(record_row(cadre.id, "registered", "course", core.id, core.title, core.id, h.enrolled_at))
        for index, lesson in enumerate(h.lessons_done):
            done_at = h.lesson_done_at(index)
            progress.append({"enrolment_id": ids[cadre.id], "lesson_id": lesson.id, "completed_at": done_at})
            records.append(record_row(cadre.id, "completed", "lesson", lesson.id, lesson.title, core.id, done_at))
    for cadre, h in completed.items():
        for quiz_id, title in quizzes:
            score = 70 + (cadre.id * 7 + quiz_id) % 31  # passed, from 70 to 100
            attempts.append({"enrolment_id": ids[cadre.id], "quiz_id": quiz_id, "presented": [], "answers": {},
                             "score": score, "passed": True, "started_at": h.last_seen - timedelta(minutes=20),
                             "submitted_at": h.last_seen - timedelta(minutes=5)})
            records.append(record_row(cadre.id, "passed", "quiz", quiz_id, title, core.id, h.last_seen,
                                      {"score": {"scaled": score / 100}, "success": True}))
        records.append(record_row(cadre.id, "completed", "course", core.id, core.title, core.id, h.last_seen,
                                  {"completion": True}))
        if cadre.id in certificates:
            records.append(record_row(cadre.id, "earned", "certificate", certificates[cadre.id], core.title, core.id,
                                      h.last_seen))
    for model, rows in ((LessonProgress, progress), (QuizAttempt, attempts), (LearningRecord, records)):
        if rows:
            db.session.execute(insert(model), rows)


def _certificates(core: Course, completed: dict[User, History], ids: dict[int, int]) -> dict[int, int]:
    """The certificates of the cadres who completed, issued on completion; {cadre id: certificate id}."""
    if not completed:
        return {}
    db.session.execute(insert(Certificate), [certificate_row(cadre, core, ids[cadre.id], h.last_seen)
                                             for cadre, h in completed.items()])
    return dict(db.session.execute(select(Certificate.user_id, Certificate.id).where(
        Certificate.course_id == core.id, Certificate.user_id.in_([cadre.id for cadre in completed]))).all())

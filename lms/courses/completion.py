"""When a course is complete, and the certificate that completion earns."""
import secrets
from datetime import datetime

from sqlalchemy import exists, func, select

from lms.courses.models import (ACTIVE, Certificate, Course, Enrolment, Lesson, LessonProgress, Module, Quiz,
                                QuizAttempt)
from lms.courses.records import record
from lms.db import db, utcnow
from lms.people.models import User


def required_lessons_left(enrolment: Enrolment) -> int:
    done = select(LessonProgress.id).where(LessonProgress.enrolment_id == enrolment.id,
                                           LessonProgress.lesson_id == Lesson.id)
    return db.session.scalar(
        select(func.count(Lesson.id)).join(Module)
        .where(Module.course_id == enrolment.course_id, Module.status == ACTIVE, Lesson.status == ACTIVE,
               Lesson.required.is_(True), ~exists(done)))


def quizzes_left(enrolment: Enrolment) -> int:
    passed = select(QuizAttempt.id).where(QuizAttempt.enrolment_id == enrolment.id,
                                          QuizAttempt.quiz_id == Quiz.id, QuizAttempt.passed.is_(True))
    return db.session.scalar(
        select(func.count(Quiz.id)).join(Module)
        .where(Module.course_id == enrolment.course_id, Module.status == ACTIVE, Quiz.status == ACTIVE,
               ~exists(passed)))


def check_completion(enrolment: Enrolment) -> bool:
    """Mark the enrolment complete once every required lesson is done and every quiz passed; issue the
    certificate once. Returns whether the course is complete. Call inside the change's transaction."""
    if enrolment.completed_at is not None:
        return True
    if required_lessons_left(enrolment) or quizzes_left(enrolment):
        return False
    enrolment.completed_at = utcnow()
    course = enrolment.course
    record(enrolment.user, "completed", "course", course.id, course.title, course_id=course.id,
           result={"completion": True})
    if course.certificate_enabled:
        issue_certificate(enrolment)
    return True


def certificate_row(holder: User, course: Course, enrolment_id: int, issued_at: datetime) -> dict:
    """A certificate of `course` for `holder`, with an unguessable code, as the columns of a Certificate (a bulk
    insert takes them as a row)."""
    return {"code": secrets.token_urlsafe(12), "enrolment_id": enrolment_id, "user_id": holder.id,
            "course_id": course.id, "holder_name": holder.full_name, "course_title": course.title,
            "issuing_unit_id": holder.unit_id, "issued_at": issued_at}


def issue_certificate(enrolment: Enrolment) -> Certificate:
    """The enrolment's certificate, issued once with an unguessable code."""
    existing = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    if existing is not None:
        return existing
    user, course = enrolment.user, enrolment.course
    certificate = Certificate(**certificate_row(user, course, enrolment.id, utcnow()))
    db.session.add(certificate)
    db.session.flush()
    record(user, "earned", "certificate", certificate.id, course.title, course_id=course.id)
    return certificate

"""Quiz pages on the courses blueprint: the quiz (start or continue an attempt), submitting, the result."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth.permissions import can
from lms.courses import quizzes
from lms.courses.models import Course, Enrolment, Quiz, QuizAttempt
from lms.courses.views import bp
from lms.db import db
from lms.forms import ActionForm
from lms.text import render_markdown


def course_url(course: Course) -> str:
    return url_for("courses.course", slug=course.slug)


def _open_quiz(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if not quizzes.is_open(quiz):
        abort(404)
    return quiz


def _learner_enrolment(quiz: Quiz) -> Enrolment | None:
    enrolment = quizzes.enrolment_of(current_user, quiz)
    if enrolment is None:
        flash(_("Hãy đăng ký khóa học trước khi làm bài kiểm tra."), "warning")
    return enrolment


@bp.route("/quizzes/<id:quiz_id>")
@login_required
def quiz(quiz_id: int):
    quiz = _open_quiz(quiz_id)
    enrolment = _learner_enrolment(quiz)
    if enrolment is None:
        return redirect(course_url(quiz.module.course))
    state = quizzes.standing(enrolment, quiz)
    shown = quizzes.questions_to_answer(state.open_attempt) if state.open_attempt else []
    response = render_template("courses/quiz_page.html", quiz=quiz, course=quiz.module.course, state=state,
                               shown=shown, form=ActionForm(), course_url=course_url(quiz.module.course),
                               limit_message=quizzes.limit_message(state) if state.limit_reached else None,
                               render_markdown=render_markdown)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/quizzes/<id:quiz_id>/start", methods=["POST"])
@login_required
def start_quiz(quiz_id: int):
    quiz = _open_quiz(quiz_id)
    enrolment = _learner_enrolment(quiz)
    if enrolment is None:
        return redirect(course_url(quiz.module.course))
    if ActionForm().validate_on_submit():
        try:
            quizzes.start_attempt(enrolment, quiz)
        except quizzes.QuizError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("courses.quiz", quiz_id=quiz.id))


def _own_attempt(quiz_id: int, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.quiz_id != quiz_id:
        abort(404)
    enrolment = db.session.get(Enrolment, attempt.enrolment_id)
    if enrolment.user_id != current_user.id:
        abort(403)
    return attempt


@bp.route("/quizzes/<id:quiz_id>/attempts/<id:attempt_id>/submit", methods=["POST"])
@login_required
def submit_quiz(quiz_id: int, attempt_id: int):
    # The global CSRF protection has checked the token before this runs.
    attempt = _own_attempt(quiz_id, attempt_id)
    try:
        result = quizzes.submit(attempt, request.form)
    except quizzes.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if result.passed:
            flash(_("Chúc mừng, bạn đã đạt bài kiểm tra với %(score)d%%.", score=result.score), "success")
        else:
            flash(_("Bạn chưa đạt: %(score)d%%, cần %(mark)d%%.", score=result.score, mark=attempt.quiz.pass_mark),
                  "warning")
    return redirect(url_for("courses.quiz_result", quiz_id=quiz_id, attempt_id=attempt_id))


@bp.route("/quizzes/<id:quiz_id>/attempts/<id:attempt_id>")
@login_required
def quiz_result(quiz_id: int, attempt_id: int):
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.quiz_id != quiz_id:
        abort(404)
    enrolment = db.session.get(Enrolment, attempt.enrolment_id)
    learner = enrolment.user
    if learner.id != current_user.id and not can(current_user, "progress.view", learner.unit):
        abort(403)
    if attempt.submitted_at is None:
        if learner.id == current_user.id:
            return redirect(url_for("courses.quiz", quiz_id=quiz_id))
        abort(404)
    quiz = attempt.quiz
    state = quizzes.standing(enrolment, quiz) if learner.id == current_user.id else None
    return render_template("courses/quiz_result.html", quiz=quiz, course=quiz.module.course, attempt=attempt,
                           learner=learner, review=quizzes.review(attempt), state=state,
                           quiz_is_open=quizzes.is_open(quiz), course_url=course_url(quiz.module.course),
                           render_markdown=render_markdown)


from lms.courses import record_views  # noqa: E402,F401  (registers the learning-record exports)

"""Course pages. The learner's pages are here; quizzes, certificates, authoring and assignments
register their routes on the same blueprint from their own modules (imported at the end)."""
from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from lms.actions import RuleError
from lms.courses import services
from lms.courses.models import Course, Enrolment
from lms.db import commit_without_waiting_for_disk, db
from lms.forms import ActionForm
from lms.text import render_markdown

bp = Blueprint("courses", __name__, url_prefix="/courses")

SEARCH_MAX = 100


def _course_or_404(slug: str, outline: bool = False) -> Course:
    course = services.visible_course(slug, current_user, outline)
    if course is None:
        abort(404)
    return course


def _learner(course: Course) -> Enrolment | None:
    """The current user's enrolment; without one, say how to get it (the caller redirects)."""
    enrolment = services.enrolment_of(current_user, course.id)
    if enrolment is None:
        flash(_("Hãy đăng ký khóa học để học các bài trong khóa."), "warning")
    return enrolment


@bp.route("/")
@login_required
def catalogue():
    search = request.args.get("q", "").strip()[:SEARCH_MAX]
    cards = services.catalogue(current_user, search)
    return render_template("courses/catalogue.html", cards=cards, query=search)


@bp.route("/<slug>")
@login_required
def course(slug: str):
    course = _course_or_404(slug, outline=True)
    enrolment = services.enrolment_of(current_user, course.id)
    modules, minutes = services.course_figures([course.id]).get(course.id, (0, 0))
    by_module, resume_id, done, passed, certificate = {}, None, set(), set(), None
    if enrolment is not None:
        sequence = services.lesson_sequence(course.id)
        done = services.done_lesson_ids(enrolment)
        by_module = services.module_progress(sequence, done)
        passed = services.passed_quiz_ids(enrolment)
        resume_id = services.resume_lesson_id(enrolment, sequence, done)
        certificate = services.certificate_of(enrolment)
    return render_template(
        "courses/course.html", course=course, enrolment=enrolment, module_count=modules, minutes=minutes,
        by_module=by_module, progress=services.total_progress(by_module) if enrolment else None,
        done=done, passed=passed, resume_id=resume_id, started=bool(done or (enrolment and enrolment.last_lesson_id)),
        certificate=certificate, description=render_markdown(course.description_md),
        form=ActionForm(), today=local_today())


@bp.route("/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _enrolment, new = services.enrol(current_user, course)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("courses.course", slug=course.slug))
    db.session.commit()
    if new:
        flash(_("Bạn đã đăng ký khóa học “%(title)s”. Chúc bạn học tốt!", title=course.title), "success")
    return redirect(url_for("courses.course", slug=course.slug))


@bp.route("/<slug>/resume")
@login_required
def resume(slug: str):
    """Straight back to where the learner left off (the home page links here)."""
    course = _course_or_404(slug)
    enrolment = services.enrolment_of(current_user, course.id)
    if enrolment is None:
        return redirect(url_for("courses.course", slug=course.slug))
    lesson_id = services.resume_lesson_id(enrolment, services.lesson_sequence(course.id),
                                          services.done_lesson_ids(enrolment))
    if lesson_id is None:
        return redirect(url_for("courses.course", slug=course.slug))
    return redirect(url_for("courses.lesson", slug=course.slug, lesson_id=lesson_id))


def _lesson_for_learner(slug: str, lesson_id: int):
    course = _course_or_404(slug)
    lesson = services.active_lesson(course, lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson, _learner(course)


@bp.route("/<slug>/lessons/<id:lesson_id>")
@login_required
def lesson(slug: str, lesson_id: int):
    course, lesson, enrolment = _lesson_for_learner(slug, lesson_id)
    if enrolment is None:
        return redirect(url_for("courses.course", slug=course.slug))
    sequence = services.lesson_sequence(course.id)
    previous, following = services.neighbours(sequence, lesson.id)
    done = services.done_lesson_ids(enrolment)
    by_module = services.module_progress(sequence, done)
    module = lesson.module
    module_lessons = [ref for ref in sequence if ref.module_id == module.id]
    last_in_module = module_lessons[-1].id == lesson.id
    quiz = module.active_quiz if last_in_module else None
    page = render_template(
        "courses/lesson.html", course=course, module=module, lesson=lesson, enrolment=enrolment,
        body=render_markdown(lesson.body_md), previous=previous, following=following,
        module_lessons=module_lessons, done=done, is_done=lesson.id in done,
        module_progress=by_module.get(module.id), progress=services.total_progress(by_module),
        quiz=quiz, quiz_passed=quiz is not None and quiz.id in services.passed_quiz_ids(enrolment),
        form=ActionForm())
    # Where the learner is, recorded once the page is built: the commit's expiry would otherwise make the
    # page reload what it read, and on SQLite the write holds the database's one write lock until the commit.
    if services.open_lesson(enrolment, lesson):
        commit_without_waiting_for_disk()
    return page


@bp.route("/<slug>/lessons/<id:lesson_id>/complete", methods=["POST"])
@login_required
def complete_lesson(slug: str, lesson_id: int):
    course, lesson, enrolment = _lesson_for_learner(slug, lesson_id)
    if enrolment is None:
        return redirect(url_for("courses.course", slug=course.slug))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _new, complete = services.complete_lesson(enrolment, lesson)
        db.session.commit()
    except IntegrityError:  # the same lesson finished twice at once: the other request recorded it
        db.session.rollback()
        complete = False
    if complete:
        flash(_("Chúc mừng! Bạn đã hoàn thành khóa học “%(title)s”.", title=course.title), "success")
        return redirect(url_for("courses.course", slug=course.slug))
    flash(_("Đã ghi nhận: bạn đã học xong bài “%(title)s”.", title=lesson.title), "success")
    _previous, following = services.neighbours(services.lesson_sequence(course.id), lesson.id)
    module_ends = following is None or following.module_id != lesson.module_id
    if module_ends and lesson.module.active_quiz is not None:
        # Stay: the lesson page offers the module's quiz before the next module.
        return redirect(url_for("courses.lesson", slug=course.slug, lesson_id=lesson.id))
    if following is None:
        return redirect(url_for("courses.course", slug=course.slug))
    return redirect(url_for("courses.lesson", slug=course.slug, lesson_id=following.id))


@bp.route("/<slug>/lessons/<id:lesson_id>/print")
@login_required
def lesson_print(slug: str, lesson_id: int):
    course, lesson, enrolment = _lesson_for_learner(slug, lesson_id)
    if enrolment is None:
        return redirect(url_for("courses.course", slug=course.slug))
    return render_template("courses/lesson_print.html", course=course, module=lesson.module, lesson=lesson,
                           body=render_markdown(lesson.body_md))


@bp.route("/<slug>/modules/<id:module_id>/offline")
@login_required
def module_offline(slug: str, module_id: int):
    """The whole module as one self-contained HTML file, to read without a connection."""
    course = _course_or_404(slug)
    module = services.active_module(course, module_id)
    if module is None:
        abort(404)
    if _learner(course) is None:
        return redirect(url_for("courses.course", slug=course.slug))
    lessons = [(lesson, render_markdown(lesson.body_md)) for lesson in module.active_lessons]
    html = render_template("courses/module_offline.html", course=course, module=module,
                           intro=render_markdown(module.intro_md), lessons=lessons,
                           course_url=url_for("courses.course", slug=course.slug, _external=True))
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{module.position:02d}-{module.key}.html"'
    # The file carries its own styles; nothing else may load or run in it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
    return response


from lms.courses import assignment_views, authoring_views, certificate_views, quiz_views  # noqa: E402,F401
from lms.i18n import local_today

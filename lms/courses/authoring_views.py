"""Course authoring pages for course managers (the central office), on the courses blueprint.

Every page asks for the "course.author" scope; anyone else gets 403. The course, module and lesson
forms have a "Xem trước" button that renders the Markdown below the form without saving."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.actions import carry_out
from lms.auth.permissions import scope_required
from lms.courses import authoring
from lms.courses.authoring import AuthoringError, CourseValues, LessonValues, ModuleValues
from lms.courses.manage_forms import STATUS_LABELS, CourseForm, LessonForm, ModuleForm, StatusForm
from lms.courses.models import ACTIVE, Course, Lesson, Module
from lms.courses.views import bp
from lms.db import db
from lms.forms import ActionForm, choices
from lms.i18n import level_name
from lms.text import render_markdown


author_required = scope_required("course.author")


def _previewing(form) -> bool:
    return form.is_submitted() and request.form.get("action") == "preview"


def _refused(form, error: AuthoringError) -> None:
    """Show a refused change next to its field, or at the top of the page."""
    if error.field and error.field in form:
        form[error.field].errors.append(str(error))
    else:
        flash(str(error), "error")


def _course_page(course: Course, anchor: str | None = None):
    return redirect(url_for("courses.manage_course", course_id=course.id, _anchor=anchor))


# --- Courses --------------------------------------------------------------------------------------

@bp.route("/manage")
@author_required
def manage_list():
    return render_template("courses/manage_list.html", rows=authoring.course_table(), status_labels=STATUS_LABELS)


@bp.route("/manage/<id:course_id>")
@author_required
def manage_course(course_id: int):
    course = authoring.course_outline(course_id)
    if course is None:
        abort(404)
    return render_template("courses/manage_course.html", course=course, status_labels=STATUS_LABELS,
                           status_form=StatusForm(status=course.status), ACTIVE=ACTIVE)


def _course_form(course: Course | None) -> CourseForm:
    if course is None:
        form = CourseForm()
    else:
        form = CourseForm(obj=course, organisations=course.target_organisations, levels=course.target_levels,
                          areas=course.target_areas)
    if not authoring.slug_editable(course):
        del form.slug
    organisations = authoring.organisation_choices()
    levels = [(code, level_name(level)) for code, level in authoring.level_choices()]
    # Codes a course already targets but the tables no longer hold are kept, not silently dropped.
    for current, known in ((course.target_organisations if course else [], organisations),
                           (course.target_levels if course else [], levels)):
        known.extend((code, code) for code in current if code not in {c for c, _label in known})
    form.organisations.choices = choices(organisations)
    form.levels.choices = choices(levels)
    return form


def _course_values(form: CourseForm) -> CourseValues:
    return CourseValues(title=form.title.data or "", slug=form.slug.data if "slug" in form else None,
                        summary=form.summary.data or "", description_md=form.description_md.data or "",
                        organisations=form.organisations.data or [], levels=form.levels.data or [],
                        areas=form.areas.data or [], certificate_enabled=bool(form.certificate_enabled.data))


@bp.route("/manage/new", methods=["GET", "POST"])
@author_required
def manage_create():
    form = _course_form(None)
    if not _previewing(form) and form.validate_on_submit():
        try:
            course = authoring.create_course(_course_values(form))
        except AuthoringError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Đã tạo bản nháp khóa học “%(title)s”. Hãy thêm mô-đun và bài học, rồi phát hành.",
                    title=course.title), "success")
            return _course_page(course)
    return _form_page("courses/manage_course_form.html", form, "description_md", course=None)


@bp.route("/manage/<id:course_id>/edit", methods=["GET", "POST"])
@author_required
def manage_edit(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = _course_form(course)
    if not _previewing(form) and form.validate_on_submit():
        try:
            authoring.update_course(course, _course_values(form))
        except AuthoringError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
            return _course_page(course)
    return _form_page("courses/manage_course_form.html", form, "description_md", course=course)


@bp.route("/manage/<id:course_id>/status", methods=["POST"])
@author_required
def manage_status(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    carry_out(lambda: authoring.set_status(course, form.status.data),
              _("Khóa học đã chuyển sang trạng thái “%(status)s”.", status=STATUS_LABELS[form.status.data]))
    return _course_page(course)


# --- Modules --------------------------------------------------------------------------------------

def _module_values(form: ModuleForm) -> ModuleValues:
    return ModuleValues(title=form.title.data or "", summary=form.summary.data or "",
                        intro_md=form.intro_md.data or "")


def _form_page(template: str, form, markdown_field: str, **context):
    """An authoring form, with its Markdown rendered below it when "Xem trước" was pressed."""
    previewing = _previewing(form)
    preview = render_markdown(form[markdown_field].data) if previewing else None
    return render_template(template, form=form, previewing=previewing, preview=preview, **context)


def _module_form_page(form: ModuleForm, course: Course, module: Module | None):
    return _form_page("courses/manage_module_form.html", form, "intro_md", course=course, module=module)


@bp.route("/manage/<id:course_id>/modules/new", methods=["GET", "POST"])
@author_required
def manage_module_create(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = ModuleForm()
    if not _previewing(form) and form.validate_on_submit():
        module = authoring.add_module(course, _module_values(form))
        db.session.commit()
        flash(_("Đã thêm mô-đun “%(title)s”.", title=module.title), "success")
        return _course_page(course, f"module-{module.id}")
    return _module_form_page(form, course, None)


@bp.route("/manage/modules/<id:module_id>/edit", methods=["GET", "POST"])
@author_required
def manage_module_edit(module_id: int):
    module = db.get_or_404(Module, module_id)
    form = ModuleForm(obj=module)
    if not _previewing(form) and form.validate_on_submit():
        authoring.update_module(module, _module_values(form))
        db.session.commit()
        flash(_("Đã lưu thay đổi."), "success")
        return _course_page(module.course, f"module-{module.id}")
    return _module_form_page(form, module.course, module)


def _one_button(action, success_message: str) -> None:
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(action, success_message)


def _move(item: Module | Lesson) -> None:
    if not ActionForm().validate_on_submit():
        abort(400)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    if authoring.move(item, direction):
        db.session.commit()
        flash(_("Đã đổi thứ tự."), "success")


@bp.route("/manage/modules/<id:module_id>/move", methods=["POST"])
@author_required
def manage_module_move(module_id: int):
    module = db.get_or_404(Module, module_id)
    _move(module)
    return _course_page(module.course, f"module-{module.id}")


@bp.route("/manage/modules/<id:module_id>/archive", methods=["POST"])
@author_required
def manage_module_archive(module_id: int):
    module = db.get_or_404(Module, module_id)
    _one_button(lambda: authoring.archive(module),
                _("Đã lưu trữ mô-đun “%(title)s”. Học viên không còn thấy mô-đun, tiến độ đã học vẫn được giữ.",
                  title=module.title))
    return _course_page(module.course, f"module-{module.id}")


@bp.route("/manage/modules/<id:module_id>/restore", methods=["POST"])
@author_required
def manage_module_restore(module_id: int):
    module = db.get_or_404(Module, module_id)
    _one_button(lambda: authoring.restore(module), _("Đã khôi phục mô-đun “%(title)s”.", title=module.title))
    return _course_page(module.course, f"module-{module.id}")


# --- Lessons --------------------------------------------------------------------------------------

def _lesson_values(form: LessonForm) -> LessonValues:
    return LessonValues(title=form.title.data or "", minutes=form.minutes.data or 0,
                        competencies=form.competencies.data or [], required=bool(form.required.data),
                        body_md=form.body_md.data or "")


def _lesson_form_page(form: LessonForm, module: Module, lesson: Lesson | None):
    return _form_page("courses/manage_lesson_form.html", form, "body_md", course=module.course, module=module,
                      lesson=lesson)


@bp.route("/manage/modules/<id:module_id>/lessons/new", methods=["GET", "POST"])
@author_required
def manage_lesson_create(module_id: int):
    module = db.get_or_404(Module, module_id)
    form = LessonForm()
    if not _previewing(form) and form.validate_on_submit():
        try:
            lesson = authoring.add_lesson(module, _lesson_values(form))
        except AuthoringError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm bài học “%(title)s”.", title=lesson.title), "success")
            return _course_page(module.course, f"module-{module.id}")
    return _lesson_form_page(form, module, None)


@bp.route("/manage/lessons/<id:lesson_id>/edit", methods=["GET", "POST"])
@author_required
def manage_lesson_edit(lesson_id: int):
    lesson = db.get_or_404(Lesson, lesson_id)
    form = LessonForm(obj=lesson)
    if not _previewing(form) and form.validate_on_submit():
        try:
            authoring.update_lesson(lesson, _lesson_values(form))
        except AuthoringError as error:
            db.session.rollback()
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
            return _course_page(lesson.module.course, f"lesson-{lesson.id}")
    return _lesson_form_page(form, lesson.module, lesson)


@bp.route("/manage/lessons/<id:lesson_id>/move", methods=["POST"])
@author_required
def manage_lesson_move(lesson_id: int):
    lesson = db.get_or_404(Lesson, lesson_id)
    _move(lesson)
    return _course_page(lesson.module.course, f"lesson-{lesson.id}")


@bp.route("/manage/lessons/<id:lesson_id>/archive", methods=["POST"])
@author_required
def manage_lesson_archive(lesson_id: int):
    lesson = db.get_or_404(Lesson, lesson_id)
    _one_button(lambda: authoring.archive(lesson),
                _("Đã lưu trữ bài học “%(title)s”. Học viên không còn thấy bài, tiến độ đã học vẫn được giữ.",
                  title=lesson.title))
    return _course_page(lesson.module.course, f"lesson-{lesson.id}")


@bp.route("/manage/lessons/<id:lesson_id>/restore", methods=["POST"])
@author_required
def manage_lesson_restore(lesson_id: int):
    lesson = db.get_or_404(Lesson, lesson_id)
    _one_button(lambda: authoring.restore(lesson), _("Đã khôi phục bài học “%(title)s”.", title=lesson.title))
    return _course_page(lesson.module.course, f"lesson-{lesson.id}")

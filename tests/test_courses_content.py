"""Importing the curriculum files: idempotent, versioned without losing progress, all-or-nothing."""

import pytest
from sqlalchemy import func, select

from lms.courses.content import ContentError, import_directory
from lms.courses.models import ACTIVE, ARCHIVED, Course, Enrolment, Lesson, LessonProgress, Question
from lms.db import db
from tests.conftest import ROOT, write_course


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_importing_twice_changes_nothing_the_second_time(app_ctx, tmp_path):
    write_course(tmp_path)
    first = import_directory(tmp_path)
    lessons = _count(Lesson)
    second = import_directory(tmp_path)
    assert first.created == ["khoa-thu"] and second.unchanged == ["khoa-thu"]
    assert _count(Lesson) == lessons == 4
    assert db.session.scalar(select(Course.version)) == 1


def test_a_changed_lesson_updates_in_place_and_progress_survives(app_ctx, tmp_path, tree, cadre_a):
    folder = write_course(tmp_path)
    import_directory(tmp_path)
    lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Bài 1.1"))
    enrolment = Enrolment(user_id=cadre_a.id, course_id=lesson.module.course_id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
    db.session.commit()

    path = folder / "01-mo-dun-1" / "01-bai-1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Nội dung bài 1.1.", "Nội dung mới."), encoding="utf-8")
    report = import_directory(tmp_path)

    db.session.expire_all()
    assert report.updated == ["khoa-thu"]
    assert db.session.get(Lesson, lesson.id).body_md.strip().endswith("Nội dung mới.")
    assert db.session.scalar(select(Course.version)) == 2
    assert _count(LessonProgress) == 1


def test_a_removed_lesson_and_question_are_archived_not_deleted(app_ctx, tmp_path):
    folder = write_course(tmp_path)
    import_directory(tmp_path)
    (folder / "02-mo-dun-2" / "02-bai-2.md").unlink()
    quiz = folder / "01-mo-dun-1" / "quiz.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("m1-q5", "m1-q6"), encoding="utf-8")
    import_directory(tmp_path)
    statuses = dict(db.session.execute(select(Lesson.title, Lesson.status)).all())
    assert statuses["Bài 2.2"] == ARCHIVED and statuses["Bài 2.1"] == ACTIVE
    questions = dict(db.session.execute(select(Question.key, Question.status)).all())
    assert questions["m1-q5"] == ARCHIVED and questions["m1-q6"] == ACTIVE


@pytest.mark.parametrize("break_it, where, reason", [
    (lambda f: (f / "01-mo-dun-1" / "01-bai-1.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8"),
     "01-bai-1.md:2", "YAML không hợp lệ: "),
    (lambda f: (f / "01-mo-dun-1" / "02-bai-2.md").write_text("---\nminutes: 5\n---\nNội dung\n", encoding="utf-8"),
     "02-bai-2.md:1", "'title' là bắt buộc, không được để trống"),
    (lambda f: (f / "01-mo-dun-1" / "02-bai-2.md").write_text("---\ntitle: Bài\nminutes: năm\n---\nx\n", encoding="utf-8"),
     "02-bai-2.md:3", "'minutes' phải là số phút nguyên từ 1 đến 600"),
    (lambda f: (f / "02-mo-dun-2" / "quiz.yaml").write_text(
        (f / "02-mo-dun-2" / "quiz.yaml").read_text(encoding="utf-8").replace("correct: true", "correct: false", 1),
        encoding="utf-8"), "quiz.yaml:", ": câu hỏi một lựa chọn cần đúng một phương án đúng"),
])
def test_an_invalid_file_names_file_and_line_and_nothing_is_written(app_ctx, tmp_path, break_it, where, reason):
    write_course(tmp_path, slug="khoa-dung", title="Khóa đúng")
    broken = write_course(tmp_path, slug="khoa-loi")
    break_it(broken)
    with pytest.raises(ContentError) as error:
        import_directory(tmp_path)
    assert where in str(error.value) and reason in str(error.value)
    assert _count(Course) == 0


def test_the_shipped_curriculum_imports(app_ctx):
    report = import_directory(ROOT / "content")
    titles = set(db.session.scalars(select(Course.title)))
    assert "Quản lý, điều phối hoạt động tình nguyện" in titles
    assert "Kỹ năng tập huấn viên" in titles
    assert len(report.created) >= 3


def test_a_course_folder_may_not_take_a_reserved_address(app_ctx, tmp_path):
    write_course(tmp_path, slug="certificates")
    with pytest.raises(ContentError) as error:
        import_directory(tmp_path)
    reason = "'certificates' đã được dành cho địa chỉ của các trang khóa học; hãy đặt tên thư mục khác"
    assert reason in str(error.value)

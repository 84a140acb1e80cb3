"""Module quizzes: shuffled attempts, answers kept from the browser until submission, server-side
grading of each question type, the attempt limit, the learning record, and course completion."""
import re

import pytest
import yaml
from sqlalchemy import func, select

from lms.courses import quizzes
from lms.courses.content import import_directory
from lms.courses.models import (Certificate, Course, Enrolment, LearningRecord, Lesson, LessonProgress, Question,
                                Quiz, QuizAttempt)
from lms.db import db, utcnow
from tests.conftest import login, write_course


# --- helpers --------------------------------------------------------------------------------------

def enrol(user, course) -> Enrolment:
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def first_quiz(course: Course) -> Quiz:
    return course.active_modules[0].active_quiz


def latest_attempt(quiz: Quiz) -> QuizAttempt:
    db.session.expire_all()
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id)
                             .order_by(QuizAttempt.id.desc()).limit(1))


def start(client, quiz: Quiz) -> QuizAttempt:
    response = client.post(f"/courses/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    return latest_attempt(quiz)


def answers(attempt: QuizAttempt, wrong: set[int] = frozenset(), partial: set[int] = frozenset()) -> dict:
    """Form data answering every presented question right, except the question ids in `wrong`
    (a wrong option chosen) and in `partial` (only one of several correct options chosen)."""
    data = {}
    for item in attempt.presented:
        question = db.session.get(Question, item["question_id"])
        correct = {o["key"] for o in question.options if o["correct"]}
        right = [str(i) for i, key in enumerate(item["options"]) if key in correct]
        if question.id in wrong:
            data[f"q{question.id}"] = [str(i) for i, key in enumerate(item["options"]) if key not in correct][:1]
        elif question.id in partial:
            data[f"q{question.id}"] = right[:1]
        else:
            data[f"q{question.id}"] = right
    return data


def submit(client, attempt: QuizAttempt, data: dict):
    return client.post(f"/courses/quizzes/{attempt.quiz_id}/attempts/{attempt.id}/submit", data=data)


def graded(attempt: QuizAttempt) -> QuizAttempt:
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt.id)


def question_ids(attempt: QuizAttempt) -> list[int]:
    return [item["question_id"] for item in attempt.presented]


@pytest.fixture()
def mixed_course(app_ctx, tmp_path):
    """A one-module course whose quiz mixes single choice, multiple choice and true/false."""
    folder = write_course(tmp_path, slug="khoa-hon-hop", modules=1, lessons=1, title="Kỹ năng điều phối")
    questions = [
        {"id": "don", "type": "single", "text": "Chọn một?", "explanation": "Giải thích chọn một.",
         "options": [{"text": "Đúng", "correct": True}, {"text": "Sai"}, {"text": "Không rõ"}]},
        {"id": "nhieu", "type": "multiple", "text": "Chọn nhiều?", "explanation": "Giải thích chọn nhiều.",
         "options": [{"text": "Một", "correct": True}, {"text": "Hai", "correct": True}, {"text": "Ba"},
                     {"text": "Bốn"}]},
        {"id": "dung-sai-1", "type": "true_false", "text": "Khẳng định đúng?", "explanation": "Vì đúng.",
         "answer": True},
        {"id": "dung-sai-2", "type": "true_false", "text": "Khẳng định sai?", "explanation": "Vì sai.",
         "answer": False},
        {"id": "nhieu-2", "type": "multiple", "text": "Chọn nhiều nữa?", "explanation": "Giải thích nữa.",
         "options": [{"text": "Năm", "correct": True}, {"text": "Sáu"}, {"text": "Bảy", "correct": True}]},
    ]
    quiz = {"title": "Kiểm tra hỗn hợp", "pass_mark": 80, "max_attempts": 0, "questions": questions}
    (folder / "01-mo-dun-1" / "quiz.yaml").write_text(yaml.safe_dump(quiz, allow_unicode=True), encoding="utf-8")
    import_directory(tmp_path)
    return db.session.query(Course).filter_by(slug="khoa-hon-hop").one()


def by_key(quiz: Quiz) -> dict[str, Question]:
    return {q.key: q for q in quiz.questions}


# --- taking a quiz --------------------------------------------------------------------------------

def test_a_learner_not_enrolled_is_sent_to_the_course(client, course, cadre_a):
    login(client, cadre_a)
    quiz = first_quiz(course)
    response = client.get(f"/courses/quizzes/{quiz.id}")
    assert response.status_code == 302
    assert client.post(f"/courses/quizzes/{quiz.id}/start").status_code == 302
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0
    assert response.headers["Location"].endswith(f"/courses/{course.slug}")
    with client.session_transaction() as session:
        flashes = [message for _category, message in session["_flashes"]]
    assert "Hãy đăng ký khóa học trước khi làm bài kiểm tra." in flashes


def test_the_quiz_page_asks_to_sign_in_first(client, course):
    response = client.get(f"/courses/quizzes/{first_quiz(course).id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_quiz_is_not_found(client, course, cadre_a):
    login(client, cadre_a)
    assert client.get("/courses/quizzes/999999").status_code == 404


def test_the_attempt_page_shows_questions_but_no_answers(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    attempt = start(client, quiz)
    assert len(attempt.presented) == 5 and attempt.submitted_at is None

    page = client.get(f"/courses/quizzes/{quiz.id}").get_data(as_text=True)
    for question in quiz.active_questions:
        assert question.text in page
        assert question.explanation not in page
    assert "Giải thích" not in page and "Đáp án đúng" not in page
    assert "correct" not in page.lower()
    # Options are named by their place in this attempt's shuffled list, never by their stored key.
    values = set(re.findall(r'name="q\d+" value="([^"]*)"', page))
    assert values == {"0", "1", "2"}
    # The same attempt continues on a reload: no second attempt is started.
    assert client.get(f"/courses/quizzes/{quiz.id}").status_code == 200
    assert start(client, quiz).id == attempt.id
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_attempts_are_shuffled(app_ctx, course, cadre_a):
    enrolment = enrol(cadre_a, course)
    quiz = first_quiz(course)
    quiz.max_attempts = 0
    question_orders, option_orders = set(), set()
    for _ in range(20):
        attempt = quizzes.start_attempt(enrolment, quiz)
        attempt.submitted_at = utcnow()
        db.session.flush()
        question_orders.add(tuple(question_ids(attempt)))
        option_orders.update(tuple(item["options"]) for item in attempt.presented)
        assert sorted(question_ids(attempt)) == sorted(q.id for q in quiz.active_questions)
    assert len(question_orders) > 1
    assert len(option_orders) > 1


# --- grading --------------------------------------------------------------------------------------

def test_every_question_type_answered_right_scores_full_marks(client, mixed_course, cadre_a):
    enrol(cadre_a, mixed_course)
    login(client, cadre_a)
    attempt = start(client, first_quiz(mixed_course))
    response = submit(client, attempt, answers(attempt))
    assert response.status_code == 302
    result = graded(attempt)
    assert result.score == 100 and result.passed is True and result.submitted_at is not None


def test_a_partly_answered_multiple_choice_question_is_wrong(client, mixed_course, cadre_a):
    enrol(cadre_a, mixed_course)
    login(client, cadre_a)
    quiz = first_quiz(mixed_course)
    attempt = start(client, quiz)
    submit(client, attempt, answers(attempt, partial={by_key(quiz)["nhieu"].id}))
    result = graded(attempt)
    assert result.score == 80 and result.passed is True  # 4 of 5; pass mark 80


def test_a_multiple_choice_answer_with_an_extra_option_is_wrong(client, mixed_course, cadre_a):
    enrol(cadre_a, mixed_course)
    login(client, cadre_a)
    quiz = first_quiz(mixed_course)
    attempt = start(client, quiz)
    data = answers(attempt)
    data[f"q{by_key(quiz)['nhieu'].id}"] = ["0", "1", "2", "3"]  # every option ticked
    submit(client, attempt, data)
    assert graded(attempt).score == 80


def test_wrong_single_choice_and_true_false_answers_fail(client, mixed_course, cadre_a):
    enrol(cadre_a, mixed_course)
    login(client, cadre_a)
    quiz = first_quiz(mixed_course)
    keys = by_key(quiz)
    attempt = start(client, quiz)
    submit(client, attempt, answers(attempt, wrong={keys["don"].id, keys["dung-sai-1"].id}))
    result = graded(attempt)
    assert result.score == 60 and result.passed is False
    assert result.answers[str(keys["dung-sai-1"].id)] == ["false"]


def test_score_is_rounded_down(app_ctx, mixed_course, cadre_a):
    enrolment = enrol(cadre_a, mixed_course)
    quiz = first_quiz(mixed_course)
    attempt = quizzes.start_attempt(enrolment, quiz)
    attempt.presented = attempt.presented[:3]  # three questions, two right: 66.7 %
    keys = by_key(quiz)
    chosen = {str(item["question_id"]): [o["key"] for o in keys_by_id(keys)[item["question_id"]].options
                                         if o["correct"]] for item in attempt.presented}
    chosen[str(attempt.presented[0]["question_id"])] = []
    result = quizzes.grade(attempt, quiz, chosen)
    assert (result.correct, result.total, result.score) == (2, 3, 66)


def keys_by_id(keys: dict[str, Question]) -> dict[int, Question]:
    return {q.id: q for q in keys.values()}


def test_unanswered_questions_are_wrong_and_foreign_answers_ignored(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    other_quiz = course.active_modules[1].active_quiz
    attempt = start(client, quiz)
    data = answers(attempt)
    unanswered = question_ids(attempt)[:2]
    for question_id in unanswered:
        del data[f"q{question_id}"]
    for question in other_quiz.active_questions:  # questions of another quiz: not in this attempt
        data[f"q{question.id}"] = ["0", "1", "2"]
    data[f"q{question_ids(attempt)[2]}"] += ["99", "9" * 5000, "²", "-1"]  # positions never shown
    submit(client, attempt, data)
    result = graded(attempt)
    assert result.score == 60 and result.passed is True  # 3 of 5; pass mark 60
    assert set(result.answers) == {str(i) for i in question_ids(attempt)}
    assert all(result.answers[str(i)] == [] for i in unanswered)


def test_a_submitted_attempt_cannot_be_submitted_again(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    attempt = start(client, quiz)
    submit(client, attempt, answers(attempt, wrong=set(question_ids(attempt))))
    assert graded(attempt).score == 0
    response = submit(client, attempt, answers(attempt))
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "đã được nộp trước đó" in page
    assert graded(attempt).score == 0
    assert db.session.scalar(select(func.count(LearningRecord.id)).where(LearningRecord.verb == "attempted")) == 1


def test_nobody_else_can_submit_or_see_a_learners_attempt(client, course, cadre_a, make_user, tree):
    enrol(cadre_a, course)
    other = make_user(tree.branch_a, "Lò Văn Páo")
    enrol(other, course)
    login(client, cadre_a)
    attempt = start(client, first_quiz(course))
    client.post("/logout")
    login(client, other)
    assert submit(client, attempt, answers(attempt)).status_code == 403
    assert graded(attempt).submitted_at is None
    assert client.get(f"/courses/quizzes/{attempt.quiz_id}/attempts/{attempt.id}").status_code == 403


def test_submitting_without_the_form_token_is_refused(app, client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    attempt = start(client, first_quiz(course))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert submit(client, attempt, answers(attempt)).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert graded(attempt).submitted_at is None


# --- results, attempts and the limit --------------------------------------------------------------

def test_the_result_page_shows_answers_and_explanations(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    attempt = start(client, quiz)
    response = submit(client, attempt, answers(attempt, wrong={question_ids(attempt)[0]}))
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "80%" in page and "Đạt" in page
    for question in quiz.active_questions:
        assert question.explanation in page
    assert page.count("Đáp án đúng") == 5
    assert page.count("Bạn đã chọn") == 5


def test_fail_then_pass_lists_both_attempts(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    first = start(client, quiz)
    submit(client, first, answers(first, wrong=set(question_ids(first)[:3])))
    assert graded(first).passed is False and graded(first).score == 40
    page = client.get(f"/courses/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Chưa đạt" in page and "Làm lại bài kiểm tra" in page and "Còn 1 lượt làm bài." in page

    second = start(client, quiz)
    assert second.id != first.id
    submit(client, second, answers(second))
    assert graded(second).passed is True
    page = client.get(f"/courses/quizzes/{quiz.id}").get_data(as_text=True)
    assert "40%" in page and "100%" in page and "Lần 1" in page and "Lần 2" in page
    assert len(re.findall(r"\d\d:\d\d \d\d/\d\d/\d{4}", page)) == 2  # when each attempt was submitted
    assert "đã đạt bài kiểm tra này và đã dùng hết 2 lượt" in page


def test_after_the_last_failed_attempt_no_new_attempt_starts(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    for _ in range(2):
        attempt = start(client, quiz)
        submit(client, attempt, answers(attempt, wrong=set(question_ids(attempt))))
    page = client.get(f"/courses/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Bạn đã dùng hết 2 lượt làm bài mà chưa đạt" in page
    assert "Bắt đầu làm bài" not in page and "Làm lại bài kiểm tra" not in page
    assert 'name="q' not in page
    response = client.post(f"/courses/quizzes/{quiz.id}/start", follow_redirects=True)
    assert "Bạn đã dùng hết 2 lượt làm bài mà chưa đạt" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_a_passed_quiz_may_be_retaken_while_attempts_remain_and_the_best_counts(client, course, cadre_a):
    enrolment = enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    first = start(client, quiz)
    submit(client, first, answers(first))
    second = start(client, quiz)
    assert second.id != first.id
    submit(client, second, answers(second, wrong=set(question_ids(second))))
    state = quizzes.standing(db.session.get(Enrolment, enrolment.id), quiz)
    assert state.passed and state.best_score == 100 and state.limit_reached


def test_each_submission_is_recorded_as_xapi(client, course, cadre_a):
    enrol(cadre_a, course)
    login(client, cadre_a)
    quiz = first_quiz(course)
    attempt = start(client, quiz)
    submit(client, attempt, answers(attempt, wrong={question_ids(attempt)[0]}))
    attempt = start(client, quiz)
    submit(client, attempt, answers(attempt, wrong=set(question_ids(attempt)[:3])))
    rows = db.session.scalars(select(LearningRecord).where(LearningRecord.object_type == "quiz")
                              .order_by(LearningRecord.id)).all()
    assert [r.verb for r in rows] == ["attempted", "passed", "attempted", "failed"]
    assert rows[0].result == {"score": {"scaled": 0.8, "raw": 4, "max": 5}, "success": True}
    assert rows[3].result == {"score": {"scaled": 0.4, "raw": 2, "max": 5}, "success": False}
    assert all(r.object_id == quiz.id and r.course_id == course.id and r.actor_id == cadre_a.id for r in rows)


# --- completion -----------------------------------------------------------------------------------

def test_passing_the_last_quiz_after_every_lesson_completes_the_course_once(client, course, cadre_a):
    enrolment = enrol(cadre_a, course)
    lessons = db.session.scalars(select(Lesson)).all()
    db.session.add_all(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id) for lesson in lessons)
    db.session.commit()
    login(client, cadre_a)
    first, last = (module.active_quiz for module in course.active_modules)

    attempt = start(client, first)
    submit(client, attempt, answers(attempt))
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 0

    attempt = start(client, last)
    submit(client, attempt, answers(attempt))
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None
    certificate = db.session.scalar(select(Certificate))
    assert certificate.user_id == cadre_a.id and certificate.holder_name == "Nguyễn Thị Hoa"

    attempt = start(client, last)  # one attempt left: pass again
    submit(client, attempt, answers(attempt))
    assert graded(attempt).passed is True
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    verbs = db.session.scalars(select(LearningRecord.verb).where(LearningRecord.verb.in_(["completed", "earned"]))).all()
    assert sorted(verbs) == ["completed", "earned"]


def test_passing_a_quiz_with_lessons_left_does_not_complete_the_course(client, course, cadre_a):
    enrolment = enrol(cadre_a, course)
    login(client, cadre_a)
    for module in course.active_modules:
        attempt = start(client, module.active_quiz)
        submit(client, attempt, answers(attempt))
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 0

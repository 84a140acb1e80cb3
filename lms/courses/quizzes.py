"""Module quizzes: attempts in a shuffled order, graded on the server, limited in number.

An attempt stores what it showed (`presented`: question ids in order, each with its option keys in
order). The page identifies an option only by its position in that shuffled list, so nothing in the
HTML hints at which option is right; the correct flags and explanations are shown only after the
attempt is submitted."""
import random
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from lms.actions import RuleError
from lms.courses.completion import check_completion
from lms.courses.models import ACTIVE, DRAFT, Enrolment, Question, Quiz, QuizAttempt
from lms.courses.records import record
from lms.db import db, utcnow
from lms.people.models import User

_random = random.SystemRandom()


class QuizError(RuleError):
    """A quiz action the rules refuse; the message is for the learner."""


def is_open(quiz: Quiz | None) -> bool:
    """Whether the quiz can be shown at all: in the current version of a course that is not a draft."""
    return (quiz is not None and quiz.status == ACTIVE and quiz.module.status == ACTIVE
            and quiz.module.course.status != DRAFT)


def enrolment_of(user: User, quiz: Quiz) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                     Enrolment.course_id == quiz.module.course_id))


# --- Where a learner stands -----------------------------------------------------------------------

@dataclass
class Standing:
    """A learner's attempts at one quiz and what they may do next."""

    quiz: Quiz
    attempts: list[QuizAttempt]  # newest first
    open_attempt: QuizAttempt | None

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if a.submitted_at is not None]

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def remaining(self) -> int | None:
        """Attempts left, or None when the quiz has no limit."""
        if self.quiz.max_attempts == 0:
            return None
        return max(self.quiz.max_attempts - self.used, 0)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.submitted)

    @property
    def best_score(self) -> int | None:
        scores = [a.score for a in self.submitted if a.score is not None]
        return max(scores) if scores else None

    @property
    def may_start(self) -> bool:
        return self.open_attempt is None and self.remaining != 0

    @property
    def limit_reached(self) -> bool:
        return self.open_attempt is None and self.remaining == 0


def standing(enrolment: Enrolment, quiz: Quiz) -> Standing:
    attempts = list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.quiz_id == quiz.id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())))
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    return Standing(quiz, attempts, open_attempt)


def limit_message(state: Standing) -> str:
    count = state.quiz.max_attempts
    if state.passed:
        return ngettext("Bạn đã đạt bài kiểm tra này và đã dùng hết %(num)d lượt làm bài.",
                        "Bạn đã đạt bài kiểm tra này và đã dùng hết %(num)d lượt làm bài.", count)
    return ngettext("Bạn đã dùng hết %(num)d lượt làm bài mà chưa đạt, nên không thể làm thêm. "
                    "Hãy liên hệ tập huấn viên hoặc quản trị đơn vị để được hỗ trợ.",
                    "Bạn đã dùng hết %(num)d lượt làm bài mà chưa đạt, nên không thể làm thêm. "
                    "Hãy liên hệ tập huấn viên hoặc quản trị đơn vị để được hỗ trợ.", count)


# --- Starting -------------------------------------------------------------------------------------

def start_attempt(enrolment: Enrolment, quiz: Quiz) -> QuizAttempt:
    """The learner's open attempt, or a new one with the questions and their options shuffled."""
    state = standing(enrolment, quiz)
    if state.open_attempt is not None:
        return state.open_attempt
    if state.limit_reached:
        raise QuizError(limit_message(state))
    questions = quiz.active_questions
    if not questions:
        raise QuizError(_("Bài kiểm tra này chưa có câu hỏi nào."))
    presented = []
    for question in _random.sample(questions, len(questions)):
        keys = [option["key"] for option in question.options]
        presented.append({"question_id": question.id, "options": _random.sample(keys, len(keys))})
    attempt = QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, presented=presented)
    db.session.add(attempt)
    enrolment.last_activity_at = utcnow()
    db.session.flush()
    return attempt


# --- Showing --------------------------------------------------------------------------------------

@dataclass
class ShownOption:
    position: int  # the value the form sends back
    key: str
    text: str
    correct: bool = False  # filled in for a review only
    chosen: bool = False


@dataclass
class ShownQuestion:
    number: int
    question: Question
    options: list[ShownOption]
    is_correct: bool = False

    @property
    def field(self) -> str:
        return f"q{self.question.id}"

    @property
    def multiple(self) -> bool:
        return self.question.kind == "multiple"


def _questions_of(attempt: QuizAttempt) -> dict[int, Question]:
    ids = [item["question_id"] for item in attempt.presented]
    return {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}


def _shown(attempt: QuizAttempt) -> list[ShownQuestion]:
    """The attempt's questions in the order shown, each option with its text and position only."""
    questions = _questions_of(attempt)
    shown = []
    for item in attempt.presented:
        question = questions.get(item["question_id"])
        if question is None:
            continue
        texts = {option["key"]: option["text"] for option in question.options}
        options = [ShownOption(position, key, texts[key])
                   for position, key in enumerate(item["options"]) if key in texts]
        shown.append(ShownQuestion(len(shown) + 1, question, options))
    return shown


def questions_to_answer(attempt: QuizAttempt) -> list[ShownQuestion]:
    """What the attempt page may show: question and option texts, nothing about the answers."""
    return _shown(attempt)


def review(attempt: QuizAttempt) -> list[ShownQuestion]:
    """A submitted attempt, question by question: what was chosen, what is right."""
    answers = attempt.answers or {}
    shown = _shown(attempt)
    for item in shown:
        correct = {o["key"] for o in item.question.options if o.get("correct")}
        chosen = set(answers.get(str(item.question.id), []))
        for option in item.options:
            option.correct, option.chosen = option.key in correct, option.key in chosen
        item.is_correct = bool(correct) and chosen == correct
    return shown


# --- Submitting -----------------------------------------------------------------------------------

def read_answers(attempt: QuizAttempt, form) -> dict[str, list[str]]:
    """The option keys chosen per question of the attempt, from the form's option positions.
    Positions that are not numbers or not shown are dropped; other questions are ignored."""
    answers = {}
    for item in attempt.presented:
        keys = item["options"]
        chosen = set()
        for raw in form.getlist(f"q{item['question_id']}"):
            if len(raw) <= 3 and raw.isascii() and raw.isdigit() and int(raw) < len(keys):
                chosen.add(keys[int(raw)])
        answers[str(item["question_id"])] = sorted(chosen)
    return answers


@dataclass
class Grade:
    correct: int
    total: int
    score: int  # percent, rounded down
    passed: bool

    @property
    def result(self) -> dict:
        """The grade as an xAPI result."""
        scaled = round(self.correct / self.total, 4) if self.total else 0.0
        return {"score": {"scaled": scaled, "raw": self.correct, "max": self.total}, "success": self.passed}


def grade(attempt: QuizAttempt, quiz: Quiz, answers: dict[str, list[str]]) -> Grade:
    """Grade against the questions the attempt presented. A question is right when the set of keys
    chosen equals the set of correct keys: one key for single choice and true/false, all of them and
    nothing else for multiple choice. Unanswered questions are wrong."""
    questions = _questions_of(attempt)
    total = len(attempt.presented)
    correct = 0
    for item in attempt.presented:
        question = questions.get(item["question_id"])
        if question is None:
            continue
        right = {o["key"] for o in question.options if o.get("correct")}
        if right and set(answers.get(str(question.id), [])) == right:
            correct += 1
    score = correct * 100 // total if total else 0
    return Grade(correct, total, score, score >= quiz.pass_mark)


def close_once(attempt, now) -> bool:
    """Mark the attempt (a quiz's or a knowledge test's) submitted at `now` unless it already is, with a
    guarded UPDATE, so that two simultaneous submissions count once. Returns whether this call closed it."""
    model = type(attempt)
    closed = db.session.execute(update(model)
                                .where(model.id == attempt.id, model.submitted_at.is_(None))
                                .values(submitted_at=now).execution_options(synchronize_session=False))
    return closed.rowcount == 1


def submit(attempt: QuizAttempt, form) -> Grade:
    """Grade and close the attempt, record it, and complete the course when this pass was the last
    thing missing. A submitted attempt is never graded again. The caller commits."""
    now = utcnow()
    if not close_once(attempt, now):
        raise QuizError(_("Bài làm này đã được nộp trước đó; không thể nộp lại."))
    quiz = attempt.quiz
    answers = read_answers(attempt, form)
    result = grade(attempt, quiz, answers)
    attempt.answers, attempt.score, attempt.passed, attempt.submitted_at = answers, result.score, result.passed, now

    enrolment = db.session.get(Enrolment, attempt.enrolment_id)
    enrolment.last_activity_at = now
    user, course_id = enrolment.user, enrolment.course_id
    record(user, "attempted", "quiz", quiz.id, quiz.title, course_id=course_id, result=result.result)
    record(user, "passed" if result.passed else "failed", "quiz", quiz.id, quiz.title, course_id=course_id,
           result=result.result)
    if result.passed:
        db.session.flush()
        check_completion(enrolment)
    return result

"""The campaign's knowledge test: up to three questions a competency of the framework, drawn from the
question bank of the published courses by their competency tags, shown and graded like a module quiz
(lms.courses.quizzes reads only `presented` and `answers`, so it serves a KnowledgeAttempt as well).
One attempt per participant. Each competency's share of right answers gives its level
(scoring.knowledge_level); a question tagged with two competencies counts for both."""
import random
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessments import scoring
from lms.assessments.instruments import InstrumentError, lock, require_open
from lms.assessments.models import KNOWLEDGE, KnowledgeAttempt, Participant, Rating
from lms.courses.models import ACTIVE, PUBLISHED, Course, Module, Question, Quiz
from lms.courses.quizzes import close_once, read_answers
from lms.db import db, utcnow
from lms.people.models import User

QUESTIONS_PER_COMPETENCY = 3

_random = random.SystemRandom()


class KnowledgeError(InstrumentError):
    """A knowledge-test action the rules refuse; the message is for the cadre."""


# --- The question bank ----------------------------------------------------------------------------

def question_bank(codes: list[str]) -> dict[str, list[int]]:
    """Ids of the questions usable in a test, by competency code: active questions of active quizzes of
    active modules of published courses. Tags are JSON, so they are matched here rather than in SQL."""
    wanted = set(codes)
    bank: dict[str, list[int]] = {code: [] for code in codes}
    rows = db.session.execute(
        select(Question.id, Question.competencies).join(Quiz, Quiz.id == Question.quiz_id)
        .join(Module, Module.id == Quiz.module_id).join(Course, Course.id == Module.course_id)
        .where(Question.status == ACTIVE, Quiz.status == ACTIVE, Module.status == ACTIVE,
               Course.status == PUBLISHED)
        .order_by(Question.id))
    for question_id, tags in rows:
        for code in set(tags or ()) & wanted:
            bank[code].append(question_id)
    return bank


@dataclass
class KnowledgePlan:
    """What a test for this framework would hold: how many questions each competency can have."""

    available: dict[str, int]  # competency code -> questions the test draws for it (at most 3)

    @property
    def most_questions(self) -> int:
        return sum(self.available.values())

    @property
    def without_questions(self) -> list[str]:
        return [code for code, count in self.available.items() if count == 0]

    @property
    def can_start(self) -> bool:
        return self.most_questions > 0


def _codes(participant: Participant) -> list[str]:
    return [competency.code for competency in participant.campaign.framework.competencies]


def plan_for(participant: Participant) -> KnowledgePlan:
    bank = question_bank(_codes(participant))
    return KnowledgePlan({code: min(len(ids), QUESTIONS_PER_COMPETENCY) for code, ids in bank.items()})


def draw_questions(codes: list[str], rng: random.Random = _random) -> list[int]:
    """Up to three questions a competency, none twice, in a shuffled order."""
    bank = question_bank(codes)
    chosen: list[int] = []
    taken: set[int] = set()
    for code in codes:
        pool = [question_id for question_id in bank[code] if question_id not in taken]
        for question_id in rng.sample(pool, min(len(pool), QUESTIONS_PER_COMPETENCY)):
            chosen.append(question_id)
            taken.add(question_id)
    rng.shuffle(chosen)
    return chosen


# --- The attempt ----------------------------------------------------------------------------------

def attempt_of(participant: Participant) -> KnowledgeAttempt | None:
    return db.session.scalar(select(KnowledgeAttempt).where(KnowledgeAttempt.participant_id == participant.id))


def _require_own(participant: Participant, user: User) -> None:
    if participant.user_id != user.id:
        raise KnowledgeError(_("Chỉ chính cán bộ được làm bài kiểm tra của mình."))


def start_test(participant: Participant, user: User, rng: random.Random = _random) -> KnowledgeAttempt:
    """The cadre's attempt in progress, or a new one with its questions and their options shuffled by `rng`
    (unpredictable unless a caller, such as the demo, passes a seeded one). Refused once the test has been
    submitted (one attempt), outside the campaign's open time, and when the question bank has nothing for
    any competency of the framework. The caller commits."""
    _require_own(participant, user)
    require_open(participant.campaign, KNOWLEDGE)
    lock(participant)
    attempt = attempt_of(participant)
    if attempt is not None:
        if attempt.submitted_at is not None:
            raise KnowledgeError(_("Bạn đã làm bài kiểm tra kiến thức của đợt đánh giá này; mỗi người chỉ làm một lần."))
        return attempt
    question_ids = draw_questions(_codes(participant), rng)
    if not question_ids:
        raise KnowledgeError(_("Ngân hàng câu hỏi chưa có câu hỏi nào cho các năng lực của đợt đánh giá này, "
                               "nên chưa thể làm bài kiểm tra. Hãy báo quản trị đơn vị."))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(question_ids)))}
    presented = []
    for question_id in question_ids:
        keys = [option["key"] for option in questions[question_id].options]
        presented.append({"question_id": question_id, "options": rng.sample(keys, len(keys))})
    attempt = KnowledgeAttempt(participant_id=participant.id, presented=presented)
    db.session.add(attempt)
    db.session.flush()
    return attempt


@dataclass
class KnowledgeResult:
    correct: int
    asked: int
    score: int  # percent, rounded down
    per_competency: dict[str, list[int]]  # code -> [correct, asked]
    levels: dict[str, int]  # code -> level given


def grade(attempt: KnowledgeAttempt, answers: dict[str, list[str]], codes: list[str]) -> KnowledgeResult:
    """Grade like a module quiz — a question is right when the options chosen are exactly the correct
    ones; unanswered is wrong — and count each question for every competency of `codes` it is tagged with."""
    ids = [item["question_id"] for item in attempt.presented]
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    per: dict[str, list[int]] = {}
    correct = 0
    wanted = set(codes)
    for item in attempt.presented:
        question = questions.get(item["question_id"])
        if question is None:
            continue
        right = {option["key"] for option in question.options if option.get("correct")}
        is_right = bool(right) and set(answers.get(str(question.id), [])) == right
        correct += is_right
        for code in sorted(set(question.competencies or ()) & wanted):
            counts = per.setdefault(code, [0, 0])
            counts[0] += is_right
            counts[1] += 1
    asked = len(attempt.presented)
    per = {code: per[code] for code in codes if code in per}
    levels = {code: scoring.knowledge_level(right, total) for code, (right, total) in per.items()}
    return KnowledgeResult(correct, asked, correct * 100 // asked if asked else 0, per, levels)


def submit_test(attempt: KnowledgeAttempt, user: User, form) -> KnowledgeResult:
    """Grade and close the attempt, rate each competency it asked about (source KNOWLEDGE), mark the
    knowledge test done and recompute the results. A submitted attempt is never graded again.
    The caller commits, or rolls back when this raises."""
    participant = db.session.get(Participant, attempt.participant_id)
    _require_own(participant, user)
    require_open(participant.campaign, KNOWLEDGE)
    now = utcnow()
    if not close_once(attempt, now):
        raise KnowledgeError(_("Bài kiểm tra này đã được nộp trước đó; không thể nộp lại."))
    lock(participant)
    codes = _codes(participant)
    answers = read_answers(attempt, form)
    result = grade(attempt, answers, codes)
    attempt.answers, attempt.per_competency, attempt.score = answers, result.per_competency, result.score
    attempt.submitted_at = now

    existing = {rating.competency_code: rating for rating in db.session.scalars(
        select(Rating).where(Rating.participant_id == participant.id, Rating.source == KNOWLEDGE))}
    for code, level in result.levels.items():
        rating = existing.get(code)
        if rating is None:
            rating = Rating(participant_id=participant.id, source=KNOWLEDGE, competency_code=code)
        rating.level, rating.rated_by_id, rating.rated_at = level, None, now
        db.session.add(rating)
    participant.knowledge_done_at = now
    db.session.flush()
    scoring.recompute(participant)
    return result

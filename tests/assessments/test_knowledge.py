"""The knowledge test: questions drawn from the published courses' question bank by competency tag,
nothing on the page giving the answers away, one attempt, levels by share right, then a review."""
import re

from sqlalchemy import func, select

from lms.assessments.knowledge import draw_questions, question_bank
from lms.assessments.models import CAMPAIGN_CLOSED, KNOWLEDGE, SELF, CompetencyResult, KnowledgeAttempt
from lms.courses.models import ARCHIVED, DRAFT, Question
from lms.db import db
from tests.assessments.test_instruments import make_campaign, make_participant, ratings, sign_in_as, text


def knowledge_url(participant, action: str = "") -> str:
    return f"/assessments/participations/{participant.id}/knowledge" + (f"/{action}" if action else "")




def _setup(framework, tree, central_admin, cadre, instruments=(KNOWLEDGE,)):
    participant = make_participant(make_campaign(framework, tree.central, central_admin, instruments=instruments),
                                   cadre)
    db.session.commit()
    return participant


def _answers(attempt, right: bool) -> dict:
    """The form a cadre sends: for each question, the position of the option "Đúng" (or of another)."""
    questions = {q.id: q for q in db.session.scalars(select(Question))}
    form = {}
    for item in attempt.presented:
        texts = {o["key"]: o["text"] for o in questions[item["question_id"]].options}
        position = next(i for i, key in enumerate(item["options"]) if (texts[key] == "Đúng") == right)
        form[f"q{item['question_id']}"] = str(position)
    return form


def test_answering_everything_right_gives_plan_level_three(client, framework, tree, central_admin, cadre_a, course):
    participant = _setup(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    intro = text(client.get(knowledge_url(participant)))
    assert "Tối đa 3 câu" in intro and "Một lần duy nhất." in intro
    assert "Ngân hàng câu hỏi chưa có câu nào cho: Điều phối đội hình tình nguyện, Bảo đảm an toàn, " \
           "Tập huấn cho cán bộ." in intro
    assert client.post(knowledge_url(participant, "start")).status_code == 302

    attempt = db.session.scalar(select(KnowledgeAttempt))
    assert len(attempt.presented) == 3  # up to three PLAN questions; the other competencies have none
    assert len({item["question_id"] for item in attempt.presented}) == 3
    response = client.get(knowledge_url(participant))
    page = text(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert page.count('type="radio"') == 9
    # Options are told apart by their position only; nothing says which one is right.
    assert "correct" not in page.lower() and "Đáp án đúng" not in page and "Giải thích" not in page
    assert set(re.findall(r'name="q\d+" value="(\d+)"', page)) == {"0", "1", "2"}

    response = client.post(knowledge_url(participant, "submit"), data=_answers(attempt, right=True))
    assert response.status_code == 302
    review = text(client.get(knowledge_url(participant)))
    assert "Đã nộp bài: đúng 3/3 câu (100%)." in review
    assert "Đáp án đúng" in review and re.search(r"Giải thích \d\.\d\.", review)
    assert "Mức 3 · Thành thạo" in review

    db.session.expire_all()
    attempt = db.session.get(KnowledgeAttempt, attempt.id)
    assert attempt.per_competency == {"PLAN": [3, 3]} and attempt.score == 100
    assert {code: r.level for code, r in ratings(participant, KNOWLEDGE).items()} == {"PLAN": 3}
    results = {r.competency_code: r.achieved for r in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}
    assert results == {"PLAN": 3, "TEAM": None, "SAFE": None, "TRAIN": None}
    db.session.refresh(participant)
    assert participant.knowledge_done_at is not None and participant.completed_at is not None

    # One attempt only.
    response = client.post(knowledge_url(participant, "start"), follow_redirects=True)
    assert "mỗi người chỉ làm một lần" in text(response)
    again = client.post(knowledge_url(participant, "submit"), data=_answers(attempt, right=False), follow_redirects=True)
    assert "đã được nộp trước đó" in text(again)
    assert db.session.scalar(select(func.count(KnowledgeAttempt.id))) == 1
    assert ratings(participant, KNOWLEDGE)["PLAN"].level == 3


def test_wrong_and_unanswered_count_against(client, framework, tree, central_admin, cadre_a, course):
    participant = _setup(framework, tree, central_admin, cadre_a, instruments=(SELF, KNOWLEDGE))
    sign_in_as(client, cadre_a)
    client.post(knowledge_url(participant, "start"))
    attempt = db.session.scalar(select(KnowledgeAttempt))
    form = _answers(attempt, right=False)
    first = f"q{attempt.presented[0]['question_id']}"
    form[first] = _answers(attempt, right=True)[first]  # one right of three: 33 % → 1
    client.post(knowledge_url(participant, "submit"), data=form)
    assert ratings(participant, KNOWLEDGE)["PLAN"].level == 1
    db.session.refresh(participant)
    assert participant.completed_at is None  # the self-assessment is still to do


def test_a_question_tagged_with_two_competencies_counts_for_both(app_ctx, framework, course):
    question = db.session.scalars(select(Question)).first()
    question.competencies = ["PLAN", "SAFE"]
    db.session.commit()
    bank = question_bank(["PLAN", "TEAM", "SAFE"])
    assert len(bank["PLAN"]) == 10 and bank["SAFE"] == [question.id] and bank["TEAM"] == []
    drawn = draw_questions(["PLAN", "TEAM", "SAFE"])
    assert len(drawn) == len(set(drawn)) and 3 <= len(drawn) <= 4


def test_questions_come_only_from_the_live_bank(app_ctx, framework, course):
    questions = list(db.session.scalars(select(Question).order_by(Question.id)))
    assert len(question_bank(["PLAN"])["PLAN"]) == 10
    questions[0].status = ARCHIVED
    db.session.flush()
    assert len(question_bank(["PLAN"])["PLAN"]) == 9
    course.status = DRAFT
    db.session.flush()
    assert question_bank(["PLAN"]) == {"PLAN": []}


def test_no_question_in_the_bank_says_so_and_does_not_start(client, framework, tree, central_admin, cadre_a):
    participant = _setup(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    page = text(client.get(knowledge_url(participant)))
    assert "Ngân hàng câu hỏi chưa có câu hỏi nào cho các năng lực của đợt đánh giá này" in page
    assert "Bắt đầu làm bài" not in page
    response = client.post(knowledge_url(participant, "start"), follow_redirects=True)
    assert "chưa thể làm bài kiểm tra" in text(response)
    assert db.session.scalar(select(func.count(KnowledgeAttempt.id))) == 0


def test_only_the_cadre_takes_their_test(client, framework, tree, central_admin, cadre_a, admin_a, course):
    participant = _setup(framework, tree, central_admin, cadre_a)
    sign_in_as(client, admin_a)
    assert client.get(knowledge_url(participant)).status_code == 403
    assert client.post(knowledge_url(participant, "start")).status_code == 403
    assert client.post(knowledge_url(participant, "submit")).status_code == 403
    assert db.session.scalar(select(func.count(KnowledgeAttempt.id))) == 0


def test_no_test_outside_a_campaign_that_uses_it_or_once_closed(client, framework, tree, central_admin, cadre_a,
                                                               course):
    self_only = _setup(framework, tree, central_admin, cadre_a, instruments=(SELF,))
    sign_in_as(client, cadre_a)
    assert client.get(knowledge_url(self_only)).status_code == 404

    campaign = make_campaign(framework, tree.central, central_admin, instruments=(KNOWLEDGE,), title="Đợt 2")
    participant = make_participant(campaign, cadre_a)
    db.session.commit()
    client.post(knowledge_url(participant, "start"))
    campaign.status = CAMPAIGN_CLOSED
    db.session.commit()
    attempt = db.session.scalar(select(KnowledgeAttempt))
    assert "đã kết thúc" in text(client.get(knowledge_url(participant)))
    response = client.post(knowledge_url(participant, "submit"), data=_answers(attempt, right=True), follow_redirects=True)
    assert "đã kết thúc" in text(response)
    db.session.expire_all()
    assert db.session.get(KnowledgeAttempt, attempt.id).submitted_at is None
    assert ratings(participant, KNOWLEDGE) == {}

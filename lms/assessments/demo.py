"""Demo assessments, on the framework the content import has published: volunteer roles read from the
synthetic cadres' positions; last year's national campaign of the Đoàn, closed, with self and
supervisor ratings for most cadres of the two demo provinces and both provincial capacity assessments
approved (An Giang's after one return); and this year's campaign, open, part-way through, with An
Giang's capacity assessment awaiting the central office and Bát Xát's awaiting Lào Cai. The demo
learner has last year's results (with gaps) and this year's tasks still to do; Lào Cai has not yet
started this year's capacity assessment.

Everything goes through the same services as the pages. Loading it again adds nothing: campaigns are
looked up by unit and title first. The caller commits."""
import random
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from werkzeug.datastructures import MultiDict

from lms.assessments import instruments, knowledge, unit_assessments
from lms.assessments.campaigns import close_campaign, create_campaign, launch_campaign
from lms.assessments.framework import indicators_for_level, latest_published
from lms.assessments.instruments import RatingInput
from lms.assessments.models import (
    DECLARED, KNOWLEDGE, SELF, SUPERVISOR, TRAINER, Campaign, Participant, Rating, UnitAssessment,
    UnitAssessmentEvent)
from lms.assessments.unit_assessments import AnswerInput
from lms.assessments.unit_indicators import YES
from lms.auth.permissions import Role
from lms.courses.models import Question
from lms.db import db
from lms.i18n import local_today
from lms.people.models import COORDINATOR, SECRETARY, TEAM_LEADER, User
from lms.people.services import grant_role, unit_by_code

CENTRAL, PROVINCE_A, PROVINCE_B, GRASSROOTS_A = "DOAN-TW", "DOAN-LCI", "DOAN-AGG", "DOAN-LCI-BATXAT"
CENTRAL_ADMIN, ADMIN_A, ADMIN_B, LEARNER = ("trunguong@example.org", "admin.tinha@example.org",
                                            "admin.tinhb@example.org", "hocvien@example.org")
TARGET_LEVELS = ["province", "grassroots", "branch"]
# Position words that say what a cadre does in volunteer work.
ROLE_BY_POSITION = ((COORDINATOR, "Điều phối viên%"), (TEAM_LEADER, "Đội trưởng%"),
                    (TEAM_LEADER, "Chủ nhiệm%"), (SECRETARY, "Bí thư%"))
# The demo learner's own self-assessment last year, against what a grassroots coordinator is expected.
LEARNER_LAST_YEAR = {"LAW": 2, "MOB": 3, "PLAN": 2, "RES": 1, "INTL": 1, "TEAM": 2, "SAFE": 2, "COMM": 3,
                     "EVAL": 2, "DIGI": 3, "TRAIN": 2}


def load_demo_assessments() -> None:
    framework = latest_published()
    central_admin = _user(CENTRAL_ADMIN)
    if framework is None or central_admin is None or unit_by_code(PROVINCE_A) is None:
        return  # no framework imported, or no demo accounts to hang the campaigns on
    _assign_volunteer_roles()
    year = local_today().year
    if _campaign(f"Đánh giá năng lực cán bộ Đoàn năm {year - 1}") is None:
        _last_year(framework, central_admin, year - 1)
    if _campaign(f"Đánh giá năng lực cán bộ Đoàn năm {year}") is None:
        _this_year(framework, central_admin, year)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _campaign(title: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.title == title))


def _assign_volunteer_roles() -> None:
    for role, pattern in ROLE_BY_POSITION:
        db.session.execute(update(User).where(User.volunteer_role.is_(None), User.position.like(pattern))
                           .values(volunteer_role=role))
    db.session.execute(update(User).where(User.email == LEARNER).values(volunteer_role=COORDINATOR))


def _launch(framework, central_admin: User, title: str, description: str, instrument_list: list[str]) -> Campaign:
    today = local_today()
    campaign = create_campaign(central_admin, {
        "title": title, "description": description, "unit": unit_by_code(CENTRAL), "framework": framework,
        "target_levels": TARGET_LEVELS, "target_roles": [], "instruments": instrument_list, "assess_units": True,
        "opens_on": today, "due_on": today + timedelta(days=45)})
    launch_campaign(campaign)
    db.session.flush()
    return campaign


def _participants(campaign: Campaign) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.campaign_id == campaign.id)
                                   .order_by(Participant.id)))


def _supervisor(participant: Participant, admins: dict[str, User]) -> User:
    """The demo admin of the unit above: the province's for its grassroots units and branches, the central
    office's for the province-level cadres."""
    unit_path = participant.unit.path
    for code in (PROVINCE_A, PROVINCE_B):
        province = unit_by_code(code)
        if unit_path.startswith(province.path) and unit_path != province.path:
            return admins[code]
    return admins[CENTRAL]


def _levels_near(expected: dict[str, int], rng: random.Random, shifts: tuple[int, ...]) -> dict[str, int]:
    return {code: min(4, max(1, (level or 1) + rng.choice(shifts))) for code, level in expected.items()}


def _take_test(participant: Participant) -> None:
    """The knowledge test, answered right about two times in three. Its questions are drawn, and its answers
    chosen, from a sequence seeded by the participant, so every load of the demo gives the same results."""
    rng = random.Random(participant.id)
    attempt = knowledge.start_test(participant, participant.user, rng)
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_([item["question_id"] for item in attempt.presented])))}
    form = MultiDict()
    for item in attempt.presented:
        right = [key for key in item["options"]
                 if any(o["key"] == key and o.get("correct") for o in questions[item["question_id"]].options)]
        chosen = right if rng.random() < 0.67 else [rng.choice(item["options"])]
        for key in chosen:
            form.add(f"q{item['question_id']}", str(item["options"].index(key)))
    knowledge.submit_test(attempt, participant.user, form)


def _rate(campaign: Campaign, rng: random.Random, self_share: float, supervisor_share: float,
          skip: set[int]) -> None:
    admins = {CENTRAL: _user(CENTRAL_ADMIN), PROVINCE_A: _user(ADMIN_A), PROVINCE_B: _user(ADMIN_B)}
    codes = [competency.code for competency in campaign.framework.competencies]
    with_test = campaign.uses(KNOWLEDGE) and any(knowledge.question_bank(codes).values())
    for participant in _participants(campaign):
        if participant.user_id in skip or rng.random() >= self_share:
            continue
        levels = _levels_near(participant.expected, rng, (-1, 0, 0, 1))
        instruments.save_self_assessment(participant, participant.user,
                                         {code: RatingInput(level) for code, level in levels.items()})
        if rng.random() < supervisor_share / self_share:
            levels = _levels_near(participant.expected, rng, (-2, -1, -1, 0))
            instruments.save_supervisor_assessment(
                participant, _supervisor(participant, admins),
                {code: RatingInput(level, text="Cần thêm trải nghiệm thực tế." if level < 3 else "")
                 for code, level in levels.items()})
            if with_test:
                _take_test(participant)


def _answers(assessment: UnitAssessment, volunteer_teams: int) -> dict[str, AnswerInput]:
    """What a provincial office or grassroots unit typically declares, with its evidence."""
    answers = {}
    unit = assessment.unit
    for indicator in indicators_for_level(assessment.campaign.framework, unit.level.code):
        if indicator.kind != DECLARED:
            continue
        target = indicator.targets.get(unit.level.code)
        if indicator.answer_type == "yes_no":
            value = YES
        elif indicator.answer_type == "number":
            value = str(volunteer_teams if indicator.code == "volunteer-teams" else int(target or 0) + 2)
        else:
            value = "Duy trì mô hình “Ngày thứ Bảy tình nguyện” ở các xã vùng cao."
        link = f"https://example.org/{unit.code.lower()}/{indicator.code}.pdf" if indicator.evidence_required else ""
        answers[indicator.code] = AnswerInput(value=value, evidence_url=link,
                                              evidence_text=f"Văn bản lưu tại văn phòng {unit.name}.")
    return answers


def _assessment(campaign: Campaign, code: str) -> UnitAssessment | None:
    unit = unit_by_code(code)
    return db.session.scalar(select(UnitAssessment).where(UnitAssessment.campaign_id == campaign.id,
                                                          UnitAssessment.unit_id == unit.id))


def _submit(campaign: Campaign, code: str, admin: User, volunteer_teams: int = 18) -> UnitAssessment | None:
    assessment = _assessment(campaign, code)
    if assessment is not None:
        unit_assessments.submit(assessment, admin, _answers(assessment, volunteer_teams))
        db.session.flush()
    return assessment


def _last_year(framework, central_admin: User, year: int) -> None:
    campaign = _launch(framework, central_admin, f"Đánh giá năng lực cán bộ Đoàn năm {year}",
                       "Đợt đánh giá năng lực quản lý, điều phối hoạt động tình nguyện hằng năm của cán bộ Đoàn "
                       "các cấp: cán bộ tự đánh giá, cấp trên trực tiếp đánh giá; các đơn vị tự đánh giá năng lực "
                       "và gửi cấp trên thẩm định.", [SELF, SUPERVISOR])
    learner = _user(LEARNER)
    _rate(campaign, random.Random(year), 0.8, 0.6, skip={learner.id} if learner else set())
    if learner is not None:
        participant = db.session.scalar(select(Participant).where(Participant.campaign_id == campaign.id,
                                                                  Participant.user_id == learner.id))
        if participant is not None:
            instruments.save_self_assessment(participant, learner, {
                code: RatingInput(level, text="Đã tham gia tổ chức Chiến dịch Mùa hè xanh ở xã.")
                for code, level in LEARNER_LAST_YEAR.items() if code in participant.expected})
            instruments.save_supervisor_assessment(participant, _user(ADMIN_A), {
                code: RatingInput(max(1, level - 1), text="Cần chủ động hơn khi lập kế hoạch và huy động nguồn lực.")
                for code, level in LEARNER_LAST_YEAR.items() if code in participant.expected})
    admin_a, admin_b = _user(ADMIN_A), _user(ADMIN_B)
    if _submit(campaign, PROVINCE_A, admin_a):
        unit_assessments.approve(_assessment(campaign, PROVINCE_A), central_admin,
                                 "Tỉnh đoàn đã có điều phối viên chuyên trách và kế hoạch năm rõ ràng.")
    if _submit(campaign, PROVINCE_B, admin_b, volunteer_teams=9):
        assessment = _assessment(campaign, PROVINCE_B)
        unit_assessments.return_for_changes(
            assessment, central_admin, "Đề nghị bổ sung trước khi phê duyệt.",
            {"volunteer-teams": "Số đội hình chưa khớp với báo cáo 6 tháng (21 đội hình); đề nghị rà soát lại."})
        unit_assessments.submit(assessment, admin_b, _answers(assessment, 21))
        unit_assessments.approve(assessment, central_admin, "Đã khớp với báo cáo.")
    db.session.flush()
    close_campaign(campaign)
    _date_back(campaign, year)


def _date_back(campaign: Campaign, year: int) -> None:
    """Move last year's campaign and everything done in it to its own dates."""
    opened = datetime.combine(campaign.opens_on.replace(year=year, month=3, day=1), time(8))
    done = opened + timedelta(days=40)
    campaign.opens_on, campaign.due_on = opened.date(), opened.date().replace(month=5, day=31)
    campaign.launched_at, campaign.created_at, campaign.closed_at = opened, opened, done + timedelta(days=45)
    ids = select(Participant.id).where(Participant.campaign_id == campaign.id)
    for column in (Participant.self_done_at, Participant.supervisor_done_at, Participant.completed_at):
        db.session.execute(update(Participant).where(Participant.campaign_id == campaign.id, column.is_not(None))
                           .values({column.key: done}))
    db.session.execute(update(Rating).where(Rating.participant_id.in_(ids)).values(rated_at=done))
    assessments = select(UnitAssessment.id).where(UnitAssessment.campaign_id == campaign.id)
    db.session.execute(update(UnitAssessmentEvent).where(UnitAssessmentEvent.assessment_id.in_(assessments))
                       .values(at=done + timedelta(days=10)))
    db.session.execute(update(UnitAssessment).where(UnitAssessment.campaign_id == campaign.id,
                                                    UnitAssessment.submitted_at.is_not(None))
                       .values(submitted_at=done + timedelta(days=5), reviewed_at=done + timedelta(days=10)))


def _grassroots_secretary() -> User | None:
    """A cadre of Bát Xát made the administrator of its Đoàn, to send the unit's own assessment."""
    unit = unit_by_code(GRASSROOTS_A)
    learner = _user(LEARNER)
    cadre = db.session.scalar(select(User).where(User.unit_id == unit.id, User.id != (learner.id if learner else 0),
                                                 User.is_active.is_(True)).order_by(User.id).limit(1))
    if cadre is not None:
        grant_role(cadre, Role.UNIT_ADMIN, unit)
        db.session.flush()
    return cadre


def _this_year(framework, central_admin: User, year: int) -> None:
    campaign = _launch(framework, central_admin, f"Đánh giá năng lực cán bộ Đoàn năm {year}",
                       "Đợt đánh giá năm nay thêm bài kiểm tra kiến thức lấy từ ngân hàng câu hỏi của chương trình "
                       "bồi dưỡng, và phiếu đánh giá thực hành cho tập huấn viên.",
                       [SELF, SUPERVISOR, KNOWLEDGE, TRAINER])
    learner = _user(LEARNER)
    _rate(campaign, random.Random(year), 0.45, 0.25, skip={learner.id} if learner else set())
    _submit(campaign, PROVINCE_B, _user(ADMIN_B))  # awaits the central office
    secretary = _grassroots_secretary()
    if secretary is not None:
        _submit(campaign, GRASSROOTS_A, secretary, volunteer_teams=4)  # awaits Lào Cai
    campaign.opens_on = local_today() - timedelta(days=14)
    campaign.launched_at = datetime.combine(campaign.opens_on, time(8))

"""Demo cascade: a master trainer at Trung ương Đoàn trains two provincial trainers (Lào Cai and An Giang)
in a ToT cohort; each provincial trainer runs grassroots cohorts in their province (one closed, with
sessions, attendance and completions; one open, with sessions still to come), taking participants from
the province's synthetic cadres, first from mountainous, ethnic-minority, border and island units; a few
grassroots trainers come out of those cohorts, and one of them has already run a small cohort of their
own. Each province also has a yearly training plan, partly met.

Certification is shown as the rules have it: a certified trainer completed the cohort that trained them,
completed the ToT course online (when that course is in the database), ran a cohort that has closed,
and passed a practicum assessed by a trainer of a higher tier certified at the time; the master trainer
was certified by the central office. Dates are counted back from today.

Loading it again adds nothing: accounts, profiles, cohorts (by unit and title) and plan items (by unit,
year, quarter and target group) are looked up first. The caller commits."""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, insert, select, update

from lms.auth.permissions import Role
from lms.auth.services import hash_password
from lms.courses import services as courses
from lms.courses.completion import check_completion
from lms.courses.records import record, record_row
from lms.courses.models import (ACTIVE, PUBLISHED, Certificate, Course, Enrolment, LearningRecord, Lesson,
                                LessonProgress, Module, Quiz, QuizAttempt)
from lms.db import db
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people.models import User
from lms.people.services import create_account, grant_role, unit_by_code
from lms.trainers.models import (ABSENT, CANDIDATE, CERTIFIED, CLOSED, CO_TRAINER, GRASSROOTS, LEAD, MASTER, OPEN, PRESENT, PROVINCIAL,
                                 Attendance, CertificationEvent, Cohort, CohortParticipant, CohortTrainer,
                                 Practicum, TrainerProfile, TrainingPlanItem, TrainingSession)
from lms.trainers.plans import CADRES, CLUB_HEADS, COORDINATORS, TEAM_LEADERS, TRAINERS

CENTRAL = "DOAN-TW"
CENTRAL_ADMIN_EMAIL = "trunguong@example.org"
PROVINCIAL_A_EMAIL = "taphuanvien@example.org"
MASTER_EMAIL = "master.trainer@example.org"
PROVINCIAL_B_EMAIL = "taphuanvien.tinhb@example.org"
# e-mail, full name, unit code, position, role held over which unit
DEMO_TRAINER_ACCOUNTS = [
    (MASTER_EMAIL, "Đỗ Thị Thu Hà", CENTRAL, "Tập huấn viên nguồn, Trung tâm Thông tin Nguồn lực Tình nguyện"),
    (PROVINCIAL_B_EMAIL, "Trần Minh Khoa", "DOAN-AGG", "Tập huấn viên cấp tỉnh"),
]
TOT_COURSE, SHORT_COURSE = "ky-nang-tap-huan-vien", "dieu-phoi-vien-co-so"
CERTIFICATE_YEARS = 2  # a trainer certificate holds for 24 months
# Scores 1–4 on each criterion of the practicum rubric; passed when each is 3 or more.
RUBRIC = {"preparation": 4, "delivery": 3, "facilitation": 4, "learner_assessment": 3}

TOT_TITLE = "Lớp bồi dưỡng tập huấn viên cấp tỉnh về quản lý, điều phối tình nguyện – khóa 01"
TOT_TOPICS = ["Người lớn học như thế nào", "Thiết kế buổi tập huấn", "Điều phối thảo luận và xử lý tình huống",
              "Thực hành đứng lớp và nhận xét"]


@dataclass(frozen=True)
class GrassrootsCohort:
    unit_code: str
    title: str
    place: str
    target_group: str
    starts: int  # days from today
    ends: int
    sessions: tuple[tuple[int, str], ...]  # (days from today, topic)
    size: int
    open: bool


PROVINCES = {
    "DOAN-LCI": (PROVINCIAL_A_EMAIL, "admin.tinha@example.org", [
        GrassrootsCohort("DOAN-LCI-BATXAT", "Lớp tập huấn điều phối viên tình nguyện xã Bát Xát",
                         "Nhà văn hóa xã Bát Xát", COORDINATORS, -100, -70,
                         ((-100, "Vai trò của điều phối viên"), (-85, "Một hoạt động tình nguyện từ A đến Z"),
                          (-70, "Giữ chân tình nguyện viên")), 12, False),
        GrassrootsCohort("DOAN-LCI-MUONGKHUONG", "Lớp tập huấn đội trưởng đội hình tình nguyện Mường Khương",
                         "Hội trường Đoàn xã Mường Khương", TEAM_LEADERS, -20, 24,
                         ((-20, "Khảo sát nhu cầu cộng đồng"), (-6, "Lập kế hoạch hoạt động của đội hình"),
                          (8, "An toàn cho tình nguyện viên vùng cao"), (22, "Báo cáo và ghi nhận")), 10, True),
    ]),
    "DOAN-AGG": (PROVINCIAL_B_EMAIL, "admin.tinhb@example.org", [
        GrassrootsCohort("DOAN-AGG-PHUQUOC", "Lớp tập huấn điều phối viên tình nguyện đặc khu Phú Quốc",
                         "Nhà văn hóa đặc khu Phú Quốc", COORDINATORS, -80, -50,
                         ((-80, "Vai trò của điều phối viên"), (-65, "Một hoạt động tình nguyện từ A đến Z"),
                          (-50, "Giữ chân tình nguyện viên")), 12, False),
        GrassrootsCohort("DOAN-AGG-TINHBIEN", "Lớp tập huấn chủ nhiệm câu lạc bộ tình nguyện Tịnh Biên",
                         "Nhà văn hóa phường Tịnh Biên", CLUB_HEADS, -15, 30,
                         ((-15, "Tổ chức và duy trì câu lạc bộ"), (-1, "Vận động nguồn lực tại chỗ"),
                          (13, "Hoạt động tình nguyện vùng biên giới"), (27, "Đánh giá và báo cáo")), 10, True),
    ]),
}
BRANCH_TITLE = "Sinh hoạt chuyên đề: kỹ năng tình nguyện cho đoàn viên"
BRANCH_SIZE = 6


def load_demo_trainers() -> dict[str, int]:
    """Add what is missing of the demo cascade; returns how many accounts, cohorts and plan items it
    added."""
    from lms.demo import DEMO_PASSWORD, named_account_emails

    today = local_today()
    added = {"accounts": 0, "cohorts": 0, "plan_items": 0}
    central_unit = unit_by_code(CENTRAL)
    central_admin = _user(CENTRAL_ADMIN_EMAIL)
    if central_unit is None or central_admin is None or _user(PROVINCIAL_A_EMAIL) is None:
        return added  # the demo accounts are not there: nothing to hang the cascade on

    password_hash = None
    for email, full_name, unit_code, position in DEMO_TRAINER_ACCOUNTS:
        if _user(email) is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            unit = unit_by_code(unit_code)
            create_account(full_name=full_name, unit=unit, email=email, position=position,
                           password_hash=password_hash, gender="nu" if " Thị " in full_name else "nam",
                           ethnicity="Kinh", roles=((Role.TRAINER, unit),))
            added["accounts"] += 1
    db.session.flush()
    demo_emails = named_account_emails()
    tot_course = _course(TOT_COURSE)
    short_course = _course(SHORT_COURSE)

    # The master trainer, certified by the central office.
    master_user = _user(MASTER_EMAIL)
    master, new = _profile(master_user, MASTER, today - timedelta(days=685))
    if new:
        _event(master, central_admin, None, today - timedelta(days=685),
               "Công nhận tập huấn viên nguồn sau khóa tập huấn giảng viên của Trung ương Đoàn.")

    # The ToT cohort at the centre, where both provincial trainers were trained.
    provincial_users = [_user(email) for email, *_rest in PROVINCES.values()]
    tot, new = _cohort(central_unit, TOT_TITLE, created_by=central_admin, lead=master, place="Hà Nội",
                       mode="blended", course=tot_course, target_group=TRAINERS, starts=today - timedelta(days=210),
                       ends=today - timedelta(days=206), status=CLOSED)
    if new:
        added["cohorts"] += 1
        _sessions(tot, master, [(today - timedelta(days=210 - i), topic) for i, topic in enumerate(TOT_TOPICS)])
        _participants(tot, [u.id for u in provincial_users], completed=lambda _i: True)
        _attendance(tot, lambda _i, _s: PRESENT)

    provincial = {}
    for province_code, (trainer_email, admin_email, cohorts) in PROVINCES.items():
        user = _user(trainer_email)
        # Certified a few days after the first grassroots cohort they ran, where the master trainer
        # assessed their practicum.
        first = next(c for c in cohorts if not c.open)
        certified_on = today + timedelta(days=first.ends + 5)
        profile, new = _profile(user, PROVINCIAL, certified_on, trained_in=tot)
        provincial[province_code] = profile
        admin = _user(admin_email) or central_admin
        items = _plan(province_code, admin, cohorts, short_course, today, added)
        _grassroots(province_code, profile, cohorts, items, short_course, demo_emails, today, added)
        if new:
            closed = _demo_cohort(first)
            _practicum(profile, master, closed, today + timedelta(days=first.starts + 15),
                       "Đứng lớp tự tin, điều phối thảo luận nhóm tốt; cần quản lý thời gian chặt hơn.")
            _event(profile, master_user, closed, certified_on,
                   "Hoàn thành lớp bồi dưỡng tập huấn viên cấp tỉnh, khóa học trực tuyến và bài thực hành.")

    _grassroots_trainers(provincial, demo_emails, today, added)

    if tot_course is not None:
        demo_trainers = select(TrainerProfile).where(
            TrainerProfile.status == CERTIFIED,
            (TrainerProfile.id.in_([master.id, *(p.id for p in provincial.values())])
             | TrainerProfile.trained_in_cohort_id.in_(select(CohortTrainer.cohort_id).where(
                 CohortTrainer.trainer_id.in_([p.id for p in provincial.values()])))))
        for profile in db.session.scalars(demo_trainers).all():
            finished = profile.certified_at - timedelta(days=20)
            trained_in = profile.trained_in_cohort
            if trained_in is not None and trained_in.course_id == tot_course.id:
                # The cohort required the course: finished before the cohort's last day.
                finished = min(finished, _at(trained_in.ends_on - timedelta(days=1), 20))
            _complete_tot_course(profile.user, tot_course, finished)
    db.session.flush()
    return added


# --- Pieces ---------------------------------------------------------------------------------------

def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.lower()))


def _course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.status == PUBLISHED))


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _demo_cohort(spec: "GrassrootsCohort") -> Cohort:
    return db.session.scalar(select(Cohort).where(Cohort.unit_id == unit_by_code(spec.unit_code).id,
                                                  Cohort.title == spec.title))


def _profile(user: User, tier: str, certified_on: date | None, *, trained_in: Cohort | None = None,
             status: str = CERTIFIED) -> tuple[TrainerProfile, bool]:
    profile = db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == user.id))
    if profile is not None:
        return profile, False
    certified = status == CERTIFIED and certified_on is not None
    profile = TrainerProfile(user_id=user.id, tier=tier, status=status,
                             trained_in_cohort_id=trained_in.id if trained_in else None,
                             certified_at=_at(certified_on) if certified else None,
                             expires_on=_years_later(certified_on, CERTIFICATE_YEARS) if certified else None)
    if certified_on is not None:
        profile.created_at = _at(certified_on - timedelta(days=30))
    db.session.add(profile)
    db.session.flush()
    return profile, True


def _event(profile: TrainerProfile, by: User, cohort: Cohort | None, day: date, note: str) -> None:
    db.session.add(CertificationEvent(trainer_id=profile.id, action="certified", by_user_id=by.id,
                                      cohort_id=cohort.id if cohort else None, note=note, at=_at(day, 16)))


def _practicum(profile: TrainerProfile, assessor: TrainerProfile, cohort: Cohort | None, day: date,
               comments: str) -> None:
    db.session.add(Practicum(trainer_id=profile.id, assessor_id=assessor.id, cohort_id=cohort.id if cohort else None,
                             passed=True, rubric=RUBRIC, comments=comments, assessed_at=_at(day, 15)))


def _cohort(unit: Unit, title: str, *, created_by: User, lead: TrainerProfile, place: str, course: Course | None,
            target_group: str, starts: date, ends: date, status: str, mode: str = "in_person",
            plan_item: TrainingPlanItem | None = None) -> tuple[Cohort, bool]:
    cohort = db.session.scalar(select(Cohort).where(Cohort.unit_id == unit.id, Cohort.title == title))
    if cohort is not None:
        return cohort, False
    cohort = Cohort(title=title, unit_id=unit.id, mode=mode, place=place, course_id=course.id if course else None,
                    requires_course=course is not None, starts_on=starts, ends_on=ends, target_group=target_group,
                    status=status, closed_at=_at(ends, 17) if status == CLOSED else None,
                    plan_item_id=plan_item.id if plan_item else None, created_by_id=created_by.id,
                    created_at=_at(starts - timedelta(days=21)))
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortTrainer(cohort_id=cohort.id, trainer_id=lead.id, role=LEAD))
    return cohort, True


def _sessions(cohort: Cohort, trainer: TrainerProfile, days_topics) -> None:
    db.session.execute(insert(TrainingSession), [
        {"cohort_id": cohort.id, "held_on": day, "topic": topic, "trainer_id": trainer.id}
        for day, topic in days_topics])


def _participants(cohort: Cohort, user_ids: list[int], completed) -> None:
    """Bulk insert; `completed(index)` decides each participant's result once the cohort is closed."""
    if not user_ids:
        return
    closed = cohort.status == CLOSED
    results = [completed(index) if closed else None for index in range(len(user_ids))]
    db.session.execute(insert(CohortParticipant), [
        {"cohort_id": cohort.id, "user_id": user_id, "added_at": _at(cohort.starts_on - timedelta(days=7)),
         "completed": result, "certificate_code": secrets.token_urlsafe(12) if result else None}
        for user_id, result in zip(user_ids, results)])


def _attendance(cohort: Cohort, status, today: date | None = None) -> None:
    """Bulk insert of attendance at the sessions already held: `status(participant index, session index)`."""
    sessions = db.session.execute(
        select(TrainingSession.id, TrainingSession.held_on).where(TrainingSession.cohort_id == cohort.id)
        .order_by(TrainingSession.held_on, TrainingSession.id)).all()
    participants = db.session.scalars(select(CohortParticipant.user_id).where(CohortParticipant.cohort_id == cohort.id)
                                      .order_by(CohortParticipant.id)).all()
    rows = [{"session_id": session_id, "user_id": user_id, "status": status(p, s), "recorded_at": _at(held_on, 17)}
            for s, (session_id, held_on) in enumerate(sessions) if today is None or held_on <= today
            for p, user_id in enumerate(participants)]
    if rows:
        db.session.execute(insert(Attendance), rows)


def _pick_cadres(province: Unit, near: Unit, count: int, exclude: list[str]) -> list[int]:
    """Synthetic cadres of the province not in a demo cohort yet and not trainers: those of the cohort's own
    unit first, then those of units with the most area flags."""
    flags = (case((Unit.is_mountainous, 1), else_=0) + case((Unit.is_ethnic_minority, 1), else_=0)
             + case((Unit.is_border, 1), else_=0) + case((Unit.is_island, 1), else_=0))
    taken = select(CohortParticipant.user_id).join(Cohort, Cohort.id == CohortParticipant.cohort_id).join(
        Unit, Unit.id == Cohort.unit_id).where(Unit.path.startswith(province.path, autoescape=True))
    return list(db.session.scalars(
        select(User.id).join(Unit, Unit.id == User.unit_id)
        .where(Unit.path.startswith(province.path, autoescape=True), Unit.id != province.id, User.is_active,
               User.email.is_(None) | User.email.not_in(exclude), User.id.not_in(taken),
               User.id.not_in(select(TrainerProfile.user_id)))
        .order_by(case((Unit.path.startswith(near.path, autoescape=True), 0), else_=1), flags.desc(), User.id)
        .limit(count)))


def _quarter(day: date, year: int) -> int:
    return (day.month + 2) // 3 if day.year == year else 1


def _plan(province_code: str, admin: User, cohorts: list[GrassrootsCohort], short_course: Course | None,
          today: date, added: dict) -> list[TrainingPlanItem]:
    """The province's plan for this year: one item per demo cohort (the open one's cohort is linked to it),
    and one item no cohort has met yet. Returns the items in the order of `cohorts`."""
    year = today.year
    unit = unit_by_code(province_code)
    later = min(4, (today.month + 2) // 3 + 1)
    wanted = [(_quarter(today + timedelta(days=c.starts), year), c.target_group,
               short_course if c.open else None, 1 if not c.open else 2, c.size if not c.open else 40)
              for c in cohorts]
    wanted.append((later, CADRES if province_code.endswith("AGG") else CLUB_HEADS, None, 2, 60))
    items = []
    for quarter, group, course, planned_cohorts, planned_participants in wanted:
        item = db.session.scalar(select(TrainingPlanItem).where(
            TrainingPlanItem.unit_id == unit.id, TrainingPlanItem.year == year, TrainingPlanItem.quarter == quarter,
            TrainingPlanItem.target_group == group))
        if item is None:
            item = TrainingPlanItem(unit_id=unit.id, year=year, quarter=quarter, target_group=group,
                                    course_id=course.id if course else None, planned_cohorts=planned_cohorts,
                                    planned_participants=planned_participants, created_by_id=admin.id)
            db.session.add(item)
            db.session.flush()
            added["plan_items"] += 1
        items.append(item)
    return items[:len(cohorts)]


def _grassroots(province_code: str, trainer: TrainerProfile, cohorts: list[GrassrootsCohort],
                items: list[TrainingPlanItem], short_course: Course | None, demo_emails: list[str], today: date,
                added: dict) -> None:
    province = unit_by_code(province_code)
    for spec, item in zip(cohorts, items, strict=True):
        unit = unit_by_code(spec.unit_code)
        cohort, new = _cohort(
            unit, spec.title, created_by=trainer.user, lead=trainer, place=spec.place,
            course=short_course if spec.open else None, target_group=spec.target_group,
            starts=today + timedelta(days=spec.starts), ends=today + timedelta(days=spec.ends),
            status=OPEN if spec.open else CLOSED, plan_item=item if spec.open else None)
        if not new:
            continue
        added["cohorts"] += 1
        _sessions(cohort, trainer, [(today + timedelta(days=day), topic) for day, topic in spec.sessions])
        user_ids = _pick_cadres(province, unit, spec.size, demo_emails)
        if spec.open:
            _participants(cohort, user_ids, completed=lambda _i: None)
            # Absent at one of the last two sessions: every third participant.
            _attendance(cohort, lambda p, s: ABSENT if (p % 3 == 1 and s == 1) or (p % 5 == 4 and s == 0)
                        else PRESENT, today)
            if short_course is not None:
                _bulk_enrol(short_course, user_ids, today)
        else:
            # Present at every session to complete (the attendance threshold is 80 %).
            _participants(cohort, user_ids, completed=lambda i: i % 4 != 3)
            _attendance(cohort, lambda p, s: ABSENT if p % 4 == 3 and s == 1 else PRESENT)


def _bulk_enrol(course: Course, user_ids: list[int], today: date) -> None:
    """Participants of an open cohort in its online course: a third active in the last days, a third
    not seen for three weeks, a third never started."""
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id,
                                                                      Enrolment.user_id.in_(user_ids))))
    lessons = [ref.id for ref in courses.lesson_sequence(course.id)]
    lesson_titles = dict(db.session.execute(select(Lesson.id, Lesson.title).where(Lesson.id.in_(lessons[:3]))).all())
    rows, progress, records = [], [], []
    for index, user_id in enumerate(user_ids):
        if user_id in enrolled:
            continue
        enrolled_at = _at(today - timedelta(days=25))
        last = {0: _at(today - timedelta(days=2), 20), 1: _at(today - timedelta(days=21), 20)}.get(index % 3)
        done = lessons[:3 if index % 3 == 0 else 1] if last else []
        rows.append({"user_id": user_id, "course_id": course.id, "enrolled_at": enrolled_at,
                     "last_lesson_id": done[-1] if done else None, "last_activity_at": last})
        records.append(record_row(user_id, "registered", "course", course.id, course.title, course.id, enrolled_at))
        for lesson_id in done:
            records.append(record_row(user_id, "completed", "lesson", lesson_id, lesson_titles[lesson_id], course.id,
                                      last))
            progress.append((user_id, lesson_id, last))
    if not rows:
        return
    db.session.execute(insert(Enrolment), rows)
    ids = dict(db.session.execute(select(Enrolment.user_id, Enrolment.id).where(
        Enrolment.course_id == course.id, Enrolment.user_id.in_([r["user_id"] for r in rows]))).all())
    if progress:
        db.session.execute(insert(LessonProgress), [
            {"enrolment_id": ids[user_id], "lesson_id": lesson_id, "completed_at": at}
            for user_id, lesson_id, at in progress])
    db.session.execute(insert(LearningRecord), records)


def _grassroots_trainers(provincial: dict[str, TrainerProfile], demo_emails: list[str], today: date,
                         added: dict) -> None:
    """Grassroots trainers out of each province's closed cohort. In Lào Cai, one certified: they ran a
    small cohort of their own, where their provincial trainer assessed their practicum; and one candidate.
    In An Giang, one candidate co-training the open cohort, whose practicum there has passed."""
    for province_code, (_email, _admin, cohorts) in PROVINCES.items():
        cohort = _demo_cohort(next(c for c in cohorts if not c.open))
        completed = db.session.scalars(
            select(CohortParticipant.user_id).where(CohortParticipant.cohort_id == cohort.id,
                                                    CohortParticipant.completed.is_(True))
            .order_by(CohortParticipant.id).limit(2)).all()
        already = db.session.scalar(select(func.count(TrainerProfile.id))
                                    .where(TrainerProfile.trained_in_cohort_id == cohort.id))
        if already or not completed:
            continue
        assessor = provincial[province_code]
        first = db.session.get(User, completed[0])
        if province_code == "DOAN-LCI":
            certified_on = today - timedelta(days=25)
            profile, _new = _profile(first, GRASSROOTS, certified_on, trained_in=cohort)
            grant_role(first, Role.TRAINER, first.unit)
            branch = _branch_cohort(profile, first, demo_emails, today, added)
            _practicum(profile, assessor, branch, today - timedelta(days=30),
                       "Bài thực hành tốt, biết dùng ví dụ gần gũi với thanh niên vùng cao.")
            _event(profile, assessor.user, branch, certified_on,
                   "Hoàn thành lớp điều phối viên xã Bát Xát, khóa học trực tuyến và bài thực hành.")
            if len(completed) > 1:
                _profile(db.session.get(User, completed[1]), GRASSROOTS, None, trained_in=cohort, status=CANDIDATE)
        else:
            profile, _new = _profile(first, GRASSROOTS, None, trained_in=cohort, status=CANDIDATE)
            open_cohort = _demo_cohort(next(c for c in cohorts if c.open))
            db.session.add(CohortTrainer(cohort_id=open_cohort.id, trainer_id=profile.id, role=CO_TRAINER))
            _practicum(profile, assessor, open_cohort, today - timedelta(days=1),
                       "Đạt bài thực hành; cần hoàn thành khóa học trực tuyến trước khi được công nhận.")


def _branch_cohort(trainer: TrainerProfile, user: User, demo_emails: list[str], today: date,
                   added: dict) -> Cohort:
    """A small closed cohort run by a grassroots trainer in their own unit: the cascade's third tier."""
    province = unit_by_code("DOAN-LCI")
    cohort, new = _cohort(user.unit, BRANCH_TITLE, created_by=user, lead=trainer, place="Nhà văn hóa thôn",
                          course=None, target_group=CADRES, starts=today - timedelta(days=30),
                          ends=today - timedelta(days=30), status=CLOSED)
    if not new:
        return cohort
    added["cohorts"] += 1
    _sessions(cohort, trainer, [(today - timedelta(days=30), "Kỹ năng tình nguyện cơ bản cho đoàn viên")])
    _participants(cohort, _pick_cadres(province, user.unit, BRANCH_SIZE, demo_emails), completed=lambda _i: True)
    _attendance(cohort, lambda _p, _s: PRESENT)
    return cohort


def _complete_tot_course(user: User, course: Course, finished: datetime) -> None:
    """The ToT course completed online on `finished`: every required lesson done and every quiz passed,
    through the course services (learning record and certificate included), then dated as it happened."""
    enrolment = courses.enrolment_of(user, course.id)
    if enrolment is not None and enrolment.completed_at is not None:
        return
    if enrolment is None:
        enrolment, _new = courses.enrol(user, course)
    quizzes = db.session.execute(
        select(Quiz.id, Quiz.title).join(Module, Module.id == Quiz.module_id)
        .where(Module.course_id == course.id, Module.status == ACTIVE, Quiz.status == ACTIVE)).all()
    for quiz_id, title in quizzes:
        db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz_id, presented=[], answers={}, score=100,
                                   passed=True, submitted_at=finished))
        record(user, "passed", "quiz", quiz_id, title, course_id=course.id,
               result={"score": {"scaled": 1.0}, "success": True})
    db.session.flush()
    for ref in courses.lesson_sequence(course.id):
        if ref.required:
            courses.complete_lesson(enrolment, db.session.get(Lesson, ref.id))
    check_completion(enrolment)
    if enrolment.completed_at is None:
        return
    done_at, started_at = finished, finished - timedelta(days=40)
    enrolment.enrolled_at, enrolment.completed_at, enrolment.last_activity_at = started_at, done_at, done_at
    db.session.execute(update(Certificate).where(Certificate.enrolment_id == enrolment.id).values(issued_at=done_at))
    db.session.execute(update(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
                       .values(completed_at=done_at))
    db.session.execute(update(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment.id)
                       .values(started_at=done_at, submitted_at=done_at))
    db.session.execute(update(LearningRecord).where(LearningRecord.actor_id == user.id,
                                                    LearningRecord.course_id == course.id)
                       .values(timestamp=done_at))

"""Demo dataset: the units of two provinces, five accounts to click through, and a few hundred
synthetic cadres with realistic Vietnamese names, most of them enrolled in the core course over the last
twenty months; the demo learner is part-way through the core course and has a short course to finish by a
due date. Loading it twice changes nothing."""
import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, or_, select

from lms.assessments.demo import load_demo_assessments
from lms.auth.permissions import Role
from lms.auth.services import hash_password
from lms.courses import services
from lms.courses.demo import load_core_history
from lms.courses.models import CORE_COURSE_SLUG, PUBLISHED, Assignment, Course, Lesson
from lms.db import db
from lms.orgs.loader import load_directory
from lms.orgs.models import Unit
from lms.people.contact import normalise_phone
from lms.people.models import RoleAssignment, User, name_fields
from lms.people.services import create_account, unit_by_code
from lms.reports.demo import load_demo_reports
from lms.trainers.demo import DEMO_TRAINER_ACCOUNTS, load_demo_trainers
from lms.vietnamese import fold
from lms.i18n import local_today

DEMO_PASSWORD = "demo1234"
PROVINCE_A, PROVINCE_B = "DOAN-LCI", "DOAN-AGG"

DEMO_ACCOUNTS = [
    # e-mail, full name, unit code, position, extra roles (role, unit code)
    ("hocvien@example.org", "Nguyễn Thị Hoa", "DOAN-LCI-BATXAT", "Phó Bí thư Đoàn xã", ()),
    ("taphuanvien@example.org", "Lò Văn Minh", PROVINCE_A, "Tập huấn viên cấp tỉnh",
     ((Role.TRAINER, PROVINCE_A),)),
    ("admin.tinhA@example.org", "Trần Văn Hùng", PROVINCE_A, "Chánh Văn phòng Tỉnh đoàn",
     ((Role.UNIT_ADMIN, PROVINCE_A),)),
    ("admin.tinhB@example.org", "Lê Thị Ngọc Hân", PROVINCE_B, "Phó Chánh Văn phòng Tỉnh đoàn",
     ((Role.UNIT_ADMIN, PROVINCE_B),)),
    ("trunguong@example.org", "Phạm Quốc Bảo", "DOAN-TW",
     "Chuyên viên Trung tâm Thông tin Nguồn lực Tình nguyện",
     tuple((role, unit) for unit in ("DOAN-TW", "HLHTN-TW", "HSV-TW")
           for role in (Role.CENTRAL_ADMIN, Role.REVIEWER))),
]

_KINH_FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + [
    "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh"]
_MALE_MIDDLE = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân", "Tiến", "Ngọc", "Trọng", "Hoài"]
_FEMALE_MIDDLE = ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Hồng", "Mỹ", "Khánh", "Thùy", "Bảo", "Kim"]
_MALE_GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang",
               "Khánh", "Kiên", "Long", "Lộc", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
               "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Ân", "Đông"]
_FEMALE_GIVEN = ["An", "Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền",
                 "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo",
                 "Thư", "Trang", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ánh"]
# Names as written by ethnic-minority communities of the two demo provinces.
_HIGHLAND_NAMES = [("Giàng A", "Páo", "nam", "Mông"), ("Sùng Thị", "Mai", "nu", "Mông"),
                   ("Thào A", "Dình", "nam", "Mông"), ("Vàng Thị", "Dợ", "nu", "Mông"),
                   ("Lò Văn", "Sáng", "nam", "Thái"), ("Tẩn Láo", "Lở", "nam", "Dao"),
                   ("Lý Thị", "Sử", "nu", "Dao"), ("Hoàng Thị", "Pết", "nu", "Tày"),
                   ("Lù Văn", "Pao", "nam", "Giáy"), ("Ma Thị", "Chiêm", "nu", "Nùng")]
_KHMER_NAMES = [("Chau", "Sóc Kha", "nam", "Khmer"), ("Néang", "Sa Rây", "nu", "Khmer"),
                ("Chau", "Ra Ni", "nam", "Khmer"), ("Néang", "Sóc Phia", "nu", "Khmer"),
                ("Chau", "Thanh Sơn", "nam", "Khmer"), ("Néang", "Ca Ly", "nu", "Khmer")]
_POSITIONS = ["Bí thư Chi đoàn", "Phó Bí thư Chi đoàn", "Ủy viên Ban Chấp hành", "Đoàn viên",
              "Đội trưởng đội hình tình nguyện", "Chủ nhiệm Câu lạc bộ tình nguyện", "Bí thư Đoàn cơ sở",
              "Cán bộ chuyên trách", "Điều phối viên tình nguyện"]
_MOBILE_PREFIXES = ["091", "094", "088", "098", "097", "096", "086", "090", "093", "070", "077",
                    "079", "032", "033", "035", "037", "039", "081", "083", "085"]


def load_demo(content_dir: Path, synthetic_cadres: int = 300) -> dict[str, int]:
    """Load the demo; returns the demo accounts and synthetic cadres it created (none when it is there)."""
    load_directory(content_dir / "units")
    load_directory(content_dir / "demo")
    if db.session.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])):
        load_demo_learning()
        load_demo_core_history()
        load_demo_trainers()
        load_demo_assessments()
        load_demo_reports()
        db.session.commit()
        return {"accounts": 0, "cadres": 0}
    accounts_before = _accounts()
    password_hash = hash_password(DEMO_PASSWORD)
    for email, full_name, unit_code, position, roles in DEMO_ACCOUNTS:
        create_account(full_name=full_name, unit=unit_by_code(unit_code), email=email, position=position,
                       password_hash=password_hash, gender="nu" if " Thị " in full_name else "nam",
                       ethnicity="Thái" if full_name.startswith("Lò") else "Kinh",
                       roles=tuple((role, unit_by_code(code)) for role, code in roles))
    db.session.flush()
    cadres = _add_synthetic_cadres(synthetic_cadres, password_hash)
    load_demo_learning()
    load_demo_core_history()
    load_demo_trainers()
    load_demo_assessments()
    load_demo_reports()
    db.session.commit()
    return {"accounts": _accounts() - accounts_before - cadres, "cadres": cadres}  # the trainers' demo adds some


def _accounts() -> int:
    return db.session.scalar(select(func.count(User.id)))


DEMO_LEARNER, DEMO_ASSIGNER = "hocvien@example.org", "admin.tinha@example.org"
CORE_COURSE, SHORT_COURSE = CORE_COURSE_SLUG, "dieu-phoi-vien-co-so"
SHORT_COURSE_DUE_DAYS = 30


def load_demo_learning() -> None:
    """The demo learner's courses, for the courses the curriculum import has put in the database: the
    core course with its first two lessons done, and the short course required of the learner's unit
    within 30 days. What is already there is left as it is. The caller commits."""
    learner = db.session.scalar(select(User).where(User.email == DEMO_LEARNER))
    if learner is None:
        return
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE, Course.status == PUBLISHED))
    if core is not None and services.enrolment_of(learner, core.id) is None:
        enrolment, _new = services.enrol(learner, core)
        for ref in services.lesson_sequence(core.id)[:2]:
            services.complete_lesson(enrolment, db.session.get(Lesson, ref.id))
    short = db.session.scalar(select(Course).where(Course.slug == SHORT_COURSE, Course.status == PUBLISHED))
    assigner = db.session.scalar(select(User).where(User.email == DEMO_ASSIGNER))
    if short is not None and assigner is not None:
        assigned = db.session.scalar(select(Assignment.id).where(Assignment.course_id == short.id,
                                                                 Assignment.unit_id == learner.unit_id))
        if assigned is None:
            db.session.add(Assignment(course_id=short.id, unit_id=learner.unit_id, assigned_by_id=assigner.id,
                                      due_on=local_today() + timedelta(days=SHORT_COURSE_DUE_DAYS),
                                      note="Khóa học bắt buộc cho cán bộ Đoàn cơ sở trong quý này."))
            db.session.flush()
        if services.enrolment_of(learner, short.id) is None:
            services.enrol(learner, short)


def named_account_emails() -> list[str]:
    """The e-mails of the demo's named accounts (those the README lists), as stored: the synthetic cadres are
    everyone else."""
    return [email.lower() for email, *_rest in DEMO_ACCOUNTS + DEMO_TRAINER_ACCOUNTS]


def load_demo_core_history() -> None:
    """The synthetic cadres' history in the core course (lms.courses.demo); the named accounts have their own."""
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE, Course.status == PUBLISHED))
    if core is None:
        return
    named = named_account_emails()
    in_provinces = or_(*(Unit.path.startswith(unit_by_code(code).path) for code in (PROVINCE_A, PROVINCE_B)))
    cadres = db.session.scalars(select(User).join(Unit, Unit.id == User.unit_id).where(
        in_provinces, User.is_active.is_(True), or_(User.email.is_(None), User.email.not_in(named)))).all()
    load_core_history(core, list(cadres), local_today())


def _add_synthetic_cadres(count: int, password_hash: str) -> int:
    """Bulk insert of cadres spread over the grassroots units and branches of both provinces."""
    rng = random.Random(1481)
    units = list(db.session.scalars(
        select(Unit).where(Unit.path.startswith(unit_by_code(PROVINCE_A).path)
                           | Unit.path.startswith(unit_by_code(PROVINCE_B).path),
                           Unit.parent_id.isnot(None)).order_by(Unit.code)))
    used_phones: set[str] = set()
    rows = []
    for index in range(count):
        unit = units[index % len(units)]
        full_name, gender, ethnicity = _random_person(rng, unit)
        phone = _random_phone(rng, used_phones)
        email = f"{fold(full_name).replace(' ', '.')}.{index + 1}@example.org" if index % 2 == 0 else None
        rows.append({
            **name_fields(full_name),
            "date_of_birth": date(rng.randint(1987, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            "gender": gender, "ethnicity": ethnicity, "phone": phone, "email": email, "unit_id": unit.id,
            "position": rng.choice(_POSITIONS), "password_hash": password_hash, "is_active": True,
        })
    db.session.execute(insert(User), rows)
    created = db.session.execute(select(User.id, User.unit_id).where(User.phone.in_(used_phones))).all()
    db.session.execute(insert(RoleAssignment),
                       [{"user_id": uid, "role": Role.LEARNER.value, "unit_id": unit_id} for uid, unit_id in created])
    return len(rows)


def _random_person(rng: random.Random, unit: Unit) -> tuple[str, str, str]:
    if unit.is_ethnic_minority and rng.random() < 0.5:
        pool = _KHMER_NAMES if unit.code.startswith(PROVINCE_B) else _HIGHLAND_NAMES
        family_middle, given, gender, ethnicity = rng.choice(pool)
        return f"{family_middle} {given}", gender, ethnicity
    gender = rng.choice(["nam", "nu"])
    middle = rng.choice(_MALE_MIDDLE if gender == "nam" else _FEMALE_MIDDLE)
    given = rng.choice(_MALE_GIVEN if gender == "nam" else _FEMALE_GIVEN)
    return f"{rng.choice(_KINH_FAMILY)} {middle} {given}", gender, "Kinh"


def _random_phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = "+84" + rng.choice(_MOBILE_PREFIXES)[1:] + f"{rng.randint(0, 9_999_999):07d}"
        if number not in used and normalise_phone(number) == number:
            used.add(number)
            return number

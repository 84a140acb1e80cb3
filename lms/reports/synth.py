"""A national-size synthetic dataset, for trying the dashboards and measuring the application at scale.

    flask lms synth --cadres 200000 [--seed 1]

It builds on the reference data, which must be loaded first: `flask lms load-units content/units` (the
three organisations, their central units and provinces) and `flask lms content import content` (the
courses and the competency framework). On top of them it adds, for the Đoàn in every province, grassroots
units (xã, phường, upper-secondary schools, companies, health centres, colleges) with three to six
branches each, and fewer for the Hội LHTN and the Hội Sinh viên; the cadres spread over them with
Vietnamese names; enrolments in the core course over the last two years (some required by a province
with a due date, some of those overdue) with their lesson progress and certificates; trainers of every
tier and status, the cohorts that trained them and the cohorts they run, with participants, sessions
and attendance; each province's yearly training plans; and this year's national assessment campaign,
launched the way the central office launches one, with results for about half of its participants and
every unit's capacity assessment at some step of its review.

Rows are written with executemany INSERTs (and UPDATEs by id) in chunks of CHUNK rows, all in one
transaction; nothing is created one object at a time but the two campaigns, which are launched by
lms.assessments.campaigns.launch_campaign (its INSERT … SELECT snapshots). Then ANALYZE gives the query
planner the new tables' sizes. The data depends only on `--seed`, the day it is built (dates count back
from today) and the database engine (the order in which a launch numbers the participants). It is
built once, on a fresh database: one that holds any account (the dataset built before, the demo, an
installation's people) is refused, with nothing changed. Every account, the cadres included, signs in
with SYNTH_PASSWORD; the cadres are c000001@synth.example.org …, the central administrator
CENTRAL_ADMIN_EMAIL, and each Đoàn province's administrator `province_admin_email(code)`.

Left out on purpose: quiz attempts, the learning record (xAPI statements) and individual ratings —
completions, certificates and competency results are written directly, as the reports read them."""
import itertools
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from flask_babel import format_decimal, gettext, ngettext
from sqlalchemy import bindparam, func, insert, select, text, update

from lms.assessments.campaigns import launch_campaign
from lms.assessments.framework import expected_levels
from lms.assessments.models import (APPROVED, CAMPAIGN_DRAFT, KNOWLEDGE, NOT_STARTED, PUBLISHED, RETURNED, SELF,
                                    SUBMITTED, SUPERVISOR, UNIT_DRAFT, Campaign, CompetencyResult, Framework,
                                    Participant, UnitAssessment, UnitAssessmentEvent)
from lms.auth.permissions import Role
from lms.auth.services import hash_password
from lms.courses.models import PUBLISHED as COURSE_PUBLISHED
from lms.courses.models import CORE_COURSE_SLUG, Assignment, Certificate, Course, Enrolment, LessonProgress
from lms.courses.services import lesson_sequence
from lms.db import db
from lms.i18n import N_, local_today
from lms.orgs.models import Organisation, Unit, UnitLevel
from lms.people.models import COORDINATOR, SECRETARY, TEAM_LEADER, RoleAssignment, User, name_fields
from lms.trainers.models import (CANDIDATE, CERTIFIED, CLOSED, CO_TRAINER, EXPIRED, GRASSROOTS, LEAD, MASTER, OPEN,
                                 PLANNED, PROVINCIAL, SUSPENDED, Attendance, CertificationEvent, Cohort,
                                 CohortParticipant, CohortTrainer, Practicum, TrainerProfile, TrainingPlanItem,
                                 TrainingSession)
from lms.trainers.plans import CADRES, CLUB_HEADS, COORDINATORS, TEAM_LEADERS, TRAINERS
from lms.vietnamese import fold

SYNTH_DOMAIN = "synth.example.org"
SYNTH_PASSWORD = "synth-2024"
CENTRAL_ADMIN_EMAIL = f"trunguong@{SYNTH_DOMAIN}"
CORE_COURSE, SHORT_COURSE, TOT_COURSE = CORE_COURSE_SLUG, "dieu-phoi-vien-co-so", "ky-nang-tap-huan-vien"
FULL_SCALE = 200_000  # the number of cadres at which each province has its full count of units
CHUNK = 10_000  # rows per INSERT executemany
CENTRAL_CODES = ("DOAN-TW", "HLHTN-TW", "HSV-TW")
# What each step is called on its printed line. The keys name the steps in Builder.counts and .timings.
STEP_LABELS = {
    "units": N_("đơn vị"), "accounts and roles": N_("tài khoản và vai trò"),
    "trainers (planned)": N_("tập huấn viên (dự kiến)"), "assignments and enrolments": N_("giao khóa học và ghi danh"),
    "lesson progress": N_("tiến độ bài học"), "certificates": N_("chứng nhận"),
    "training plans": N_("kế hoạch tập huấn"), "cohorts": N_("lớp tập huấn"),
    "trainer profiles and certification": N_("hồ sơ và công nhận tập huấn viên"),
    "cohort participants": N_("học viên lớp tập huấn"), "sessions and attendance": N_("buổi tập huấn và điểm danh"),
    "campaigns launched": N_("đợt đánh giá đã phát động"), "campaign progress": N_("tiến độ đợt đánh giá"),
    "competency results": N_("kết quả năng lực"), "unit assessments": N_("đánh giá năng lực đơn vị"),
    "commit": N_("ghi vào cơ sở dữ liệu (commit)"),
    "ANALYZE (planner statistics)": N_("ANALYZE (thống kê cho truy vấn)"), "total": N_("tổng cộng")}
PLAN_QUARTER_DAYS = ((1, 1), (4, 1), (7, 1), (10, 1))
# Online learning spread over the last two years, so a year has one before it to compare with: a province
# gives its cadres this many days (least, most) to complete the core course it requires; a cadre enrols of
# their own accord within the last SELF_ENROLMENT_DAYS; one who completes a course does so within this many
# days (least, most) of enrolling.
ASSIGNMENT_WINDOW_DAYS = (300, 540)
SELF_ENROLMENT_DAYS = 720
COMPLETION_DAYS = (7, 150)


def province_admin_email(code: str) -> str:
    """The synthetic administrator of a Đoàn province: admin.doan-lci@synth.example.org."""
    return f"admin.{code.lower()}@{SYNTH_DOMAIN}"


def cadre_email(number: int) -> str:
    return f"c{number:06d}@{SYNTH_DOMAIN}"


def step_line(name: str, seconds: float, rows: int | None = None) -> str:
    """A step's printed line, its name padded to the longest step name so the lines align:
    "  đơn vị        1,25 s     12.345 dòng" (the seconds and rows in the locale's number format)."""
    width = max(len(gettext(label)) for label in STEP_LABELS.values())
    line = f"  {gettext(STEP_LABELS[name]):<{width}} {format_decimal(seconds, format='0.00'):>7} s"
    if rows is None:
        return line
    figure = format_decimal(rows).rjust(9)  # ngettext's own %(num)s would be the bare count
    return line + "  " + ngettext("%(rows)s dòng", "%(rows)s dòng", rows, rows=figure)


class SynthError(Exception):
    """The database is not ready for the synthetic dataset, or already holds accounts; nothing was written."""


def refuse_a_database_in_use() -> None:
    """SynthError when the database holds anything beyond what `load-units` and `content import` create: any
    account, be it of the synthetic dataset built before, of the demo or of an installation's people. Every
    other kind of data an installation gathers (learning, cohorts, campaigns, reports, authored courses) is
    made by or about an account, so a database without one has none."""
    accounts = db.session.scalar(select(func.count(User.id)))
    if not accounts:
        return
    if db.session.scalar(select(User.id).where(User.email.like(f"%@{SYNTH_DOMAIN}")).limit(1)) is not None:
        raise SynthError(gettext("Bộ dữ liệu tổng hợp đã có trong cơ sở dữ liệu này; muốn tạo lại, hãy dùng một cơ "
                                 "sở dữ liệu mới. Không có gì bị thay đổi."))
    raise SynthError(ngettext(
        "Cơ sở dữ liệu đã có %(accounts)s tài khoản: hãy tạo bộ dữ liệu tổng hợp trên một cơ sở dữ liệu mới, chỉ mới "
        "nạp các đơn vị và nội dung học tập (load-units, content import). Không có gì bị thay đổi.",
        "Cơ sở dữ liệu đã có %(accounts)s tài khoản: hãy tạo bộ dữ liệu tổng hợp trên một cơ sở dữ liệu mới, chỉ mới "
        "nạp các đơn vị và nội dung học tập (load-units, content import). Không có gì bị thay đổi.",
        accounts, accounts=format_decimal(accounts)))  # formatted: ngettext's %(num)s would be bare


# --- Names ----------------------------------------------------------------------------------------

KINH_FAMILY = ["Nguyễn"] * 9 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + [
    "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương",
    "Mai", "Tô", "Hà", "Cao", "Đoàn", "Lâm", "Chu", "Tạ"]
MIDDLE = {"nam": ["Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân", "Tiến", "Ngọc", "Trọng",
                  "Hoài", "Gia", "Anh", "Đình", "Quang", "Bá"],
          "nu": ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Hồng", "Mỹ", "Khánh", "Thùy", "Bảo", "Kim",
                 "Hoài", "Diệu", "Minh"]}
SECOND_MIDDLE_NU = ["Thu", "Ngọc", "Hồng", "Thanh", "Phương", "Kim", "Mai", "Bích", "Diễm", "Tuyết"]
GIVEN = {"nam": ["Anh", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang",
                 "Khánh", "Kiên", "Long", "Lộc", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
                 "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Ân", "Đông", "Hậu", "Lâm", "Tùng", "Thịnh",
                 "Duy", "Khoa", "Mạnh", "Toàn"],
         "nu": ["An", "Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan",
                "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thư",
                "Trang", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ánh", "Hiền", "Lụa", "Thủy", "Tâm", "Hân", "Nhi"]}
# Ethnic-minority communities: (family names, middle names by gender, given names by gender or None for Kinh
# given names, ethnicity).
MINORITY = {
    "mong": (["Giàng", "Sùng", "Thào", "Vàng", "Lầu", "Mùa", "Hạng", "Vừ"], {"nam": ["A", "A", "Seo", "Mí"],
             "nu": ["Thị"]}, {"nam": ["Páo", "Dình", "Chứ", "Sình", "Pó", "Tráng", "Chá", "Lử", "Súa"],
                              "nu": ["Mai", "Dợ", "Mỷ", "Sía", "Chở", "Pằng", "Dung", "Mỉ", "Cở"]}, "Mông"),
    "thai": (["Lò", "Lường", "Cầm", "Quàng", "Tòng", "Điêu", "Lừ", "Vì"], {"nam": ["Văn"], "nu": ["Thị"]},
             {"nam": ["Sáng", "Ún", "Inh", "Phóng", "Thoan", "Chiến", "Khiêm", "Panh"],
              "nu": ["Ban", "Hiên", "Ín", "Oanh", "Xuân", "Ngọc", "Thương", "Phượng"]}, "Thái"),
    "tay": (["Hoàng", "Nông", "Ma", "Triệu", "Lục", "Bế", "Đàm", "La", "Lương"], {"nam": ["Văn"], "nu": ["Thị"]},
            None, "Tày"),
    "nung": (["Hoàng", "Nông", "Lăng", "Vi", "Lưu", "Mã"], {"nam": ["Văn"], "nu": ["Thị"]}, None, "Nùng"),
    "dao": (["Tẩn", "Triệu", "Bàn", "Lý", "Chảo", "Phàn", "Đặng"], {"nam": ["Láo", "Văn", "Phủ", "Tòn"],
            "nu": ["Thị", "Mẩy", "Tả"]}, {"nam": ["Lở", "Chản", "Quẩy", "Sử", "Phin", "Chòi", "Kiềm"],
                                          "nu": ["Mẩy", "Dính", "Xuân", "Chiêm", "Sành", "Phây"]}, "Dao"),
    "muong": (["Bùi", "Đinh", "Quách", "Hà", "Xa", "Cao"], {"nam": ["Văn"], "nu": ["Thị"]}, None, "Mường"),
    "khmer": (["Thạch", "Danh", "Lâm", "Sơn", "Kim", "Chau"], {"nam": [""], "nu": ["Thị"]},
              {"nam": ["Sóc Kha", "Ra Ni", "Thanh Sơn", "Sa Ra", "Pha Ly", "Sóc Thia", "Rinh", "Sa Rin"],
               "nu": ["Sa Rây", "Sóc Phia", "Ca Ly", "Sa Thi", "Sô Phia", "Đa Ni", "Sa Ly"]}, "Khmer"),
    "jrai": (["Ksor", "Rơ Mah", "Siu", "Rơ Lan", "Nay", "Kpă", "Rơ Châm"], {"nam": [""], "nu": ["H'"]},
             {"nam": ["Phơi", "Blăng", "Thuấn", "Kuất", "Đinh", "Tơ", "Nhơn"],
              "nu": ["Lin", "Hen", "Mi", "Juen", "Dơ", "Nga"]}, "Gia Rai"),
    "ede": (["Êban", "Niê", "Ayun", "Mlô", "Byă", "Adrơng"], {"nam": ["Y"], "nu": ["H'"]},
            {"nam": ["Blốc", "Thông", "Ngọc", "Kô", "Yim", "Bhin"], "nu": ["Hen", "Mi", "Nga", "Ngân", "Loan", "Ruê"]},
            "Ê Đê"),
}
# The communities of each province (by the part of the code after the organisation), for its
# ethnic-minority units.
COMMUNITIES = {
    "LCI": ["mong", "dao", "tay"], "LCU": ["thai", "mong"], "DBN": ["thai", "mong"], "SLA": ["thai", "mong"],
    "CBG": ["tay", "nung", "dao"], "LSN": ["nung", "tay", "dao"], "TQG": ["tay", "dao", "mong"],
    "TNN": ["tay", "nung", "dao"], "PTO": ["muong", "dao"], "QNH": ["dao", "tay"], "THA": ["muong", "thai"],
    "NAN": ["thai", "mong"], "GLI": ["jrai"], "DLK": ["ede", "jrai"], "LDG": ["ede"], "QNI": ["jrai"],
    "DNG": ["jrai"], "KHA": ["ede"], "CTO": ["khmer"], "VLG": ["khmer"], "CMU": ["khmer"], "AGG": ["khmer"],
    "DTP": ["khmer"], "TNH": ["khmer"], "HCM": ["khmer"],
}
NORTH_HIGHLANDS = {"LCI", "LCU", "DBN", "SLA", "CBG", "LSN", "TQG", "TNN", "PTO", "QNH", "THA", "NAN"}
CENTRAL_HIGHLANDS = {"GLI", "DLK", "LDG", "QNI", "KHA"}
SOUTH = {"HCM", "CTO", "VLG", "DTP", "CMU", "AGG", "TNH", "DNI"}
CITIES = {"HNI", "HCM", "HPG", "DNG", "CTO", "HUE"}

LOWLAND_FIRST = ["Tân", "Phú", "Hòa", "Thanh", "Đông", "Tây", "Nam", "Bắc", "An", "Bình", "Vĩnh", "Long", "Mỹ",
                 "Quang", "Hưng", "Xuân", "Thạch", "Yên", "Hồng", "Kim", "Minh", "Đức", "Thái", "Sơn", "Hải", "Trung",
                 "Lạc", "Nghĩa", "Cẩm", "Phước", "Tam", "Hiệp", "Thuận", "Gia", "Đại", "Hoàng", "Cát", "Tiên", "Ngọc",
                 "Phong"]
LOWLAND_SECOND = ["Lập", "Hòa", "Bình", "Sơn", "Thành", "Phú", "Lộc", "Hưng", "Thịnh", "An", "Xuân", "Lợi", "Tiến",
                  "Hải", "Phong", "Mỹ", "Thuận", "Khánh", "Điền", "Long", "Trung", "Đông", "Tây", "Hiệp", "Quý",
                  "Phước", "Lâm", "Hà", "Tân", "Thạnh", "Vinh", "Định", "Nguyên", "Đồng", "Châu"]
HIGHLAND_FIRST = ["Mường", "Nậm", "Pà", "Tả", "Sà", "Bản", "Na", "Lũng", "Phìn", "Chiềng", "Pắc", "Khau", "Hua",
                  "Sín", "Mù", "Lao", "Thèn", "Xín", "Nà", "Cốc"]
HIGHLAND_SECOND = ["Khương", "Cang", "Hồ", "Van", "Phìn", "Lầu", "Nhé", "Mo", "Hin", "Sáng", "Chải", "Lùng",
                   "Thẳm", "Phăng", "Ngần", "Pao", "Chéo", "Mần", "Sán", "Pàng", "Tẩn", "Lìn", "Bó", "Mạ"]
PLATEAU_FIRST = ["Ia", "Đăk", "Krông", "Ea", "Kon", "Cư", "Chư"]
PLATEAU_SECOND = ["Grai", "Pơ", "Hdreh", "Mlan", "Pa", "Bông", "Nang", "Kar", "Rông", "Tơ", "Sol", "Blang", "Yang",
                  "Hiao", "Drông", "Lăk", "Mơr", "Sê", "Păh", "Kriêng"]
FAMOUS = ["Lê Quý Đôn", "Nguyễn Du", "Trần Phú", "Chu Văn An", "Nguyễn Trãi", "Lê Lợi", "Quang Trung",
          "Phan Bội Châu", "Nguyễn Huệ", "Lý Thường Kiệt", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Thị Minh Khai",
          "Võ Thị Sáu", "Phan Châu Trinh", "Huỳnh Thúc Kháng", "Lương Thế Vinh", "Ngô Quyền", "Nguyễn Văn Cừ",
          "Lê Hồng Phong", "Hoàng Hoa Thám", "Trần Quốc Tuấn", "Nguyễn Bỉnh Khiêm", "Tô Hiến Thành"]
COMPANY_KINDS = ["Công ty Cổ phần May", "Công ty Điện lực", "Công ty TNHH Cấp nước", "Công ty Cổ phần Xi măng",
                 "Công ty Cổ phần Thủy sản", "Công ty TNHH Cơ khí", "Công ty Cổ phần Môi trường đô thị",
                 "Công ty Cổ phần Chè", "Công ty TNHH Điện tử", "Công ty Cổ phần Cao su"]
HEALTH_KINDS = ["Trung tâm Y tế", "Bệnh viện Đa khoa"]
COLLEGE_FIELDS = ["Sư phạm", "Y tế", "Kinh tế – Kỹ thuật", "Nông Lâm", "Cộng đồng", "Văn hóa Nghệ thuật",
                  "Công nghiệp", "Du lịch"]
UNIVERSITY_FIELDS = ["Sư phạm", "Kinh tế", "Y Dược", "Nông Lâm", "Bách khoa", "Khoa học", "Công nghiệp", "Luật",
                     "Ngoại ngữ", "Kỹ thuật – Công nghệ", "Văn hóa", "Thể dục Thể thao", "Xây dựng", "Hàng hải"]
CLASS_FIELDS = ["Kế toán", "Công nghệ thông tin", "Sư phạm Toán", "Điều dưỡng", "Luật kinh tế", "Ngôn ngữ Anh",
                "Quản trị kinh doanh", "Công tác xã hội", "Thú y", "Xây dựng", "Du lịch", "Sư phạm Tiểu học"]
COMPANY_BRANCHES = ["Phòng Kỹ thuật", "Phòng Kinh doanh", "Đội Vận hành", "Khối Văn phòng", "Phân xưởng 1",
                    "Phân xưởng 2", "Phân xưởng 3", "Tổ Bảo trì"]
HEALTH_BRANCHES = ["Khoa Nội", "Khoa Ngoại", "Khoa Nhi", "Khoa Sản", "Khoa Cấp cứu", "Khoa Dược",
                   "Khoa Xét nghiệm", "Khoa Y tế dự phòng"]
HLHTN_BRANCHES = ["Chi hội Thanh niên khởi nghiệp", "Chi hội Thanh niên công nhân", "Chi hội Thanh niên tình nguyện",
                  "Chi hội Thanh niên dân tộc", "Chi hội Thanh niên tôn giáo", "Chi hội Doanh nhân trẻ"]
OVERSEAS_CITIES = {"NGA": ["Moskva", "Sankt-Peterburg", "Kazan", "Tomsk", "Voronezh"],
                   "NHAT": ["Tokyo", "Osaka", "Kyoto", "Nagoya", "Fukuoka"]}
YEARS_OF_STUDY = ["năm thứ nhất", "năm thứ hai", "năm thứ ba", "năm thứ tư", "cao học và nghiên cứu sinh"]

POSITIONS = {
    SECRETARY: {"DOAN": {"central": "Trưởng ban", "province": "Phó Bí thư Tỉnh đoàn",
                         "grassroots": "Bí thư Đoàn cơ sở", "branch": "Bí thư Chi đoàn"},
                "HLHTN": {"central": "Trưởng ban", "province": "Phó Chủ tịch Hội LHTN tỉnh",
                          "grassroots": "Chủ tịch Hội LHTN cơ sở", "branch": "Chi hội trưởng"},
                "HSV": {"central": "Trưởng ban", "province": "Phó Chủ tịch Hội Sinh viên",
                        "grassroots": "Chủ tịch Hội Sinh viên trường", "branch": "Chi hội trưởng"}},
    COORDINATOR: ["Điều phối viên tình nguyện"],
    TEAM_LEADER: ["Đội trưởng đội hình tình nguyện", "Chủ nhiệm Câu lạc bộ tình nguyện"],
    None: {"DOAN": ["Phó Bí thư Chi đoàn", "Ủy viên Ban Chấp hành", "Đoàn viên", "Cán bộ chuyên trách",
                    "Ủy viên Ban Thường vụ"],
           "HLHTN": ["Phó Chi hội trưởng", "Ủy viên Ủy ban Hội", "Hội viên", "Ủy viên Ban Thư ký"],
           "HSV": ["Phó Chi hội trưởng", "Ủy viên Ban Chấp hành", "Hội viên", "Ủy viên Ban Thư ký"]},
}
MOBILE_PREFIXES = ["91", "94", "88", "98", "97", "96", "86", "90", "93", "70", "77", "79", "32", "33", "35", "37",
                   "39", "81", "83", "85"]

GROUP_TITLES = {COORDINATORS: "điều phối viên tình nguyện", TEAM_LEADERS: "đội trưởng đội hình tình nguyện",
                CLUB_HEADS: "chủ nhiệm câu lạc bộ tình nguyện",
                CADRES: "cán bộ Đoàn về quản lý hoạt động tình nguyện"}
SESSION_TOPICS = {
    COORDINATORS: ["Vai trò của điều phối viên", "Khảo sát nhu cầu và lập kế hoạch",
                   "Huy động và giữ chân tình nguyện viên",
                   "Giám sát, đánh giá và báo cáo"],
    TEAM_LEADERS: ["Tổ chức đội hình", "An toàn và quản lý rủi ro", "Truyền thông và ghi nhận tình nguyện viên",
                   "Thực hành tổ chức một hoạt động"],
    CLUB_HEADS: ["Xây dựng câu lạc bộ tình nguyện", "Kết nối đối tác và nguồn lực", "Duy trì sinh hoạt câu lạc bộ",
                 "Đánh giá hoạt động"],
    CADRES: ["Chính sách, pháp luật về hoạt động tình nguyện", "Lập kế hoạch hoạt động tình nguyện",
             "Công cụ số trong quản lý tình nguyện", "Hợp tác và báo cáo"],
    TRAINERS: ["Người lớn học như thế nào", "Thiết kế buổi tập huấn", "Điều phối thảo luận và xử lý tình huống",
               "Thực hành đứng lớp và nhận xét"],
}
RUBRIC = {"preparation": 3, "delivery": 3, "facilitation": 4, "learner_assessment": 3}


# --- Planned rows ---------------------------------------------------------------------------------

@dataclass(eq=False)
class PlannedUnit:
    id: int
    org: str
    level: str
    code: str
    name: str
    path: str
    flags: tuple
    region: str  # the part of the province's code after the organisation ("LCI"), "" for a central unit
    kind: str = ""  # xa, phuong, thpt, company, health, college, university, overseas; "" above grassroots
    province: "PlannedUnit | None" = None
    grassroots: "PlannedUnit | None" = None
    parent_id: int | None = None
    is_new: bool = True
    cadres: list = field(default_factory=list)  # indexes into Builder.people

    @property
    def place(self) -> str:
        """How a cohort title names the unit: "xã Tân Lập", "Lào Cai"."""
        for prefix in ("Đoàn cơ sở ", "Đoàn trường ", "Đoàn ", "Tỉnh đoàn ", "Thành đoàn "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


@dataclass(eq=False)
class Person:
    id: int
    unit: PlannedUnit
    role: str | None
    active: bool
    email: str
    full_name: str
    trainer: "Trainer | None" = None


@dataclass(eq=False)
class Trainer:
    id: int
    person: Person
    tier: str
    status: str
    certified_on: date | None
    trained_on: date | None = None  # when they followed the ToT cohort (None for a founding master)
    cohort_id: int | None = None


def _slug(text_: str, limit: int = 16) -> str:
    return "".join(char for char in fold(text_).upper() if char.isalnum())[:limit]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock(hour))


def _two_years_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


class Builder:
    """Plans the rows in Python (ids given explicitly, so rows can refer to each other before they are
    written) and writes them step by step; `run` times each step."""

    def __init__(self, cadres: int, seed: int, echo):
        self.cadres, self.seed, self.echo = cadres, seed, echo
        self.rng = random.Random(seed)
        self.today = local_today()
        self.year = self.today.year
        self.latest = _at(self.today - timedelta(days=1), 16)  # the newest moment an event is dated
        self.scale = min(1.0, cadres / FULL_SCALE)
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.names: dict[str, dict] = {}
        self.short_names: dict[str, str] = {}

    # --- helpers ---

    @contextmanager
    def step(self, name: str):
        """Time the step `name` (a key of STEP_LABELS), then print its line."""
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        self.echo(step_line(name, self.timings[name], self.counts.get(name)))

    def insert(self, model, rows, name: str | None = None) -> int:
        """INSERT the rows (dicts with the same keys, any iterable) in executemany chunks of CHUNK. The
        statement is on the table: the ORM's bulk path would split a chunk wherever a value is None."""
        total = 0
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, CHUNK)):
            db.session.execute(insert(model.__table__), batch)
            total += len(batch)
        if name:
            self.counts[name] = self.counts.get(name, 0) + total
        return total

    def update(self, model, rows) -> None:
        """UPDATE by id in executemany chunks; each dict holds "id" and the same other columns."""
        table = model.__table__
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, CHUNK)):
            columns = [key for key in batch[0] if key != "id"]
            statement = (update(table).where(table.c.id == bindparam("row_id"))
                         .values({column: bindparam(f"new_{column}") for column in columns}))
            db.session.execute(statement, [{"row_id": row["id"], **{f"new_{c}": row[c] for c in columns}}
                                           for row in batch])

    @staticmethod
    def next_id(model) -> int:
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def moment_between(self, first: datetime, last: datetime) -> datetime:
        if last <= first:
            return first
        return first + timedelta(seconds=self.rng.randint(0, int((last - first).total_seconds())))

    def person_name(self, unit: PlannedUnit) -> tuple[dict, str, str]:
        rng = self.rng
        gender = "nu" if rng.random() < 0.52 else "nam"
        communities = COMMUNITIES.get(unit.region)
        if unit.flags[1] and communities and rng.random() < 0.45:
            family, middles, givens, ethnicity = MINORITY[rng.choice(communities)]
            given = rng.choice(givens[gender] if givens else GIVEN[gender])
            middle = rng.choice(middles[gender])
            if middle == "Y":  # Ê Đê: Y Blốc Êban
                full = f"Y {given} {rng.choice(family)}"
            elif middle == "H'":  # H'Hen Niê; Rơ Mah H'Lin
                full = (f"H'{given} {rng.choice(family)}" if ethnicity == "Ê Đê"
                        else f"{rng.choice(family)} H'{given}")
            else:
                full = " ".join(part for part in (rng.choice(family), middle, given) if part)
        else:
            ethnicity = "Kinh"
            middle = rng.choice(MIDDLE[gender])
            if gender == "nu" and middle == "Thị" and rng.random() < 0.3:
                middle = f"Thị {rng.choice(SECOND_MIDDLE_NU)}"
            full = f"{rng.choice(KINH_FAMILY)} {middle} {rng.choice(GIVEN[gender])}"
        fields = self.names.get(full)
        if fields is None:
            fields = self.names[full] = name_fields(full)
        return fields, gender, ethnicity

    # --- the steps ---

    def run(self) -> dict[str, int]:
        self.check()
        steps = [("units", self.build_units), ("accounts and roles", self.build_accounts),
                 ("trainers (planned)", self.plan_trainers), ("assignments and enrolments", self.build_enrolments),
                 ("lesson progress", self.build_progress), ("certificates", self.build_certificates),
                 ("training plans", self.build_plans), ("cohorts", self.build_cohorts),
                 ("trainer profiles and certification", self.build_trainer_profiles),
                 ("cohort participants", self.build_participants), ("sessions and attendance", self.build_sessions),
                 ("campaigns launched", self.build_campaigns), ("campaign progress", self.build_campaign_progress),
                 ("competency results", self.build_results), ("unit assessments", self.build_unit_assessments)]
        start = time.perf_counter()
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        if sqlite:  # a larger page cache for this connection: the indexes of big tables stay in memory
            cache_size = db.session.execute(text("PRAGMA cache_size")).scalar()
            db.session.execute(text("PRAGMA cache_size=-262144"))
        try:
            for name, action in steps:
                with self.step(name):
                    action()
            with self.step("commit"):
                self.fix_sequences()
                if sqlite:
                    db.session.execute(text(f"PRAGMA cache_size={int(cache_size)}"))
                db.session.commit()
            with self.step("ANALYZE (planner statistics)"):
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
        except Exception:
            db.session.rollback()
            raise
        self.timings["total"] = time.perf_counter() - start
        self.echo(step_line("total", self.timings["total"]))
        return self.counts

    def check(self) -> None:
        refuse_a_database_in_use()
        self.orgs = {code: id_ for code, id_ in db.session.execute(select(Organisation.code, Organisation.id))}
        self.levels = {code: id_ for code, id_ in db.session.execute(select(UnitLevel.code, UnitLevel.id))}
        missing_levels = {"central", "province", "grassroots", "branch"} - set(self.levels)
        if missing_levels or not {"DOAN", "HLHTN", "HSV"} <= set(self.orgs):
            raise SynthError(gettext("Hãy nạp danh sách đơn vị trước: flask lms load-units content/units"))
        rows = db.session.execute(
            select(Unit, Organisation.code, UnitLevel.code).join(Organisation).join(UnitLevel)
            .where(UnitLevel.code.in_(["central", "province"]), Unit.closed_at.is_(None))
            .order_by(Organisation.sort_order, UnitLevel.code, Unit.code)).all()
        self.centrals: dict[str, PlannedUnit] = {}
        self.provinces: list[PlannedUnit] = []
        for unit, org, level in rows:
            planned = PlannedUnit(unit.id, org, level, unit.code, unit.name, unit.path,
                                  tuple(bool(getattr(unit, flag)) for flag in
                                        ("is_mountainous", "is_ethnic_minority", "is_border", "is_island",
                                         "is_overseas")),
                                  unit.code.split("-", 1)[1] if level == "province" else "",
                                  parent_id=unit.parent_id, is_new=False)
            if level == "central":
                self.centrals[org] = planned
            else:
                planned.province = planned
                self.provinces.append(planned)
        if set(CENTRAL_CODES) - {u.code for u in self.centrals.values()} or \
                not any(p.org == "DOAN" for p in self.provinces):
            raise SynthError(gettext("Hãy nạp danh sách đơn vị trước: flask lms load-units content/units"))
        self.taken_codes = {code.upper() for code in db.session.scalars(select(Unit.code))}
        self.courses = {}
        for slug in (CORE_COURSE, SHORT_COURSE, TOT_COURSE):
            course = db.session.scalar(select(Course).where(Course.slug == slug, Course.status == COURSE_PUBLISHED))
            if course is None:
                raise SynthError(gettext("Khóa học “%(slug)s” chưa được phát hành; hãy nạp nội dung học tập trước: "
                                         "flask lms content import content", slug=slug))
            self.courses[slug] = (course, [ref.id for ref in lesson_sequence(course.id)])
        self.framework = db.session.scalar(select(Framework).where(Framework.status == PUBLISHED)
                                           .order_by(Framework.version.desc()).limit(1))
        if self.framework is None:
            raise SynthError(gettext("Chưa có khung năng lực nào được ban hành; hãy nạp nội dung học tập "
                                     "trước: flask lms content import content"))

    # --- units ---

    def unique_code(self, base: str) -> str:
        code, number = base, 1
        while code.upper() in self.taken_codes:
            number += 1
            code = f"{base}{number}"
        self.taken_codes.add(code.upper())
        return code

    def place_name(self, province: PlannedUnit, used: set, mountainous: bool) -> str:
        rng = self.rng
        pools = [(LOWLAND_FIRST, LOWLAND_SECOND)]
        if mountainous and province.region in NORTH_HIGHLANDS and rng.random() < 0.7:
            pools.insert(0, (HIGHLAND_FIRST, HIGHLAND_SECOND))
        elif mountainous and province.region in CENTRAL_HIGHLANDS and rng.random() < 0.5:
            pools.insert(0, (PLATEAU_FIRST, PLATEAU_SECOND))
        for first_pool, second_pool in pools:
            for _try in range(40):
                first, second = rng.choice(first_pool), rng.choice(second_pool)
                name = f"{first} {second}"
                if first != second and name not in used:
                    used.add(name)
                    return name
        number = len(used) + 1
        name = f"{rng.choice(LOWLAND_FIRST)} {rng.choice(LOWLAND_SECOND)} {number}"
        used.add(name)
        return name

    def grassroots_flags(self, province: PlannedUnit) -> tuple:
        rng = self.rng
        mountainous, ethnic, border, island, overseas = province.flags
        return (mountainous and rng.random() < 0.75, ethnic and rng.random() < 0.6, border and rng.random() < 0.2,
                island and rng.random() < 0.1, overseas)

    def doan_kind(self, province: PlannedUnit, flags: tuple) -> str:
        if flags[0]:
            kinds, weights = ("xa", "thpt", "health"), (80, 15, 5)
        elif province.region in CITIES:
            kinds, weights = ("xa", "phuong", "thpt", "company", "health", "college"), (20, 45, 15, 12, 5, 3)
        else:
            kinds, weights = ("xa", "phuong", "thpt", "company", "health", "college"), (58, 14, 13, 7, 5, 3)
        return self.rng.choices(kinds, weights)[0]

    def short_province(self, province: PlannedUnit) -> str:
        """"Lào Cai" for every organisation's province of Lào Cai."""
        short = self.short_names.get(province.region)
        if short is None:
            doan = next((p for p in self.provinces if p.org == "DOAN" and p.region == province.region), province)
            short = self.short_names[province.region] = doan.place
        return short

    def grassroots_name(self, province: PlannedUnit, kind: str, state: dict, flags: tuple) -> tuple[str, str]:
        """(name, code stem) of a new grassroots unit."""
        rng, org = self.rng, province.org
        short = self.short_province(province)
        if org == "HSV":
            if kind == "overseas":
                city = state["cities"].pop(0) if state["cities"] else f"{rng.choice(LOWLAND_FIRST)}"
                return f"Hội Sinh viên Việt Nam tại {city}", _slug(city)
            field_ = state["fields"].pop(0) if state["fields"] else rng.choice(UNIVERSITY_FIELDS)
            school = "Trường Đại học" if kind == "university" else "Trường Cao đẳng"
            return f"Hội Sinh viên {school} {field_} {short}", ("DH" if kind == "university" else "CD") + _slug(field_)
        if org == "HLHTN":
            place = state["doan_places"].pop(0) if state["doan_places"] else \
                (kind, self.place_name(province, state["used"], flags[0]))
            kind, name = place
            return f"Hội LHTN Việt Nam {'phường' if kind == 'phuong' else 'xã'} {name}", \
                ("P" if kind == "phuong" else "") + _slug(name)
        if kind in ("xa", "phuong"):
            name = self.place_name(province, state["used"], flags[0])
            state["places"].append((kind, name))
            return (f"Đoàn xã {name}", _slug(name)) if kind == "xa" else (f"Đoàn phường {name}", "P" + _slug(name))
        if kind == "thpt":
            person = state["famous"].pop(0) if state["famous"] else self.place_name(province, state["used"], False)
            return f"Đoàn trường THPT {person}", "THPT" + _slug(person)
        if kind == "company":
            place = self.place_name(province, state["used"], False)
            return f"Đoàn cơ sở {rng.choice(COMPANY_KINDS)} {place}", "CT" + _slug(place)
        if kind == "health":
            place = self.place_name(province, state["used"], flags[0])
            return f"Đoàn cơ sở {rng.choice(HEALTH_KINDS)} {place}", "YT" + _slug(place)
        field_ = state["colleges"].pop(0) if state["colleges"] else rng.choice(COLLEGE_FIELDS)
        return f"Đoàn trường Cao đẳng {field_} {short}", "CD" + _slug(field_)

    def branch_names(self, grassroots: PlannedUnit, count: int) -> list[str]:
        rng, kind, org, region = self.rng, grassroots.kind, grassroots.org, grassroots.region
        names: list[str] = []
        prefix = "Chi đoàn" if org == "DOAN" else "Chi hội"
        if kind in ("xa", "phuong"):
            if kind == "phuong":
                word = "khu phố" if region in SOUTH else "tổ dân phố"
            elif grassroots.flags[0] and region in NORTH_HIGHLANDS:
                word = "bản"
            elif grassroots.flags[0] and region in CENTRAL_HIGHLANDS:
                word = rng.choice(["buôn", "làng"])
            else:
                word = "ấp" if region in SOUTH else "thôn"
            numbered = kind == "phuong" or rng.random() < 0.5
            used: set = set()
            for number in range(1, count + 1):
                if numbered:
                    names.append(f"{prefix} {'thanh niên ' if org == 'HLHTN' else ''}{word} {number}")
                else:
                    place = self.place_name(grassroots.province, used, grassroots.flags[0])
                    names.append(f"{prefix} {'thanh niên ' if org == 'HLHTN' else ''}{word} {place}")
            if org == "HLHTN" and count > 2:
                names[-1] = rng.choice(HLHTN_BRANCHES)
            return names
        if kind == "thpt":
            classes = [f"{grade}A{n}" for grade in (10, 11, 12) for n in range(1, 10)]
            return [f"Chi đoàn lớp {c}" for c in sorted(rng.sample(classes, count))]
        if kind == "company":
            return [f"Chi đoàn {b}" for b in rng.sample(COMPANY_BRANCHES, count)]
        if kind == "health":
            return [f"Chi đoàn {b}" for b in rng.sample(HEALTH_BRANCHES, count)]
        if kind == "overseas":
            return [f"Chi hội sinh viên {y}" for y in YEARS_OF_STUDY[:count]]
        classes = [f"{f} K{k}" for f in CLASS_FIELDS for k in range(44, 50)]
        return [f"{prefix} {'sinh viên ' if org == 'HSV' else ''}lớp {c}" for c in rng.sample(classes, count)]

    def build_units(self) -> None:
        rng = self.rng
        next_id = self.next_id(Unit)
        self.units: list[PlannedUnit] = []
        rows = []
        places_by_region: dict[str, list] = {}
        for province in self.provinces:
            org = province.org
            state = {"used": set(), "places": [], "famous": rng.sample(FAMOUS, len(FAMOUS)),
                     "colleges": rng.sample(COLLEGE_FIELDS, len(COLLEGE_FIELDS)),
                     "fields": rng.sample(UNIVERSITY_FIELDS, len(UNIVERSITY_FIELDS)),
                     "cities": list(OVERSEAS_CITIES.get(province.region, [])),
                     "doan_places": list(places_by_region.get(province.region, []))}
            for _kind, name in state["doan_places"]:
                state["used"].add(name)
            if org == "DOAN":
                count, branches = max(2, round(rng.randint(60, 150) * self.scale)), (3, 6)
            elif org == "HLHTN":
                count, branches = max(1, round(rng.randint(10, 30) * self.scale)), (2, 4)
            elif province.flags[4]:
                count, branches = min(len(state["cities"]), max(1, round(rng.randint(2, 4) * max(self.scale, 0.5)))), \
                    (2, 4)
            else:
                count, branches = max(1, round(rng.randint(4, 15) * self.scale)), (2, 5)
            for _index in range(count):
                flags = self.grassroots_flags(province)
                if org == "DOAN":
                    kind = self.doan_kind(province, flags)
                elif org == "HLHTN":
                    kind = "xa"
                else:
                    kind = "overseas" if province.flags[4] else rng.choices(["university", "college"], (70, 30))[0]
                name, stem = self.grassroots_name(province, kind, state, flags)
                if org == "HLHTN":
                    kind = "phuong" if " phường " in name else "xa"
                code = self.unique_code(f"{province.code}-{stem}")
                grassroots = PlannedUnit(next_id, org, "grassroots", code, name, f"{province.path}{next_id}/", flags,
                                         province.region, kind, province=province, parent_id=province.id)
                grassroots.grassroots = grassroots
                next_id += 1
                self.units.append(grassroots)
                for number, branch_name in enumerate(self.branch_names(grassroots, rng.randint(*branches)), start=1):
                    branch_code = self.unique_code(f"{code}-{'CD' if org == 'DOAN' else 'CH'}{number:02d}")
                    self.units.append(PlannedUnit(next_id, org, "branch", branch_code, branch_name,
                                                  f"{grassroots.path}{next_id}/", flags, province.region, kind,
                                                  province=province, grassroots=grassroots,
                                                  parent_id=grassroots.id))
                    next_id += 1
            if org == "DOAN":
                places_by_region[province.region] = state["places"]
        created = self.latest - timedelta(days=900)
        for unit in self.units:
            rows.append({"id": unit.id, "organisation_id": self.orgs[unit.org], "level_id": self.levels[unit.level],
                         "parent_id": unit.parent_id, "code": unit.code, "name": unit.name,
                         "name_folded": fold(unit.name), "path": unit.path,
                         "is_mountainous": unit.flags[0], "is_ethnic_minority": unit.flags[1],
                         "is_border": unit.flags[2], "is_island": unit.flags[3], "is_overseas": unit.flags[4],
                         "created_at": created})
        self.insert(Unit, rows, "units")

    # --- accounts ---

    def build_accounts(self) -> None:
        rng = self.rng
        password_hash = hash_password(SYNTH_PASSWORD)
        next_id = self.next_id(User)
        self.people: list[Person] = []
        shares = {"DOAN": 0.80, "HLHTN": 0.12, "HSV": 0.08}
        placed: list[PlannedUnit] = []
        for org, share in shares.items():
            number = round(self.cadres * share) if org != "HSV" else self.cadres - len(placed)
            below = [u for u in self.units if u.org == org]
            weight = sum(2 if u.level == "grassroots" else 1 for u in below)
            offices = [p for p in self.provinces if p.org == org]
            population = [self.centrals[org], *offices, *below]
            weights = [weight * 0.003] + [weight * 0.025 / len(offices)] * len(offices) + \
                [2 if u.level == "grassroots" else 1 for u in below]
            placed.extend(rng.choices(population, cum_weights=list(itertools.accumulate(weights)), k=number))
        users, roles = [], []
        created_from = self.latest - timedelta(days=1000)
        born_from, born_days = date(1985, 1, 1).toordinal(), (date(2006, 12, 31) - date(1985, 1, 1)).days

        def account(unit: PlannedUnit, email: str, role: str | None, position: str, active: bool = True,
                    phone: str | None = None) -> Person:
            nonlocal next_id
            fields, gender, ethnicity = self.person_name(unit)
            person = Person(next_id, unit, role, active, email, fields["full_name"])
            born = date.fromordinal(born_from + rng.randint(0, born_days))
            users.append({"id": next_id, **fields, "date_of_birth": born,
                          "gender": gender, "ethnicity": ethnicity, "phone": phone, "email": email,
                          "unit_id": unit.id, "position": position, "volunteer_role": role, "is_active": active,
                          "password_hash": password_hash, "must_change_password": False, "failed_login_count": 0,
                          "last_login_at": self.moment_between(self.latest - timedelta(days=90), self.latest)
                          if rng.random() < 0.7 else None,
                          "created_at": self.moment_between(created_from, self.latest - timedelta(days=400))})
            roles.append({"user_id": next_id, "role": Role.LEARNER.value, "unit_id": unit.id})
            next_id += 1
            return person

        central = self.centrals["DOAN"]
        self.central_admin = account(central, CENTRAL_ADMIN_EMAIL, None,
                                     "Chuyên viên Trung tâm Thông tin Nguồn lực Tình nguyện")
        for code in CENTRAL_CODES:
            unit = next(u for u in self.centrals.values() if u.code == code)
            for role in (Role.CENTRAL_ADMIN, Role.REVIEWER):
                roles.append({"user_id": self.central_admin.id, "role": role.value, "unit_id": unit.id})
        self.admins: dict[int, Person] = {}
        for province in self.provinces:
            if province.org == "DOAN":
                admin = account(province, province_admin_email(province.code), None, "Chánh Văn phòng Tỉnh đoàn")
                roles.append({"user_id": admin.id, "role": Role.UNIT_ADMIN.value, "unit_id": province.id})
                self.admins[province.id] = admin
        for index, unit in enumerate(placed, start=1):
            draw = rng.random()
            role = COORDINATOR if draw < 0.05 else TEAM_LEADER if draw < 0.15 else SECRETARY if draw < 0.20 else None
            if role == SECRETARY:
                position = POSITIONS[SECRETARY][unit.org][unit.level]
            elif role is None:
                position = rng.choice(POSITIONS[None][unit.org])
            else:
                position = rng.choice(POSITIONS[role])
            phone = f"+84{rng.choice(MOBILE_PREFIXES)}{index:07d}" if rng.random() < 0.7 else None
            person = account(unit, cadre_email(index), role, position, active=rng.random() >= 0.025, phone=phone)
            unit.cadres.append(len(self.people))
            self.people.append(person)
        self.insert(User, users, "accounts and roles")
        self.insert(RoleAssignment, roles)
        self.counts["accounts and roles"] += len(roles)

    # --- trainers ---

    def plan_trainers(self) -> None:
        """Who the trainers are, their tier, status and dates; written with the cohorts that trained them."""
        rng = self.rng
        wanted = max(60, round(self.cadres * 0.012))
        doan_provinces = [p for p in self.provinces if p.org == "DOAN"]
        taken: set[int] = set()
        self.trainers: list[Trainer] = []
        next_id = self.next_id(TrainerProfile)

        def pick(candidates: list[int], count: int) -> list[Person]:
            free = [i for i in candidates if i not in taken and self.people[i].active]
            chosen = rng.sample(free, min(count, len(free)))
            taken.update(chosen)
            return [self.people[i] for i in chosen]

        def add(person: Person, tier: str) -> None:
            nonlocal next_id
            mix = {MASTER: ((CERTIFIED, EXPIRED, CANDIDATE), (85, 10, 5)),
                   PROVINCIAL: ((CERTIFIED, CANDIDATE, EXPIRED, SUSPENDED), (65, 20, 10, 5)),
                   GRASSROOTS: ((CERTIFIED, CANDIDATE, EXPIRED, SUSPENDED), (50, 35, 10, 5))}[tier]
            status = rng.choices(*mix)[0]
            certified_on = None
            if status in (CERTIFIED, SUSPENDED):
                certified_on = self.today - timedelta(days=rng.randint(30, 700))
            elif status == EXPIRED:
                certified_on = self.today - timedelta(days=rng.randint(745, 1000))
            trainer = Trainer(next_id, person, tier, status, certified_on)
            if tier != MASTER or status == CANDIDATE:
                trainer.trained_on = (certified_on - timedelta(days=rng.randint(30, 90)) if certified_on
                                      else self.today - timedelta(days=rng.randint(5, 200)))
            person.trainer = trainer
            self.trainers.append(trainer)
            next_id += 1

        central_office = self.centrals["DOAN"].cadres + [i for p in doan_provinces for i in p.cadres]
        everyone = [i for unit in [self.centrals["DOAN"], *doan_provinces, *self.units] if unit.org == "DOAN"
                    for i in unit.cadres]
        masters = pick(central_office, max(3, round(wanted * 0.015))) or pick(everyone, 3)
        if not masters:
            raise SynthError(gettext("Quá ít cán bộ đang hoạt động để chọn làm tập huấn viên; hãy tạo nhiều cán bộ "
                                     "hơn (--cadres)."))
        for person in masters:
            add(person, MASTER)
        if not any(t.status == CERTIFIED for t in self.trainers):  # someone must be able to train the others
            self.trainers[0].status, self.trainers[0].certified_on = CERTIFIED, self.today - timedelta(days=400)
            self.trainers[0].trained_on = None
        per_province = max(1, round(wanted * 0.12 / len(doan_provinces)))
        below_by_province: dict[int, list[int]] = {p.id: [] for p in doan_provinces}
        for unit in self.units:
            if unit.org == "DOAN":
                below_by_province[unit.province.id].extend(unit.cadres)
        for province in doan_provinces:
            people = pick(province.cadres, per_province)
            people += pick(below_by_province[province.id], per_province - len(people))
            for person in people:
                add(person, PROVINCIAL)
        remaining = max(0, wanted - len(self.trainers))
        grassroots_pool = [i for p in doan_provinces for i in below_by_province[p.id]]
        for person in sorted(pick(grassroots_pool, remaining), key=lambda p: p.id):
            add(person, GRASSROOTS)
        self.counts["trainers (planned)"] = len(self.trainers)

    # --- enrolments and progress ---

    def build_enrolments(self) -> None:
        rng, today = self.rng, self.today
        next_enrolment = self.next_id(Enrolment)
        next_assignment = self.next_id(Assignment)
        core, core_lessons = self.courses[CORE_COURSE]
        short, short_lessons = self.courses[SHORT_COURSE]
        tot, tot_lessons = self.courses[TOT_COURSE]
        assignments = []
        by_province: dict[int, dict] = {}
        doan = [p for p in self.provinces if p.org == "DOAN"]
        requiring = {p.id for p in rng.sample(doan, round(len(doan) * 0.55))}  # provinces requiring the core course
        for province in self.provinces:
            rate = 0.22 + rng.random() * 0.3
            assigned = province.id in requiring
            entry = {"rate": rate, "assignment": None}
            if assigned:
                overdue = rng.random() < 0.35
                due = today - timedelta(days=rng.randint(10, 120)) if overdue else \
                    today + timedelta(days=rng.randint(20, 200))
                given = min(due - timedelta(days=rng.randint(*ASSIGNMENT_WINDOW_DAYS)), today - timedelta(days=30))
                entry["assignment"] = (next_assignment, due, given)
                assignments.append({"id": next_assignment, "course_id": core.id, "unit_id": province.id,
                                    "due_on": due, "assigned_by_id": self.admins[province.id].id,
                                    "note": "Toàn bộ cán bộ Đoàn trong tỉnh hoàn thành khóa học cốt lõi.",
                                    "created_at": _at(given, 8)})
                next_assignment += 1
            by_province[province.id] = entry
        short_due, short_given = today + timedelta(days=45), today - timedelta(days=40)
        short_assignment = next_assignment
        assignments.append({"id": short_assignment, "course_id": short.id, "unit_id": None, "due_on": short_due,
                            "assigned_by_id": self.central_admin.id,
                            "note": "Điều phối viên và đội trưởng đội hình tình nguyện của các đơn vị cơ sở.",
                            "created_at": _at(short_given, 8)})
        self.insert(Assignment, assignments)

        # (enrolment id, person, course, lessons, lessons done, enrolled at, completed at)
        self.enrolments: list[tuple] = []
        rows = []

        def enrol(person: Person, course, lessons: list[int], completion_rate: float, assignment=None,
                  enrolled_day: date | None = None) -> None:
            nonlocal next_enrolment
            enrolled = _at(enrolled_day, 8) if enrolled_day else \
                self.moment_between(self.latest - timedelta(days=SELF_ENROLMENT_DAYS), self.latest - timedelta(days=2))
            enrolled = min(self.moment_between(enrolled, enrolled + timedelta(days=3)), self.latest)
            complete = rng.random() < completion_rate
            if complete:
                done = len(lessons)
                finish_by = min(enrolled + timedelta(days=rng.randint(*COMPLETION_DAYS)), self.latest)
                completed = min(self.moment_between(enrolled + timedelta(days=3), finish_by), self.latest)
                last = completed
            else:
                done = 0 if rng.random() < 0.2 else rng.randint(1, min(22, len(lessons) - 1))
                completed = None
                last = self.moment_between(enrolled, self.latest) if done else None
            rows.append({"id": next_enrolment, "user_id": person.id, "course_id": course.id,
                         "assignment_id": assignment[0] if assignment else None,
                         "due_on": assignment[1] if assignment else None, "enrolled_at": enrolled,
                         "completed_at": completed, "last_lesson_id": lessons[done - 1] if done else None,
                         "last_activity_at": last})
            self.enrolments.append((next_enrolment, person, course, lessons, done, enrolled, completed or last))
            next_enrolment += 1

        for person in self.people:
            unit = person.unit
            entry = by_province.get(unit.province.id) if unit.province else None
            rate = entry["rate"] if entry else 0.37
            assignment = entry["assignment"] if entry else None
            if assignment and person.active and unit.org == "DOAN":
                enrol(person, core, core_lessons, rate + 0.05, assignment, assignment[2])
            elif rng.random() < (0.3 if person.active else 0.15):
                enrol(person, core, core_lessons, rate)
            if person.active and unit.org == "DOAN" and person.role in (COORDINATOR, TEAM_LEADER) \
                    and person.unit.level in ("grassroots", "branch"):
                enrol(person, short, short_lessons, 0.35, (short_assignment, short_due), short_given)
            trainer = person.trainer
            if trainer is not None and (trainer.status != CANDIDATE or rng.random() < 0.7):
                start = (trainer.trained_on or trainer.certified_on or self.today) - timedelta(days=rng.randint(20, 60))
                enrol(person, tot, tot_lessons, 0.0 if trainer.status == CANDIDATE else 1.0, enrolled_day=start)
        self.insert(Enrolment, rows, "assignments and enrolments")
        self.counts["assignments and enrolments"] += len(assignments)

    def build_progress(self) -> None:
        def rows():
            for enrolment_id, _person, _course, lessons, done, enrolled, last in self.enrolments:
                if not done:
                    continue
                step = (last - enrolled) / done
                for index in range(done):
                    yield {"enrolment_id": enrolment_id, "lesson_id": lessons[index],
                           "completed_at": enrolled + step * (index + 1)}
        self.insert(LessonProgress, rows(), "lesson progress")

    def build_certificates(self) -> None:
        rng = self.rng
        codes: set[str] = set()
        rows = []
        for enrolment_id, person, course, lessons, done, _enrolled, last in self.enrolments:
            if done != len(lessons) or not course.certificate_enabled:
                continue
            code = f"{rng.getrandbits(80):020x}"
            while code in codes:
                code = f"{rng.getrandbits(80):020x}"
            codes.add(code)
            rows.append({"code": code, "enrolment_id": enrolment_id, "user_id": person.id, "course_id": course.id,
                         "holder_name": person.full_name, "course_title": course.title,
                         "issuing_unit_id": person.unit.id, "issued_at": last})
        self.insert(Certificate, rows, "certificates")

    # --- training plans, cohorts and the cascade ---

    def build_plans(self) -> None:
        rng = self.rng
        next_id = self.next_id(TrainingPlanItem)
        self.plan_items: dict[tuple[int, int], list[dict]] = {}
        rows = []
        core = self.courses[CORE_COURSE][0]
        short = self.courses[SHORT_COURSE][0]
        groups = [COORDINATORS, TEAM_LEADERS, CLUB_HEADS, CADRES]
        for unit in [p for p in self.provinces if p.org == "DOAN"] + \
                [u for u in self.units if u.org == "DOAN" and u.level == "grassroots"]:
            is_province = unit.level == "province"
            if not is_province and rng.random() >= 0.25:
                continue
            admin = self.admins[unit.province.id]
            for year in ((self.year - 1, self.year) if is_province else (self.year,)):
                quarters = (1, 2, 3, 4) if is_province else (rng.randint(1, 4),)
                for quarter in quarters:
                    for group in rng.sample(groups, rng.randint(1, 2) if is_province else 1):
                        planned = max(1, round(rng.randint(2, 8) * self.scale)) if is_province else rng.randint(1, 2)
                        course = rng.choice([core, short, None]) if group in (COORDINATORS, CADRES) else \
                            rng.choice([short, None])
                        item = {"id": next_id, "unit_id": unit.id, "year": year, "quarter": quarter,
                                "course_id": course.id if course else None, "target_group": group,
                                "planned_cohorts": planned, "planned_participants": planned * rng.randint(25, 40),
                                "created_by_id": admin.id}
                        rows.append(item)
                        self.plan_items.setdefault((unit.id, year), []).append(item)
                        next_id += 1
        self.insert(TrainingPlanItem, rows, "training plans")

    def build_cohorts(self) -> None:
        rng, today = self.rng, self.today
        next_id = self.next_id(Cohort)
        self.cohorts: list[dict] = []
        self.cohort_people: dict[int, list[tuple[Person, bool | None]]] = {}
        self.cohort_trainers: list[dict] = []
        masters = [t for t in self.trainers if t.tier == MASTER and t.status == CERTIFIED]
        doan_provinces = [p for p in self.provinces if p.org == "DOAN"]
        by_province: dict[int, list[Trainer]] = {p.id: [] for p in doan_provinces}
        for trainer in self.trainers:
            if trainer.tier != MASTER:
                by_province[trainer.person.unit.province.id].append(trainer)

        def status_for(starts: date, ends: date) -> str:
            if starts > today:
                return OPEN if rng.random() < 0.2 else PLANNED
            if ends < today:
                return CLOSED if rng.random() < 0.92 else OPEN
            return OPEN

        def cohort(unit: PlannedUnit, title: str, course, group: str, starts: date, ends: date, lead: Trainer,
                   co: Trainer | None, creator: Person, plan_item: dict | None = None, status: str | None = None,
                   mode: str = "in_person") -> dict:
            nonlocal next_id
            status = status or status_for(starts, ends)
            place = "Trực tuyến" if mode == "online" else rng.choice(
                [f"Hội trường {unit.name}", f"Nhà văn hóa {unit.place}", f"Trung tâm Hoạt động Thanh thiếu nhi "
                 f"{self.short_province(unit.province or unit)}"] if unit.level != "central" else ["Hà Nội"])
            row = {"id": next_id, "title": title, "course_id": course.id if course else None, "unit_id": unit.id,
                   "mode": mode, "place": place[:200], "starts_on": starts, "ends_on": ends, "capacity": 40,
                   "attendance_threshold": 80, "requires_course": course is not None, "target_group": group,
                   "plan_item_id": plan_item["id"] if plan_item else None, "status": status,
                   "closed_at": _at(ends, 17) if status == CLOSED else None, "created_by_id": creator.id,
                   "created_at": _at(min(starts - timedelta(days=21), today - timedelta(days=1)), 10)}
            self.cohorts.append(row)
            self.cohort_people[next_id] = []
            self.cohort_trainers.append({"cohort_id": next_id, "trainer_id": lead.id, "role": LEAD})
            if co is not None and co is not lead:
                self.cohort_trainers.append({"cohort_id": next_id, "trainer_id": co.id, "role": CO_TRAINER})
            next_id += 1
            return row

        # The cascade: masters train provincial trainers at the centre, provincial trainers train the
        # grassroots trainers of their province, in batches by the day they were trained.
        tot = self.courses[TOT_COURSE][0]
        central = self.centrals["DOAN"]

        def tot_cohorts(trainees: list[Trainer], unit: PlannedUnit, leads: list[Trainer], title: str, size: int):
            trainees = sorted(trainees, key=lambda t: (t.trained_on, t.id))
            for number, first in enumerate(range(0, len(trainees), size), start=1):
                batch = trainees[first:first + size]
                starts = min(t.trained_on for t in batch)
                ends = starts + timedelta(days=4)
                status = CLOSED if ends < today else OPEN
                lead = rng.choice(leads)
                row = cohort(unit, f"{title} – khóa {number:02d}", tot, TRAINERS, starts, ends, lead,
                             rng.choice(leads), self.central_admin if unit.level == "central" else
                             self.admins[unit.id], status=status)
                for trainee in batch:
                    trainee.cohort_id = row["id"]
                    self.cohort_people[row["id"]].append(
                        (trainee.person, (trainee.status != CANDIDATE or rng.random() < 0.6) if status == CLOSED
                         else None))

        provincial = [t for t in self.trainers if t.tier == PROVINCIAL]
        tot_cohorts(provincial, central, masters, "Lớp bồi dưỡng tập huấn viên cấp tỉnh về quản lý, điều phối "
                    "tình nguyện", 25)
        for province in doan_provinces:
            leads = [t for t in by_province[province.id] if t.tier == PROVINCIAL and t.status == CERTIFIED] or masters
            trainees = [t for t in by_province[province.id] if t.tier == GRASSROOTS]
            tot_cohorts(trainees, province, leads, f"Lớp bồi dưỡng tập huấn viên cơ sở {province.place}", 20)

        # The cohorts trainers run for cadres, at province offices and grassroots units, some of them
        # meeting an item of the yearly plan.
        core, short = self.courses[CORE_COURSE][0], self.courses[SHORT_COURSE][0]
        wanted = max(40, self.cadres // 60) - len(self.cohorts)
        grassroots_units = [u for u in self.units if u.org == "DOAN" and u.level == "grassroots"]
        first_day, last_day = date(self.year - 1, 1, 1), min(date(self.year, 12, 31), today + timedelta(days=90))
        numbers: dict[int, int] = {}
        pools: dict[int, list[int]] = {p.id: [i for i in p.cadres if self.people[i].active] for p in doan_provinces}
        for unit in self.units:
            if unit.org == "DOAN":
                active = [i for i in unit.cadres if self.people[i].active]
                pools.setdefault(unit.grassroots.id, []).extend(active)
                pools[unit.province.id].extend(active)
        certified_by_province = {p.id: [t for t in by_province[p.id] if t.status == CERTIFIED] for p in doan_provinces}
        candidates_by_province = {p.id: [t for t in by_province[p.id] if t.status == CANDIDATE] for p in doan_provinces}
        for _index in range(wanted):
            unit = rng.choice(doan_provinces) if rng.random() < 0.25 else rng.choice(grassroots_units)
            province = unit.province
            items = self.plan_items.get((unit.id, self.year), []) + self.plan_items.get((unit.id, self.year - 1), [])
            item = rng.choice(items) if items and rng.random() < 0.6 else None
            if item is not None:
                quarter_start = date(item["year"], *PLAN_QUARTER_DAYS[item["quarter"] - 1])
                starts = self.day_between(quarter_start, quarter_start + timedelta(days=85))
                group, course_id = item["target_group"], item["course_id"]
                course = core if course_id == core.id else short if course_id == short.id else None
                linked = item if rng.random() < 0.7 else None
            else:
                starts = self.day_between(first_day, last_day)
                group = rng.choice([COORDINATORS, TEAM_LEADERS, CLUB_HEADS, CADRES])
                course = rng.choice([core, short, None] if group in (COORDINATORS, CADRES) else [short, None])
                linked = None
            mode = rng.choices(["in_person", "blended", "online"], (70, 20, 10))[0]
            ends = starts + timedelta(days=rng.randint(1, 3) if mode == "in_person" else rng.randint(14, 30))
            lead = rng.choice(certified_by_province[province.id] or masters)
            candidates = candidates_by_province[province.id]
            co = rng.choice(candidates) if candidates and rng.random() < 0.4 else None
            numbers[unit.id] = numbers.get(unit.id, 0) + 1
            title = f"Lớp tập huấn {GROUP_TITLES[group]} {unit.place} – đợt {numbers[unit.id]}"
            row = cohort(unit, title, course, group, starts, ends, lead, co, self.admins[province.id], linked,
                         mode=mode)
            pool = pools[unit.id]
            chosen = rng.sample(pool, min(len(pool), rng.randint(15, 40)))
            for index in sorted(chosen):
                done = rng.random() < 0.82 if row["status"] == CLOSED else None
                self.cohort_people[row["id"]].append((self.people[index], done))
        self.insert(Cohort, self.cohorts, "cohorts")

    def build_trainer_profiles(self) -> None:
        lead_of = {row["cohort_id"]: row["trainer_id"] for row in self.cohort_trainers if row["role"] == LEAD}
        by_id = {t.id: t for t in self.trainers}
        profiles, events, practicums, roles = [], [], [], []
        for trainer in self.trainers:
            certified = trainer.certified_on
            active_cert = trainer.status in (CERTIFIED, SUSPENDED)
            expires = _two_years_later(certified) if certified else None
            profiles.append({"id": trainer.id, "user_id": trainer.person.id, "tier": trainer.tier,
                             "status": trainer.status, "trained_in_cohort_id": trainer.cohort_id,
                             "certified_at": _at(certified, 15) if certified and (active_cert or
                                                                                   trainer.status == EXPIRED) else None,
                             "expires_on": expires if certified else None,
                             "created_at": _at((trainer.trained_on or certified or self.today) - timedelta(days=10))})
            if certified:
                assessor = by_id.get(lead_of.get(trainer.cohort_id)) if trainer.cohort_id else None
                by = assessor.person if assessor else self.central_admin
                events.append({"trainer_id": trainer.id, "action": "certified", "by_user_id": by.id,
                               "cohort_id": trainer.cohort_id, "note": "", "at": _at(certified, 16)})
                if assessor is not None:
                    practicums.append({"trainer_id": trainer.id, "assessor_id": assessor.id,
                                       "cohort_id": trainer.cohort_id, "passed": True, "rubric": RUBRIC,
                                       "comments": "Đạt yêu cầu.",
                                       "assessed_at": _at(certified - timedelta(days=3), 15)})
                if trainer.status == EXPIRED:
                    events.append({"trainer_id": trainer.id, "action": "expired", "by_user_id": None,
                                   "cohort_id": None, "note": "", "at": _at(expires + timedelta(days=1), 1)})
                elif trainer.status == SUSPENDED:
                    events.append({"trainer_id": trainer.id, "action": "suspended", "by_user_id": self.central_admin.id,
                                   "cohort_id": None, "note": "Tạm đình chỉ theo đề nghị của đơn vị.",
                                   "at": self.moment_between(_at(certified), self.latest)})
            if trainer.status != SUSPENDED:
                unit = trainer.person.unit
                scope = (self.centrals["DOAN"] if trainer.tier == MASTER else
                         unit.province if trainer.tier == PROVINCIAL else (unit.grassroots or unit))
                roles.append({"user_id": trainer.person.id, "role": Role.TRAINER.value, "unit_id": scope.id})
        self.insert(TrainerProfile, profiles, "trainer profiles and certification")
        self.insert(CertificationEvent, events, "trainer profiles and certification")
        self.insert(Practicum, practicums, "trainer profiles and certification")
        self.insert(RoleAssignment, roles, "trainer profiles and certification")
        self.insert(CohortTrainer, self.cohort_trainers, "trainer profiles and certification")

    def build_participants(self) -> None:
        def rows():
            for row in self.cohorts:
                added = _at(min(row["starts_on"] - timedelta(days=3), self.today - timedelta(days=1)), 10)
                for person, done in self.cohort_people[row["id"]]:
                    yield {"cohort_id": row["id"], "user_id": person.id, "added_at": added, "completed": done}
        self.insert(CohortParticipant, rows(), "cohort participants")

    def build_sessions(self) -> None:
        rng, today = self.rng, self.today
        next_id = self.next_id(TrainingSession)
        lead_of = {row["cohort_id"]: row["trainer_id"] for row in self.cohort_trainers if row["role"] == LEAD}
        sessions, attendance = [], []
        for row in self.cohorts:
            count = 4 if row["target_group"] == TRAINERS else rng.randint(2, 4)
            span = (row["ends_on"] - row["starts_on"]).days
            topics = SESSION_TOPICS[row["target_group"]]
            for number in range(count):
                held = row["starts_on"] + timedelta(days=span * number // max(count - 1, 1))
                sessions.append({"id": next_id, "cohort_id": row["id"], "held_on": held, "topic": topics[number % 4],
                                 "trainer_id": lead_of[row["id"]]})
                if row["status"] != PLANNED and held <= today:
                    recorded = _at(min(held, today - timedelta(days=1)), 17)
                    for person, done in self.cohort_people[row["id"]]:
                        draw = rng.random()
                        if done is False:
                            status = "absent" if draw < 0.5 else "present"
                        else:
                            status = "present" if draw < 0.93 else "excused" if draw < 0.97 else "absent"
                        attendance.append({"session_id": next_id, "user_id": person.id, "status": status,
                                           "recorded_at": recorded})
                next_id += 1
        self.insert(TrainingSession, sessions, "sessions and attendance")
        self.insert(Attendance, attendance, "sessions and attendance")

    # --- assessment ---

    def build_campaigns(self) -> None:
        opens = max(date(self.year, 1, 2), self.today - timedelta(days=45))
        opens = min(opens, self.today)
        national = Campaign(
            title=f"Đánh giá năng lực quản lý, điều phối hoạt động tình nguyện năm {self.year}",
            description="Đợt đánh giá toàn quốc của cán bộ Đoàn các cấp và năng lực tổ chức hoạt động tình nguyện "
                        "của từng đơn vị.",
            framework_id=self.framework.id, unit_id=self.centrals["DOAN"].id,
            target_levels=["province", "grassroots", "branch"], target_roles=[],
            instruments=[SELF, SUPERVISOR, KNOWLEDGE], assess_units=True, opens_on=opens,
            due_on=self.today + timedelta(days=45), status=CAMPAIGN_DRAFT, created_by_id=self.central_admin.id,
            created_at=_at(opens - timedelta(days=7)))
        db.session.add(national)
        db.session.flush()
        launched = launch_campaign(national)
        province = next((p for p in self.provinces if p.code == "DOAN-LCI"),
                        next(p for p in self.provinces if p.org == "DOAN"))
        local = Campaign(
            title=f"Đánh giá điều phối viên tình nguyện {province.place} năm {self.year}",
            description="Tự đánh giá và bài kiểm tra kiến thức của điều phối viên tình nguyện cấp cơ sở.",
            framework_id=self.framework.id, unit_id=province.id, target_levels=["grassroots", "branch"],
            target_roles=[COORDINATOR], instruments=[SELF, KNOWLEDGE], assess_units=False, opens_on=opens,
            due_on=self.today + timedelta(days=30), status=CAMPAIGN_DRAFT, created_by_id=self.admins[province.id].id,
            created_at=_at(opens - timedelta(days=3)))
        db.session.add(local)
        db.session.flush()
        launched_local = launch_campaign(local)
        self.campaigns = [national, local]
        self.counts["campaigns launched"] = launched.participants + launched.units + launched_local.participants

    def build_campaign_progress(self) -> None:
        """About 45 % of the participants finished (varying by province), 15 % part-way; results for the
        finished and a third of those part-way: about half of them."""
        rng = self.rng
        unit_index = {u.id: u for u in self.units}
        unit_index.update({p.id: p for p in self.provinces})
        rate_by_province = {p.id: 0.3 + rng.random() * 0.3 for p in self.provinces}
        self.rated: list[tuple[int, int, str, str | None, PlannedUnit]] = []
        finished, partial = [], []
        for campaign in self.campaigns:
            rows = db.session.execute(
                select(Participant.id, Participant.unit_id, Participant.level_code, Participant.volunteer_role)
                .where(Participant.campaign_id == campaign.id).order_by(Participant.id)).all()
            opened = _at(campaign.opens_on, 8)
            for participant_id, unit_id, level_code, role in rows:
                unit = unit_index.get(unit_id)
                province = unit.province if unit is not None else None
                rate = rate_by_province.get(province.id, 0.45) if province else 0.45
                draw = rng.random()
                if draw < rate:
                    done = self.moment_between(opened, self.latest)
                    supervisor = self.admins.get(province.id, self.central_admin) if province else self.central_admin
                    finished.append({"id": participant_id, "self_done_at": done - timedelta(days=2),
                                     "supervisor_done_at": done if SUPERVISOR in campaign.instruments else None,
                                     "supervisor_id": supervisor.id if SUPERVISOR in campaign.instruments else None,
                                     "knowledge_done_at": done - timedelta(days=1), "completed_at": done})
                    self.rated.append((campaign.id, participant_id, level_code, role, unit))
                elif draw < rate + 0.15:
                    partial.append({"id": participant_id, "self_done_at": self.moment_between(opened, self.latest)})
                    if rng.random() < 1 / 3:
                        self.rated.append((campaign.id, participant_id, level_code, role, unit))
        self.update(Participant, finished)
        self.update(Participant, partial)
        self.counts["campaign progress"] = len(finished) + len(partial)

    def build_results(self) -> None:
        rng = self.rng
        framework = self.framework
        domain_of = {c.code: c.domain.code for c in framework.competencies}
        codes = [c.code for c in framework.competencies]
        difficulty = {code: rng.uniform(-0.3, 0.6) for code in codes}
        province_offset = {p.id: rng.uniform(-0.3, 0.4) for p in self.provinces}
        expected_cache: dict[tuple[str, str | None], dict[str, int]] = {}
        updated = self.latest

        def rows():
            for _campaign_id, participant_id, level_code, role, unit in self.rated:
                key = (level_code, role)
                expected = expected_cache.get(key)
                if expected is None:
                    expected = expected_cache[key] = expected_levels(framework, level_code, role)
                shift = 0.2 - (province_offset.get(unit.province.id, 0) if unit and unit.province else 0) \
                    - (0.3 if unit and (unit.flags[0] or unit.flags[1]) else 0)
                for code in codes:
                    want = expected.get(code, 0)
                    if not want:
                        continue
                    achieved = min(4, max(1, want + round(rng.gauss(shift - difficulty[code], 0.9))))
                    yield {"participant_id": participant_id, "competency_code": code, "domain_code": domain_of[code],
                           "expected": want, "achieved": achieved, "gap": max(want - achieved, 0),
                           "updated_at": updated}
        self.insert(CompetencyResult, rows(), "competency results")

    def build_unit_assessments(self) -> None:
        rng = self.rng
        national = self.campaigns[0]
        rows = db.session.execute(select(UnitAssessment.id, UnitAssessment.unit_id)
                                  .where(UnitAssessment.campaign_id == national.id).order_by(UnitAssessment.id)).all()
        unit_index = {u.id: u for u in self.units}
        unit_index.update({p.id: p for p in self.provinces})
        pace = {p.id: rng.uniform(-0.15, 0.15) for p in self.provinces}
        opened = _at(national.opens_on, 8)
        groups: dict[str, list[dict]] = {}
        events = []
        for assessment_id, unit_id in rows:
            unit = unit_index.get(unit_id)
            province = unit.province if unit is not None else None
            admin = self.admins.get(province.id, self.central_admin) if province else self.central_admin
            reviewer = self.central_admin if unit is None or unit.level == "province" else admin
            draw = rng.random() - pace.get(province.id, 0) if province else rng.random()
            status = (NOT_STARTED if draw < 0.30 else UNIT_DRAFT if draw < 0.55 else SUBMITTED if draw < 0.75
                      else RETURNED if draw < 0.80 else APPROVED)
            row = {"id": assessment_id, "status": status, "round": 0, "submitted_at": None, "submitted_by_id": None,
                   "reviewed_at": None, "reviewed_by_id": None, "updated_at": opened}
            if status == UNIT_DRAFT:
                row["updated_at"] = self.moment_between(opened, self.latest)
            elif status != NOT_STARTED:
                submitted = self.moment_between(opened, self.latest - timedelta(days=2))
                row.update(round=1, submitted_at=submitted, submitted_by_id=admin.id, updated_at=submitted)
                events.append({"assessment_id": assessment_id, "action": "submitted", "round": 1,
                               "by_user_id": admin.id, "note": "", "comments": {}, "snapshot": {}, "at": submitted})
                if status in (RETURNED, APPROVED):
                    reviewed = self.moment_between(submitted, self.latest)
                    row.update(reviewed_at=reviewed, reviewed_by_id=reviewer.id, updated_at=reviewed)
                    events.append({"assessment_id": assessment_id, "action": "returned" if status == RETURNED
                                   else "approved", "round": 1, "by_user_id": reviewer.id,
                                   "note": "Bổ sung minh chứng cho các chỉ số khai báo." if status == RETURNED else "",
                                   "comments": {}, "snapshot": {}, "at": reviewed})
            groups.setdefault(status, []).append(row)
        for status in (NOT_STARTED, UNIT_DRAFT, SUBMITTED, RETURNED, APPROVED):
            self.update(UnitAssessment, groups.get(status, []))
        self.insert(UnitAssessmentEvent, events)
        self.counts["unit assessments"] = len(rows)

    def fix_sequences(self) -> None:
        """On PostgreSQL, move the id sequences past the ids given here explicitly."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for model in (Unit, User, Enrolment, Assignment, TrainerProfile, Cohort, TrainingPlanItem, TrainingSession):
            table = model.__table__.name
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))


def build(cadres: int = FULL_SCALE, seed: int = 1, echo=print) -> dict[str, int]:
    """Build the synthetic dataset in one transaction, printing each step's time through `echo`.
    Returns the rows written per step. SynthError when the reference data is missing or the database
    already holds accounts; nothing is written then."""
    if cadres < 100:
        raise SynthError(gettext("Hãy tạo ít nhất 100 cán bộ."))
    return Builder(cadres, seed, echo).run()

"""Time the bulk onboarding of cadres, phase by phase, on a fresh database.

    python bench/import_cadres.py [--rows 5000] [--existing 10000] [--database-url URL]

Builds the schema with the migrations, loads the demo units and `--existing` demo cadres (so the
duplicate checks search a populated table), writes an .xlsx of `--rows` new cadres with realistic
Vietnamese names, then reads, checks, stores, confirms and hands out the activation codes.
Without --database-url a temporary SQLite file is used; a PostgreSQL URL must name an empty database.
"""
import argparse
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms import create_app  # noqa: E402
from lms.auth.permissions import Role  # noqa: E402
from lms.db import db  # noqa: E402
from lms.demo import PROVINCE_A, load_demo  # noqa: E402
from lms.orgs.models import Unit  # noqa: E402
from lms.people import onboarding  # noqa: E402
from lms.people.models import User  # noqa: E402
from lms.people.services import create_account, unit_by_code  # noqa: E402
from lms.vietnamese import name_key  # noqa: E402

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + [
    "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh"]
MIDDLE = {"nam": ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân", "Tiến", "Trọng"],
          "nu": ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Hồng", "Mỹ", "Khánh", "Thùy"]}
GIVEN = {"nam": ["Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long",
                 "Nam", "Nghĩa", "Phong", "Quân", "Sơn", "Thắng", "Thành", "Tuấn", "Việt", "Vinh", "Hòa"],
         "nu": ["An", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan", "Linh",
                "Mai", "Ngân", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Vân", "Yến", "Ánh"]}
HIGHLAND = [("Giàng A", "Páo", "nam", "Mông"), ("Sùng Thị", "Mai", "nu", "Mông"), ("Thào A", "Dình", "nam", "Mông"),
            ("Lò Văn", "Sáng", "nam", "Thái"), ("Tẩn Láo", "Lở", "nam", "Dao"), ("Hoàng Thị", "Pết", "nu", "Tày"),
            ("Lù Văn", "Pao", "nam", "Giáy"), ("Ma Thị", "Chiêm", "nu", "Nùng")]
POSITIONS = ["Bí thư Chi đoàn", "Phó Bí thư Chi đoàn", "Ủy viên Ban Chấp hành", "Đoàn viên",
             "Đội trưởng đội hình tình nguyện", "Chủ nhiệm Câu lạc bộ tình nguyện", "Cán bộ chuyên trách"]
PREFIXES = ["32", "33", "35", "37", "39", "70", "77", "79", "81", "83", "85", "86", "88", "90", "91",
            "93", "94", "96", "97", "98"]
GENDER_TEXT = {"nam": "Nam", "nu": "Nữ"}


def _person(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.2:
        family_middle, given, gender, ethnicity = rng.choice(HIGHLAND)
        return f"{family_middle} {given}", gender, ethnicity
    gender = rng.choice(["nam", "nu"])
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}", gender, "Kinh"


def _unique_row(rng, unit_codes, taken_phones, taken_people, index) -> list:
    while True:
        name, gender, ethnicity = _person(rng)
        born = date(rng.randint(1987, 2006), rng.randint(1, 12), rng.randint(1, 28))
        phone = "0" + rng.choice(PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
        if phone not in taken_phones and (name_key(name), born) not in taken_people:
            taken_phones.add(phone)
            taken_people.add((name_key(name), born))
            break
    email = f"canbo.{index + 1}@example.org" if index % 3 else None
    born_cell = born if index % 2 else born.strftime("%d/%m/%Y")  # real date cells and typed dates
    return [name, born_cell, GENDER_TEXT[gender], ethnicity, phone, email, rng.choice(unit_codes),
            rng.choice(POSITIONS)]


def build_workbook(rows: int, unit_codes: list[str]) -> bytes:
    rng = random.Random(2024)
    taken_phones = {"0" + p[3:] for p in db.session.scalars(select(User.phone).where(User.phone.is_not(None)))}
    taken_people = {(key, born) for key, born in db.session.execute(
        select(User.name_key, User.date_of_birth).where(User.date_of_birth.is_not(None)))}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách cán bộ")
    sheet.append([column.header for column in onboarding.COLUMNS])
    for index in range(rows):
        sheet.append(_unique_row(rng, unit_codes, taken_phones, taken_people, index))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@contextmanager
def phase(name: str, timings: dict):
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    print(f"  {name:<28} {timings[name]:7.2f} s", flush=True)


def run(rows: int, existing: int, url: str) -> dict:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "lms.bench",
                      "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    timings: dict[str, float] = {}
    with app.app_context(), app.test_request_context():
        with phase("schema", timings):
            upgrade()
        with phase(f"demo data, {existing} cadres", timings):
            load_demo(ROOT / "content", synthetic_cadres=existing)
        province = unit_by_code(PROVINCE_A)
        admin = create_account(full_name="Quản Trị Bench", unit=province, email="bench@example.org",
                               roles=((Role.UNIT_ADMIN, province),))
        db.session.commit()
        codes = list(db.session.scalars(select(Unit.code).where(Unit.path.startswith(province.path))))
        with phase(f"write xlsx, {rows} rows", timings):
            content = build_workbook(rows, codes)
        print(f"  ({len(content) / 1024:.0f} KiB)")
        with phase("read file", timings):
            parsed = onboarding.read_file("bench.xlsx", content)
        with phase("check rows", timings):
            checked = [onboarding.check_row(line, values) for line, values in parsed]
            onboarding.mark_duplicates_in_file(checked)
        with phase("check against database", timings):
            onboarding.check_database(checked, admin)
        errors = [row for row in checked if row["errors"]]
        if errors:
            raise SystemExit(f"unexpected errors in generated rows: {errors[:3]}")
        with phase("preview (all of the above)", timings):
            batch = onboarding.preview("bench.xlsx", content, admin)
        before = db.session.scalar(select(func.count(User.id)))
        with phase("commit", timings):
            result = onboarding.commit(batch, admin)
        created = db.session.scalar(select(func.count(User.id))) - before
        with phase("code sheet", timings):
            onboarding.code_sheet(onboarding.take_codes(batch), "https://lms.bench/login")
        print(f"  created {created} accounts ({result.outcome})")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        print(f"database: {url.split('@')[-1]}")
        run(args.rows, args.existing, url)


if __name__ == "__main__":
    main()

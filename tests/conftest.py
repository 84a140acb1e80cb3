"""Shared fixtures: one application on a real database (SQLite, or PostgreSQL when
LMS_TEST_DATABASE_URL is set), the schema built by the Alembic migrations, and every table
emptied after each test."""
import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy import text as sql

from lms import create_app
from lms.auth.permissions import Role
from lms.auth.services import hash_password
from lms.db import db
from lms.orgs.loader import load_directory
from lms.orgs.models import Organisation, Unit, UnitLevel
from lms.orgs.services import create_unit
from lms.people.services import create_account

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mat-khau-1"


@pytest.fixture(scope="session")
def app():
    workdir = Path(tempfile.mkdtemp(prefix="lms-test-"))
    url = os.environ.get("LMS_TEST_DATABASE_URL") or f"sqlite:///{workdir / 'test.sqlite3'}"
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": "lms.test",
        "LMS_REPORT_CACHE_SECONDS": 0,
    })
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()
        empty_all_tables()


def empty_all_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            # Tables that refer to each other (trainer_profile <-> cohort): cut those links first.
            for table in db.metadata.sorted_tables:
                for key in table.foreign_keys:
                    if key.use_alter:
                        connection.execute(table.update().values({key.parent.name: None}))
            for name in tables:
                connection.execute(sql(f'DELETE FROM "{name}"'))


def _forget_request_globals(_sender, **_extra):
    """The test's application context, and with it `g`, is shared by every request of the test
    client; a server starts each request with an empty `g`, and so does this."""
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture()
def client(app, app_ctx):
    """A test client with CSRF checks off; what a test changes in the configuration is put back after it."""
    saved = dict(app.config)
    app.config["WTF_CSRF_ENABLED"] = False
    app.extensions.pop("lms_outbox", None)
    request_started.connect(_forget_request_globals, app)
    yield app.test_client()
    request_started.disconnect(_forget_request_globals, app)
    app.config.clear()
    app.config.update(saved)


@dataclass
class Tree:
    """A small two-province tree of the Đoàn, with a grassroots unit and a branch in each."""

    central: Unit
    province_a: Unit
    grassroots_a: Unit
    branch_a: Unit
    province_b: Unit
    grassroots_b: Unit
    branch_b: Unit


@pytest.fixture()
def reference(app_ctx):
    """Organisations and unit levels as shipped under content/units."""
    directory = Path(tempfile.mkdtemp())
    for name in ("organisations.csv", "levels.csv"):
        (directory / name).write_text((ROOT / "content/units" / name).read_text(encoding="utf-8"), encoding="utf-8")
    load_directory(directory)


def level(code: str) -> UnitLevel:
    return db.session.query(UnitLevel).filter_by(code=code).one()


@pytest.fixture()
def tree(reference) -> Tree:
    doan = db.session.query(Organisation).filter_by(code="DOAN").one()
    central = create_unit(parent=None, organisation=doan, level=level("central"), code="DOAN-TW",
                          name="Trung ương Đoàn TNCS Hồ Chí Minh")
    province_a = create_unit(parent=central, level=level("province"), code="DOAN-LCI", name="Tỉnh đoàn Lào Cai",
                             is_mountainous=True, is_border=True)
    grassroots_a = create_unit(parent=province_a, level=level("grassroots"), code="DOAN-LCI-BATXAT",
                               name="Đoàn xã Bát Xát", is_ethnic_minority=True)
    branch_a = create_unit(parent=grassroots_a, level=level("branch"), code="DOAN-LCI-BATXAT-CD01",
                           name="Chi đoàn thôn Bản Vai")
    province_b = create_unit(parent=central, level=level("province"), code="DOAN-AGG", name="Tỉnh đoàn An Giang")
    grassroots_b = create_unit(parent=province_b, level=level("grassroots"), code="DOAN-AGG-PHUQUOC",
                               name="Đoàn đặc khu Phú Quốc", is_island=True)
    branch_b = create_unit(parent=grassroots_b, level=level("branch"), code="DOAN-AGG-PHUQUOC-CD01",
                           name="Chi đoàn ấp Gành Gió")
    db.session.commit()
    return Tree(central, province_a, grassroots_a, branch_a, province_b, grassroots_b, branch_b)


@pytest.fixture()
def make_user(app_ctx):
    """Create an account: make_user(unit, "Họ Tên", roles=[(Role.UNIT_ADMIN, unit)], email=...)."""
    counter = iter(range(1, 10_000))

    def make(unit: Unit, full_name: str = "Nguyễn Văn An", *, roles=(), email: str | None = None,
             password: str | None = PASSWORD, **fields):
        email = email or f"user{next(counter)}@example.org"
        user = create_account(full_name=full_name, unit=unit, email=email,
                              password_hash=hash_password(password) if password else None,
                              roles=tuple(roles), **fields)
        db.session.commit()
        return user

    return make


def login(client, user_or_identifier, password: str = PASSWORD):
    identifier = getattr(user_or_identifier, "email", user_or_identifier)
    return client.post("/login", data={"identifier": identifier, "password": password})


def sign_in_as(client, user):
    """Sign out whoever is signed in, then sign `user` in."""
    client.post("/logout")
    assert login(client, user).status_code == 302


def needs_debian_package(present: bool, package: str, purpose: str) -> None:
    """Skip a test whose Debian package this machine lacks; under CI, whose .ci/run installs it, fail."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{package} is needed {purpose}, and .ci/run installs it")
    pytest.skip(f"{package} is not installed; it is needed {purpose}")


def outbox(app) -> list:
    """The e-mails the application has sent (kept, with no SMTP host, in the order sent)."""
    return list(app.extensions.get("lms_outbox", []))


class Recorder:
    """An SMTP server's handler: keeps each message with the connection it came on, refuses the addresses
    `refusing`, and answers 421 (closing) to a connection that has already carried `per_connection` messages."""

    def __init__(self, per_connection: int | None = None, refusing: tuple[str, ...] = ()):
        self.per_connection, self.refusing = per_connection, refusing
        self.received: list[tuple[tuple, object]] = []  # (peer, message)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        carried = sum(1 for peer, _message in self.received if peer == session.peer)
        if self.per_connection is not None and carried >= self.per_connection:
            return "421 Too many messages on this connection"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusing:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session.peer, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"

    @property
    def connections(self) -> int:
        return len({peer for peer, _message in self.received})

    @property
    def recipients(self) -> list[str]:
        return [message["To"] for _peer, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """Start a server with a Recorder; the app sends to it, in plain SMTP, for the test."""
    servers, starttls = [], app.config["LMS_SMTP_STARTTLS"]

    def start(per_connection: int | None = None, refusing: tuple[str, ...] = ()) -> Recorder:
        recorder = Recorder(per_connection, refusing)
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=controller.port, LMS_SMTP_STARTTLS=False)
        return recorder

    yield start
    for controller in servers:
        controller.stop()
    app.config.update(LMS_SMTP_HOST="", LMS_SMTP_STARTTLS=starttls)


@pytest.fixture
def mail_server_turning_away(app):
    """A mail server that answers every connection "421 Service not available" and closes it, as one does
    that is being restarted; the list holds a None for each connection it turned away."""
    listener = socket.create_server(("127.0.0.1", 0))
    turned_away = []

    def turn_away():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:  # the listener is closed: the test is over
                return
            turned_away.append(None)
            connection.sendall(b"421 Service not available\r\n")
            connection.close()

    threading.Thread(target=turn_away, daemon=True).start()
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=listener.getsockname()[1])
    yield turned_away
    listener.close()
    app.config["LMS_SMTP_HOST"] = ""


def text(response) -> str:
    return response.get_data(as_text=True)


def content(response) -> str:
    """The page from its heading on, without the menu or the messages earlier steps left."""
    page = text(response)
    return page[page.index("<h1>"):]


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture()
def admin_a(tree, make_user):
    return make_user(tree.province_a, "Trần Văn Hùng", roles=[(Role.UNIT_ADMIN, tree.province_a)],
                     email="admin.a@example.org")


@pytest.fixture()
def admin_b(tree, make_user):
    return make_user(tree.province_b, "Lê Thị Ngọc Hân", roles=[(Role.UNIT_ADMIN, tree.province_b)],
                     email="admin.b@example.org")


@pytest.fixture()
def central_admin(tree, make_user):
    return make_user(tree.central, "Phạm Quốc Bảo",
                     roles=[(Role.CENTRAL_ADMIN, tree.central), (Role.REVIEWER, tree.central)],
                     email="central@example.org")


@pytest.fixture()
def cadre_a(tree, make_user):
    return make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="hoa@example.org", position="Phó Bí thư Đoàn xã")


def write_course(root: Path, slug: str = "khoa-thu", modules: int = 2, lessons: int = 2,
                 title: str = "Điều phối tình nguyện cơ bản", **course_meta) -> Path:
    """A small course in the curriculum file format: `modules` modules of `lessons` lessons, each
    module with a five-question quiz (pass mark 60, 2 attempts). Correct answers: option "Đúng"."""
    import yaml

    folder = root / "courses" / slug
    folder.mkdir(parents=True)
    meta = {"title": title, "summary": "Khóa học thử cho kiểm thử.", "organisations": [], "levels": [],
            "areas": [], "certificate": True, **course_meta}
    (folder / "course.md").write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\nMô tả khóa học.\n",
                                      encoding="utf-8")
    for m in range(1, modules + 1):
        module = folder / f"{m:02d}-mo-dun-{m}"
        module.mkdir()
        (module / "module.md").write_text(f"---\ntitle: Mô-đun {m}\nsummary: Tóm tắt {m}\n---\nGiới thiệu.\n",
                                          encoding="utf-8")
        for n in range(1, lessons + 1):
            (module / f"{n:02d}-bai-{n}.md").write_text(
                f"---\ntitle: Bài {m}.{n}\nminutes: 5\ncompetencies: [PLAN]\n---\n## Ý chính\n\nNội dung bài {m}.{n}.\n",
                encoding="utf-8")
        questions = [{"id": f"m{m}-q{q}", "type": "single", "competencies": ["PLAN"], "text": f"Câu hỏi {m}.{q}?",
                      "options": [{"text": "Đúng", "correct": True}, {"text": "Sai"}, {"text": "Không rõ"}],
                      "explanation": f"Giải thích {m}.{q}."} for q in range(1, 6)]
        quiz = {"title": f"Kiểm tra mô-đun {m}", "pass_mark": 60, "max_attempts": 2, "questions": questions}
        (module / "quiz.yaml").write_text(yaml.safe_dump(quiz, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture()
def course(app_ctx, tmp_path):
    """The small course of `write_course`, imported and published."""
    from lms.courses.content import import_directory
    from lms.courses.models import Course

    write_course(tmp_path)
    import_directory(tmp_path)
    return db.session.query(Course).filter_by(slug="khoa-thu").one()


@pytest.fixture()
def framework(reference):
    """A small published competency framework (tests/assessments/small_framework.yaml): competencies
    PLAN and TEAM (domain D1), SAFE and TRAIN (D2); four computed and three declared unit indicators."""
    from lms.assessments.framework import import_frameworks
    from lms.assessments.models import Framework

    directory = Path(tempfile.mkdtemp())
    (directory / "v1.yaml").write_text((ROOT / "tests/assessments/small_framework.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    import_frameworks(directory)
    return db.session.query(Framework).filter_by(version=1).one()

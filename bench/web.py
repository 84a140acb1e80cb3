"""Serve the application under gunicorn on a database built with `flask lms synth`, and measure it over HTTP.

    python bench/web.py --database-url URL [--workers 4] [--requests 50] [--duration 15] [--clients 8,32]
                        [--province DOAN-HNI] [--label NAME]

Starts gunicorn (bench/hello_app.py: the real application plus a bare `/bench-hello` route) with N sync
workers on a free local port, signs in through the real /login form (CSRF token read from the page) as the
synthetic central administrator, a province administrator and learners, then measures:

  * the national dashboard /reports/?unit=<DOAN-TW> (central administrator) and the province dashboard
    /reports/?unit=<province> (its administrator): median and p95 over --requests requests after a warm-up,
    on a server that keeps no report figures (every request runs the report SQL), then as deployed: after
    `flask lms reports refresh` has computed them into a report cache that the server's workers share;
  * a bare Flask route (the reference), a learner's lesson page, and a quiz submission (POST start, the
    quiz page, POST submit, as the real forms do): operations per second and p95 at each number of
    concurrent clients, for --duration seconds each;
  * errors (any unexpected status, page or connection failure), and the memory of each gunicorn worker
    (VmRSS after the run, and its peak VmHWM, from /proc/<pid>/status).

Prints a Markdown table with the issue's targets (national dashboard p95 under 300 ms; the lesson page at
least half the requests/s of the bare route; no errors under load; memory reported) and writes it to
bench/results/<date>-<database>[-<label>].md. The clients are threads of this process, on the same machine
as the server: on a small machine they take CPU from it, which the table states.
"""
import argparse
import http.client
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import exists, func, select  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402

from lms import create_app  # noqa: E402
from lms.courses.models import ACTIVE, Course, Enrolment, LessonProgress, Module, Quiz, QuizAttempt  # noqa: E402
from lms.courses.services import lesson_sequence  # noqa: E402
from lms.db import db  # noqa: E402
from lms.orgs.models import Unit, UnitLevel  # noqa: E402
from lms.people.models import User  # noqa: E402
from lms.reports.synth import (CENTRAL_ADMIN_EMAIL, CORE_COURSE, SYNTH_DOMAIN, SYNTH_PASSWORD,  # noqa: E402
                               province_admin_email)

NATIONAL_P95_MS = 300
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_ACTION = re.compile(r'action="(/courses/quizzes/\d+/attempts/\d+/submit)"')
OPTION = re.compile(r'name="(q\d+)" value="(\d+)"')
TIMEOUT = 120
SECRET_KEY = secrets.token_hex(32)  # one for the run: sessions outlive a server restart


# --- A small HTTP client with cookies ------------------------------------------------------------

class RequestFailed(Exception):
    pass


class Client:
    """One browser: its own cookies and connection. Not shared between threads."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        body = urlencode(form, doseq=True).encode() if form is not None else None
        headers = {"Accept-Language": "vi"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            if reused and method == "GET":  # a kept-alive connection the server had closed: once more
                return self.request(method, path, form)
            raise RequestFailed(f"{method} {path}: {type(error).__name__}: {error}") from None
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or "01 jan 1970" in cookie.lower() or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.will_close:
            self.close()
        text = data.decode("utf-8", "replace")
        found = CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def sign_in(self, identifier: str, password: str) -> None:
        status, _headers, _page = self.request("GET", "/login")
        if status != 200 or not self.csrf:
            raise RequestFailed(f"GET /login answered {status} without a form")
        status, headers, _page = self.request("POST", "/login", {"csrf_token": self.csrf, "identifier": identifier,
                                                                 "password": password})
        if status != 302:
            raise RequestFailed(f"signing in as {identifier} answered {status} (wrong password or locked?)")
        status, _headers, _page = self.request("GET", urlsplit(headers.get("location", "/")).path or "/")
        if status != 200:
            raise RequestFailed(f"the page after signing in as {identifier} answered {status}")


# --- Measurements --------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, one per operation
    errors: Counter = field(default_factory=Counter)
    requests: int = 0  # HTTP requests, for operations made of several
    elapsed: float = 0.0
    note: str = ""

    @property
    def operations(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def rate(self) -> float:
        return self.operations / self.elapsed if self.elapsed else 0.0

    def ms(self, share: float) -> float:
        return percentile(self.latencies, share) * 1000

    def error_text(self) -> str:
        if not self.errors:
            return "errors 0"
        shown = "; ".join(f"{text} ×{number}" for text, number in self.errors.most_common(3))
        return f"**errors {self.error_count}** ({shown})"


def timed(result: Result, operation) -> None:
    start = time.perf_counter()
    try:
        requests = operation()
    except RequestFailed as error:
        result.errors[str(error)[:160]] += 1
        return
    result.latencies.append(time.perf_counter() - start)
    result.requests += requests


def sequential(client: Client, path: str, count: int) -> Result:
    result = Result()

    def get():
        status, _headers, page = client.request("GET", path)
        if status != 200 or "<h1" not in page:
            raise RequestFailed(f"HTTP {status}")
        return 1

    start = time.perf_counter()
    for _ in range(count):
        timed(result, get)
    result.elapsed = time.perf_counter() - start
    return result


def concurrent(clients: int, duration: float, worker) -> Result:
    """Run `worker(index, deadline, result)` in `clients` threads until the deadline; one Result."""
    result = Result()
    partials = [Result() for _ in range(clients)]
    start = time.perf_counter()
    deadline = start + duration
    threads = [threading.Thread(target=worker, args=(index, deadline, partials[index])) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - start
    for part in partials:
        result.latencies += part.latencies
        result.errors.update(part.errors)
        result.requests += part.requests
        result.note = result.note or part.note
    return result


@dataclass
class Learner:
    client: Client
    slots: list[int]  # quiz ids, one entry per attempt left, in the order to use them


# --- The server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workers: int, port: int, settings: dict | None = None) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise SystemExit(f"{gunicorn} is missing: install the project's dependencies (pip install gunicorn)")
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY=SECRET_KEY, **(settings or {}))
    command = [str(gunicorn), "--config", "python:lms.serving", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"), "--timeout", str(TIMEOUT),
               "--log-level", "warning", "hello_app:app"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{master}$", status, re.MULTILINE):
                pids.append(int(entry.name))
    return sorted(pids)


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {key: int(number) / 1024 for key, number in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


# --- What to measure, read from the database -----------------------------------------------------

@dataclass
class Plan:
    dialect: str
    national_id: int
    province_id: int
    province_name: str
    province_admin: str
    core_slug: str
    lessons: list[int]
    quizzes: list[int]
    lesson_learners: list[str]
    quiz_learners: list[str]
    facts: dict
    cache_seconds: int


def read_plan(url: str, province_code: str | None, lesson_learners: int, quiz_learners: int) -> Plan:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        def count(model) -> int:
            return db.session.scalar(select(func.count()).select_from(model))

        national = db.session.scalar(select(Unit).where(Unit.code == "DOAN-TW"))
        if national is None or db.session.scalar(select(User.id).where(User.email == CENTRAL_ADMIN_EMAIL)) is None:
            raise SystemExit("This database has no synthetic dataset: run `flask lms synth` on it first.")
        if province_code is None:  # the Đoàn province with the most cadres: the heaviest drill-down
            rows = db.session.execute(
                select(Unit.code, Unit.path).join(UnitLevel).where(UnitLevel.code == "province",
                                                                   Unit.code.like("DOAN-%"))).all()
            member = aliased(Unit)
            sizes = {code: db.session.scalar(select(func.count(User.id)).join(member, User.unit_id == member.id)
                                             .where(member.path.startswith(path)))
                     for code, path in rows}
            province_code = max(sorted(sizes), key=sizes.get)
        province = db.session.scalar(select(Unit).where(Unit.code == province_code))
        if province is None:
            raise SystemExit(f"No unit has the code {province_code!r}.")
        course = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE))
        lessons = [ref.id for ref in lesson_sequence(course.id)]
        quizzes = list(db.session.scalars(select(Quiz.id).join(Module).where(
            Module.course_id == course.id, Module.status == ACTIVE, Quiz.status == ACTIVE)
            .order_by(Module.position, Module.id)))
        # Learners part-way through the core course who have never started a quiz (a run uses their
        # attempts, so another run picks others).
        learners = list(db.session.scalars(
            select(User.email).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course.id, Enrolment.completed_at.is_(None), User.is_active.is_(True),
                   User.must_change_password.is_(False), User.email.like(f"c%@{SYNTH_DOMAIN}"),
                   ~exists(select(QuizAttempt.id).where(QuizAttempt.enrolment_id == Enrolment.id)))
            .order_by(User.id).limit(lesson_learners + quiz_learners)))
        if len(learners) < lesson_learners + quiz_learners:
            raise SystemExit(f"Only {len(learners)} learners without quiz attempts are left; build a new dataset.")
        facts = {"accounts": count(User), "units": count(Unit), "enrolments": count(Enrolment),
                 "lesson progress rows": count(LessonProgress)}
        return Plan(db.engine.dialect.name, national.id, province.id, province.name,
                    province_admin_email(province.code),
                    course.slug, lessons, quizzes, learners[:lesson_learners], learners[lesson_learners:], facts,
                    app.config.get("LMS_REPORT_CACHE_SECONDS", 0))


# --- The run -------------------------------------------------------------------------------------

def sign_in_all(port: int, emails: list[str]) -> list[Client]:
    clients = [Client(port) for _ in emails]
    failures: list[str] = []

    def sign(index: int) -> None:
        try:
            clients[index].sign_in(emails[index], SYNTH_PASSWORD)
        except RequestFailed as error:
            failures.append(str(error))

    for first in range(0, len(emails), 8):
        threads = [threading.Thread(target=sign, args=(i,)) for i in range(first, min(first + 8, len(emails)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise SystemExit(f"signing in failed: {failures[0]} (and {len(failures) - 1} more)")
    return clients


def hello_worker(port: int, signed_in: list[Client] | None = None):
    """The bare route, or with `signed_in` clients its signed-in twin, one client per thread."""
    def work(index: int, deadline: float, result: Result) -> None:
        client = signed_in[index] if signed_in else Client(port)
        path = "/bench-hello-signed-in" if signed_in else "/bench-hello"

        def get():
            status, _headers, page = client.request("GET", path)
            if status != 200 or page != "ok":
                raise RequestFailed(f"{path} HTTP {status}")
            return 1

        while time.perf_counter() < deadline:
            timed(result, get)
    return work


def lesson_worker(plan: Plan, clients: list[Client]):
    def work(index: int, deadline: float, result: Result) -> None:
        client = clients[index]
        step = index
        while time.perf_counter() < deadline:
            lesson_id = plan.lessons[step % len(plan.lessons)]
            step += 1

            def get():
                status, _headers, page = client.request("GET", f"/courses/{plan.core_slug}/lessons/{lesson_id}")
                if status != 200 or "<h1" not in page:
                    raise RequestFailed(f"lesson page HTTP {status}")
                return 1

            timed(result, get)
    return work


def quiz_worker(learners: "queue.Queue[Learner]", seed: int):
    def work(index: int, deadline: float, result: Result) -> None:
        rng = random.Random(seed + index)
        learner = None
        while time.perf_counter() < deadline:
            if learner is None or not learner.slots:
                try:
                    learner = learners.get_nowait()
                except queue.Empty:
                    result.note = "the learners' quiz attempts ran out before the end"
                    return
                if not learner.slots:
                    learner = None
                    continue
            client, quiz_id = learner.client, learner.slots.pop(0)

            def submit():
                status, headers, _page = client.request("POST", f"/courses/quizzes/{quiz_id}/start",
                                                        {"csrf_token": client.csrf})
                if status != 302 or not headers.get("location", "").endswith(f"/courses/quizzes/{quiz_id}"):
                    raise RequestFailed(f"quiz start HTTP {status}")
                status, _headers, page = client.request("GET", f"/courses/quizzes/{quiz_id}")
                action = SUBMIT_ACTION.search(page)
                if status != 200 or action is None:
                    raise RequestFailed(f"quiz page HTTP {status} without an open attempt")
                options: dict[str, list[str]] = {}
                for name, value in OPTION.findall(page):
                    options.setdefault(name, []).append(value)
                answers = {name: rng.choice(values) for name, values in options.items()}
                status, headers, _page = client.request("POST", action.group(1), {"csrf_token": client.csrf, **answers})
                if status != 302 or "/attempts/" not in headers.get("location", ""):
                    raise RequestFailed(f"quiz submit HTTP {status}")
                return 3

            timed(result, submit)
        if learner is not None:
            learners.put(learner)
    return work


def refresh_figures(url: str, settings: dict) -> tuple[str, str, str, str]:
    """Run `flask lms reports refresh` as cron would, before the server that reads what it kept."""
    flask = Path(sys.executable).with_name("flask")
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY=SECRET_KEY, **settings)
    started = time.perf_counter()
    done = subprocess.run([str(flask), "--app", "lms", "lms", "reports", "refresh"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"flask lms reports refresh failed: {done.stderr or done.stdout}")
    units = re.search(r"số liệu của (\d+) đơn vị", done.stdout)
    print(f"refresh: {done.stdout.strip()}")
    return ("`flask lms reports refresh` (cron): the top units' and the provinces' figures computed ahead",
            f"{units.group(1) if units else '?'} units in {seconds:.1f} s (one process)", "—", "✓")


def dashboard_rows(port: int, plan: Plan, args, cache: str, *, target: bool) -> list[tuple[str, str, str, str]]:
    """Sign in both administrators, warm up, then time the national and the province dashboard."""
    central, = sign_in_all(port, [CENTRAL_ADMIN_EMAIL])
    province_admin, = sign_in_all(port, [plan.province_admin])
    national_path, province_path = f"/reports/?unit={plan.national_id}", f"/reports/?unit={plan.province_id}"
    for _ in range(args.workers * 2):  # every worker has connected and rendered each page at least once
        sequential(central, national_path, 1)
        sequential(province_admin, province_path, 1)
    rows = []
    for who, client, path, target in (("national", central, national_path, NATIONAL_P95_MS if target else None),
                                      ("province", province_admin, province_path, None)):
        result = sequential(client, path, args.requests)
        print(f"{who} dashboard, {cache}: median {result.ms(0.5):.0f} ms, p95 {result.ms(0.95):.0f} ms, "
              f"{result.error_count} errors")
        title = ("National dashboard `{}` (central administrator)" if who == "national" else
                 "Province dashboard `{}` (" + plan.province_name + ", its administrator)").format(path)
        met = not result.errors and (target is None or result.ms(0.95) < target)
        rows.append((f"{title}, {cache}, {args.requests} requests",
                     f"median {result.ms(0.5):.0f} ms · p95 {result.ms(0.95):.0f} ms · {result.error_text()}",
                     f"p95 < {target} ms" if target else "—", "✓" if met else "✗"))
    return rows


def measure(args) -> tuple[str, str]:
    plan = read_plan(args.database_url, args.province, max(args.clients), args.quiz_learners)
    port = free_port()
    print(f"database: {plan.dialect}, {plan.facts['accounts']:,} accounts, "
          f"{plan.facts['lesson progress rows']:,} lesson-progress rows; gunicorn: {args.workers} workers on :{port}")
    rows: list[tuple[str, str, str, str]] = []
    # The dashboards with nothing kept first: what their SQL costs, i.e. what one refresh of them costs.
    server = start_server(args.database_url, args.workers, port, {"LMS_REPORT_CACHE_SECONDS": "0"})
    try:
        rows += dashboard_rows(port, plan, args, "figures computed on every request (nothing kept)", target=False)
    finally:
        stop_server(server)
    # Then as deployed: the refresh command has computed the figures, which the workers read.
    kept = {"LMS_REPORT_CACHE_SECONDS": str(plan.cache_seconds or 900),
            "LMS_REPORT_CACHE_DIR": tempfile.mkdtemp(prefix="lms-bench-reports-")}
    rows.append(refresh_figures(args.database_url, kept))
    server = start_server(args.database_url, args.workers, port, kept)
    load_errors = load_requests = 0
    try:
        rows += dashboard_rows(port, plan, args, f"as deployed (figures refreshed ahead, kept "
                                                 f"{kept['LMS_REPORT_CACHE_SECONDS']} s)", target=True)
        started = time.perf_counter()
        lesson_clients = sign_in_all(port, plan.lesson_learners)
        quiz_clients = sign_in_all(port, plan.quiz_learners)
        print(f"signed in {len(lesson_clients) + len(quiz_clients)} learners in {time.perf_counter() - started:.1f} s")
        concurrent(args.workers, 2, hello_worker(port))
        concurrent(min(args.workers, len(lesson_clients)), 2, hello_worker(port, lesson_clients))
        concurrent(min(args.workers, len(lesson_clients)), 2, lesson_worker(plan, lesson_clients))

        learners: queue.Queue = queue.Queue()
        for client in quiz_clients:
            learners.put(Learner(client, [quiz for quiz in plan.quizzes for _ in range(3)]))
        for clients in args.clients:
            hello = concurrent(clients, args.duration, hello_worker(port))
            signed_in = concurrent(clients, args.duration, hello_worker(port, lesson_clients))
            lesson = concurrent(clients, args.duration, lesson_worker(plan, lesson_clients))
            quiz = concurrent(clients, args.duration, quiz_worker(learners, clients))
            for result in (hello, signed_in, lesson, quiz):
                load_errors += result.error_count
                load_requests += result.requests + result.error_count
            errors = sum(result.error_count for result in (hello, signed_in, lesson, quiz))
            print(f"{clients} clients: hello {hello.rate():.0f}/s, signed-in hello {signed_in.rate():.0f}/s, "
                  f"lesson {lesson.rate():.0f}/s, quiz {quiz.rate():.1f}/s; errors {errors}")
            rows.append((f"Bare Flask `/bench-hello` (reference), {clients} clients",
                         f"{hello.rate():.0f} req/s · p95 {hello.ms(0.95):.0f} ms · {hello.error_text()}",
                         "reference", ""))
            rows.append((f"Bare route for a signed-in learner `/bench-hello-signed-in` (session and account "
                         f"loaded, no page), {clients} clients",
                         f"{signed_in.rate():.0f} req/s · p95 {signed_in.ms(0.95):.0f} ms · {signed_in.error_text()}",
                         "— (what any signed-in page costs first)", "✓" if not signed_in.errors else "✗"))
            half = hello.rate() / 2
            rows.append((f"Lesson page, {clients} clients",
                         f"{lesson.rate():.0f} req/s · p95 {lesson.ms(0.95):.0f} ms · {lesson.error_text()}",
                         f"≥ {half:.0f} req/s (half the reference)",
                         "✓" if lesson.rate() >= half and not lesson.errors else "✗"))
            rows.append((f"Quiz submission (start, quiz page, submit), {clients} clients",
                         f"{quiz.rate():.1f} submissions/s ({quiz.requests / quiz.elapsed:.0f} req/s) · "
                         f"p95 {quiz.ms(0.95):.0f} ms · {quiz.error_text()}"
                         + (f" · {quiz.note}" if quiz.note else ""),
                         "—", "✓" if not quiz.errors else "✗"))
        rows.append(("Errors under load (all clients, all pages above)",
                     f"{load_errors} of {load_requests:,} requests", "0", "✓" if load_errors == 0 else "✗"))
        pids = worker_pids(server.pid)
        memory = [memory_mib(pid) for pid in pids]
        rows.append((f"Memory per worker ({len(pids)} workers): VmRSS after the run (peak VmHWM)",
                     ", ".join(f"{rss:.0f} MiB ({peak:.0f})" for rss, peak in memory)
                     + f"; master {memory_mib(server.pid)[0]:.0f} MiB",
                     "reported", "✓" if memory else "✗"))
    finally:
        stop_server(server)
        shutil.rmtree(kept["LMS_REPORT_CACHE_DIR"], ignore_errors=True)
    return plan.dialect, report(plan, args, rows)


def report(plan: Plan, args, rows) -> str:
    facts = ", ".join(f"{value:,} {name}" for name, value in plan.facts.items())
    lines = [f"# Benchmark {date.today().isoformat()} — {plan.dialect}", "",
             f"- Database: {plan.dialect} ({facts}).",
             f"- Server: gunicorn, {args.workers} sync workers, on 127.0.0.1; clients: threads of one process on "
             f"the same machine ({os.cpu_count()} CPUs shared by both).",
             f"- Dashboards: {args.requests} sequential requests each after a warm-up, first on a server that keeps "
             f"no figures (every request runs the report SQL: what a reader would wait for if the figures had "
             f"expired unrefreshed), then as deployed: `flask lms reports refresh` computes the figures of the "
             f"top units and the provinces, and the server's workers read them from the files they share "
             f"(LMS_REPORT_CACHE_SECONDS={plan.cache_seconds or 900}).",
             f"- Load: {args.duration:.0f} s per page and number of clients, each client signed in as its own "
             f"learner. A quiz submission is three requests (POST start, the quiz page, POST submit).", "",
             "| Measure | Result | Target | Met |", "| --- | --- | --- | --- |"]
    lines += [f"| {measure_} | {result} | {target} | {met} |" for measure_, result, target, met in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LMS_DATABASE_URL"),
                        help="the database built with `flask lms synth` (default: LMS_DATABASE_URL)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50, help="requests per dashboard")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page and number of clients")
    parser.add_argument("--clients", default="8,32", help="numbers of concurrent clients, comma separated")
    parser.add_argument("--province", help="code of the province to drill into (default: the largest Đoàn one)")
    parser.add_argument("--quiz-learners", type=int, default=150, help="learners signed in for quiz submissions")
    parser.add_argument("--label", default="", help="added to the result file's name")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set LMS_DATABASE_URL")
    args.clients = [int(part) for part in args.clients.split(",") if part.strip()]
    dialect, table = measure(args)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{date.today().isoformat()}-{dialect}{'-' + args.label if args.label else ''}.md"
    (args.out / name).write_text(table, encoding="utf-8")
    print(f"written to {args.out / name}")


if __name__ == "__main__":
    main()

"""End-to-end tests: the application served over HTTP in a background thread, on the same
database as the other tests, driven by headless Chromium on a phone-sized screen.

Data for these tests must be committed: the server answers from another thread, with its own
database sessions. CSRF protection stays on, as in production."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.demo import load_demo
from tests.conftest import ROOT, empty_all_tables

CHROMIUM = "/usr/bin/chromium"
E2E_DIR = Path(__file__).resolve().parent
PHONE_SCREEN = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    """Mark every test in this directory `e2e`; skip them where no Chromium is installed,
    except in CI, where a missing browser must fail the run."""
    missing = not Path(CHROMIUM).exists()
    for item in items:
        if E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if missing and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}; "
                                                    "install the Debian package chromium to run e2e tests"))


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the application served on a free local port for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lms-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open relative to the live server: page.goto("/login")."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: CI must install the Debian package chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE_SCREEN, "screen": PHONE_SCREEN, "locale": "vi-VN"}


@pytest.fixture()
def demo_data(app):
    """The demo units and accounts (password demo1234), committed; every table emptied afterwards.
    Request it before `page`, so that the browser is closed before the tables are emptied."""
    try:
        with app.app_context():
            counts = load_demo(ROOT / "content", synthetic_cadres=20)
        yield counts
    finally:
        with app.app_context():
            empty_all_tables()


@pytest.fixture()
def assessment_data(demo_data, app):
    """The demo with the curriculum and the competency framework imported, and the demo assessment
    campaigns built on them (last year's closed, this year's open)."""
    from lms.assessments.demo import load_demo_assessments
    from lms.assessments.framework import import_frameworks
    from lms.courses.content import import_directory
    from lms.db import db

    with app.app_context():
        import_directory(ROOT / "content")
        import_frameworks(ROOT / "content")
        load_demo_assessments()
        db.session.commit()
    return demo_data


def sign_in(page, email: str) -> None:
    """Sign out whoever is signed in in this browser, then sign in as `email` (a demo account)."""
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


@pytest.fixture()
def today(app):
    """Today in Vietnam, as the application counts it."""
    from lms.i18n import local_today

    with app.app_context():
        return local_today()


def no_sideways_scroll(page) -> None:
    """The page fits the phone's width: nothing to scroll sideways (measured once its stylesheet has applied:
    on a busy machine the heading a test waits for can show before it has)."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url

"""The application shell: health check, error pages, security headers, cookies, CSRF, language,
local assets, configuration and database settings."""
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from lms import create_app
from lms.config import load_config
from lms.db import db
from lms.orgs.models import Unit
from lms.serving import warm_up
from tests.conftest import PASSWORD, login

EXTERNAL_REFERENCE = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
CSS_EXTERNAL_URL = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//|@import""", re.IGNORECASE)


def _html_lang(page: str) -> str:
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", page)
    assert match, "the page has no <html lang>"
    return match.group(1)


def _session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lms_session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


# --- health check ---------------------------------------------------------------------------

def test_health_check_answers_ok_in_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_health_check_needs_no_sign_in(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 302


# --- error pages ----------------------------------------------------------------------------

def test_unknown_address_shows_a_vietnamese_404_page(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in page
    assert _html_lang(page) == "vi"


def test_page_outside_ones_scope_shows_a_vietnamese_403_page(client, tree, cadre_a):
    login(client, cadre_a)
    response = client.get(f"/units/{tree.grassroots_a.id}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Bạn không có quyền truy cập" in page
    assert "liên hệ quản trị đơn vị cấp trên" in page


# --- security headers and cookies -----------------------------------------------------------

def test_every_page_sends_security_headers(client):
    for address in ("/login", "/khong-co-trang-nay", "/healthz"):
        headers = client.get(address).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp


def test_content_security_policy_allows_no_outside_host(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    for directive in filter(None, (part.strip() for part in csp.split(";"))):
        name, *sources = directive.split()
        for source in sources:
            assert source in {"'self'", "'none'", "data:"}, f"{name} allows {source}"


def test_session_cookie_is_http_only_and_same_site_lax(client, cadre_a):
    cookie = _session_cookie(login(client, cadre_a))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP, e.g. a local install


def test_session_cookie_is_secure_when_the_request_comes_over_https(client, cadre_a):
    response = client.post("/login", data={"identifier": cadre_a.email, "password": PASSWORD},
                           base_url="https://lms.test")
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


# --- CSRF -----------------------------------------------------------------------------------

@pytest.fixture()
def csrf_client(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return app.test_client()


def test_post_without_csrf_token_is_refused_with_a_vietnamese_page(csrf_client, cadre_a):
    response = csrf_client.post("/login", data={"identifier": cadre_a.email, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Yêu cầu không hợp lệ" in page
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in page
    assert csrf_client.get("/").status_code == 302  # not signed in


def test_post_with_the_forms_csrf_token_is_accepted(csrf_client, cadre_a):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={"identifier": cadre_a.email, "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302
    assert csrf_client.get("/").status_code == 200


# --- language -------------------------------------------------------------------------------

def test_pages_are_in_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert _html_lang(page) == "vi"
    assert "Đăng nhập" in page


def test_language_switch_changes_the_page_language_and_back(client):
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert _html_lang(client.get("/login").get_data(as_text=True)) == "en"

    client.post("/lang/vi", data={"next": "/login"})
    assert _html_lang(client.get("/login").get_data(as_text=True)) == "vi"


def test_unknown_language_is_ignored(client):
    client.post("/lang/fr", data={"next": "/login"})
    assert _html_lang(client.get("/login").get_data(as_text=True)) == "vi"


def test_language_choice_is_remembered_on_the_account(client, cadre_a):
    login(client, cadre_a)
    client.post("/lang/en", data={"next": "/"})
    db.session.refresh(cadre_a)
    assert cadre_a.locale == "en"

    client.post("/logout")
    fresh = client.application.test_client()
    login(fresh, cadre_a)
    assert _html_lang(fresh.get("/").get_data(as_text=True)) == "en"


def test_language_switch_does_not_redirect_to_another_site(client):
    response = client.post("/lang/en", data={"next": "https://evil.example/"})
    assert "evil.example" not in response.headers["Location"]


# --- local assets ---------------------------------------------------------------------------

def _asset_addresses(client) -> dict[str, str]:
    page = client.get("/login").get_data(as_text=True)
    return {rel: href for rel, href in re.findall(r'<link rel="(stylesheet|icon)" href="([^"]+)"', page)}


def test_stylesheet_is_served_locally(client):
    href = _asset_addresses(client)["stylesheet"]
    assert href.startswith("/static/")
    response = client.get(href)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert not CSS_EXTERNAL_URL.search(response.get_data(as_text=True))


def test_the_stylesheet_and_icon_are_kept_a_year_under_an_address_naming_their_content(client):
    addresses = _asset_addresses(client)
    assert set(addresses) == {"stylesheet", "icon"}
    for href in addresses.values():
        assert re.fullmatch(r"/static/[\w/.-]+\?v=[0-9a-f]{12}", href), href
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        path = href.split("?")[0]
        for other in (path, path + "?v=000000000000"):  # not the current content: checked again on every use
            response = client.get(other)
            assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", other


def test_a_changed_stylesheet_gets_a_new_address_and_the_old_one_is_no_longer_kept(app, client, tmp_path,
                                                                                   monkeypatch):
    stylesheet = tmp_path / "css" / "app.css"
    stylesheet.parent.mkdir()
    stylesheet.write_text("body { color: #123; }\n")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    before = _asset_addresses(client)["stylesheet"]
    stylesheet.write_text("body { color: #456789; }\n")
    after = _asset_addresses(client)["stylesheet"]
    assert after != before and after.split("?")[0] == before.split("?")[0]
    assert client.get(after).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(before).headers["Cache-Control"] == "no-cache"
    assert "#456789" in client.get(before).get_data(as_text=True)


def test_no_page_loads_anything_from_another_site(client, tree, admin_a):
    anonymous_pages = ["/login", "/password/forgot", "/khong-co-trang-nay"]
    for address in anonymous_pages:
        page = client.get(address).get_data(as_text=True)
        assert not EXTERNAL_REFERENCE.search(page), address
    login(client, admin_a)
    for address in ["/", "/account", "/account/password", "/units/", f"/units/{tree.province_a.id}",
                    f"/units/{tree.province_a.id}/new", f"/units/{tree.grassroots_a.id}/edit",
                    f"/units/{tree.grassroots_a.id}/move"]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert not EXTERNAL_REFERENCE.search(response.get_data(as_text=True)), address


# --- configuration --------------------------------------------------------------------------

def test_secret_key_is_generated_once_under_instance_when_not_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_differs_between_installations(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    assert load_config(tmp_path / "one")["SECRET_KEY"] != load_config(tmp_path / "two")["SECRET_KEY"]


def test_secret_key_is_taken_from_the_environment_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "khoa-bi-mat-tu-moi-truong")
    assert load_config(tmp_path)["SECRET_KEY"] == "khoa-bi-mat-tu-moi-truong"
    assert not (tmp_path / "secret_key").exists()


def test_default_configuration_is_safe(tmp_path, monkeypatch):
    for name in ("LMS_PASSWORD_HASH_METHOD", "LMS_LOGIN_MAX_FAILURES", "LMS_BEHIND_PROXY"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["LMS_PASSWORD_HASH_METHOD"] == "scrypt"
    assert config["LMS_LOGIN_MAX_FAILURES"] == 5
    assert config["LMS_BEHIND_PROXY"] is False
    assert config["BABEL_DEFAULT_LOCALE"] == "vi"


def test_the_yearly_report_due_day_is_read_as_month_and_day(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_YEARLY_REPORT_DUE", raising=False)
    assert load_config(tmp_path)["LMS_YEARLY_REPORT_DUE"] == (12, 15)
    monkeypatch.setenv("LMS_YEARLY_REPORT_DUE", "11-30")
    assert load_config(tmp_path)["LMS_YEARLY_REPORT_DUE"] == (11, 30)
    for wrong in ("02-29", "13-01", "30/11", "cuoi nam"):  # 29 February is not a day of every year
        monkeypatch.setenv("LMS_YEARLY_REPORT_DUE", wrong)
        with pytest.raises(ValueError, match="LMS_YEARLY_REPORT_DUE must be a day of the year written MM-DD"):
            load_config(tmp_path)


@pytest.mark.parametrize("name, wrong, message", [
    ("LMS_REPORT_CACHE_SECONDS", "abc", "a whole number from 0 to 604800"),
    ("LMS_REPORT_CACHE_SECONDS", "-5", "a whole number from 0 to 604800"),
    ("LMS_DOWNLOAD_LOG_DAYS", "1000000", "a whole number from 1 to 36500"),
    ("LMS_DOWNLOAD_LOG_DAYS", "0", "a whole number from 1 to 36500"),
    ("LMS_SMTP_PORT", "587a", "a whole number from 1 to 65535"),
])
def test_a_number_setting_out_of_its_range_is_refused_by_name(tmp_path, monkeypatch, name, wrong, message):
    monkeypatch.setenv(name, wrong)
    with pytest.raises(ValueError, match=f"{name} must be {message}; got '{wrong}'"):
        load_config(tmp_path)


# --- database -------------------------------------------------------------------------------

def test_sqlite_runs_with_write_ahead_log_and_foreign_keys(app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip(f"SQLite PRAGMAs do not apply to {db.engine.dialect.name}")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: the log synced at checkpoints


def test_database_refuses_a_reference_to_a_missing_row(reference):
    db.session.add(Unit(code="MO-COI", name="Đơn vị mồ côi", organisation_id=999_999, level_id=999_999,
                        path="/999999/"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- how a request's transaction ends -------------------------------------------------------------

@pytest.fixture()
def transactions(app, tree):
    """A second application on the test database (with its own engine) with three routes that read,
    change without committing, or fail; and the COMMITs and ROLLBACKs its requests send."""
    other = create_app({key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")})

    @other.route("/read")
    def read():
        return db.session.get(Unit, tree.province_a.id).name

    @other.route("/rename")
    def rename():
        db.session.get(Unit, tree.province_a.id).name = "Đổi tên mà không lưu"
        db.session.flush()
        return "not saved"

    @other.route("/fail")
    def fail():
        db.session.execute(text("UPDATE unit SET name = 'Hỏng' WHERE id = :id"), {"id": tree.province_a.id})
        abort(400)

    ended: list[str] = []
    with other.app_context():
        event.listen(db.engine, "commit", lambda _connection: ended.append("commit"))
        event.listen(db.engine, "rollback", lambda _connection: ended.append("rollback"))
    return other.test_client(), ended


def test_a_request_that_only_read_commits_and_one_that_wrote_without_committing_rolls_back(transactions, tree):
    client, ended = transactions
    assert client.get("/read").get_data(as_text=True) == "Tỉnh đoàn Lào Cai"
    assert ended == ["commit"]  # the same outcome as a rollback, but the driver keeps its prepared statements
    ended.clear()
    assert client.get("/rename").status_code == 200
    assert ended == ["rollback"]
    ended.clear()
    assert client.get("/fail").status_code == 400
    assert ended == ["rollback"]
    db.session.expire_all()
    assert db.session.get(Unit, tree.province_a.id).name == "Tỉnh đoàn Lào Cai"


# --- command line ---------------------------------------------------------------------------

def test_the_flask_commands_of_the_readme_find_the_app_from_the_project_folder(tmp_path):
    """`.venv/bin/flask lms …` as the README writes it, with no FLASK_APP set."""
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env["LMS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    project = Path(__file__).resolve().parent.parent
    finished = subprocess.run([sys.executable, "-m", "flask", "lms", "--help"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert "synth" in finished.stdout and "load-units" in finished.stdout


def test_a_worker_made_ready_renders_pages_without_compiling_a_template(app, monkeypatch):
    """What `-c python:lms.serving` does in each gunicorn worker before its first request."""
    warm_up(app)

    def read_again(environment, name):
        raise AssertionError(f"{name} was read and compiled on a request")

    monkeypatch.setattr(app.jinja_env.loader, "get_source", read_again)
    client = app.test_client()
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    assert client.get("/khong-co-trang-nay").status_code == 404


def test_the_production_command_of_the_readme_serves(tmp_path):
    """gunicorn -c python:lms.serving … "lms:create_app()": the workers make ready, then answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'lms.sqlite3'}", LMS_SECRET_KEY="x" * 32)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "python:lms.serving", "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "lms:create_app()"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        answer = None
        for _attempt in range(200):
            assert server.poll() is None, server.stdout.read().decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    answer = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert answer is not None and "Đăng nhập" in answer
    finally:
        server.terminate()
        server.wait(30)

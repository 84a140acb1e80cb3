"""English as the second language: the pages switch to English and back, and the English catalog
is complete, keeps every placeholder, and is built from the current source strings."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lms.auth.permissions import ROLE_LABELS
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "lms" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH_MO = ENGLISH_PO.with_suffix(".mo")

# printf-style placeholders: %(name)s, %(num)d, %s, %d … and the escaped percent sign %%.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _translations(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _page(response) -> str:
    return response.get_data(as_text=True)


def _html_lang(page: str) -> str:
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", page)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.fixture()
def english(client):
    """The client with English chosen in the footer; the compiled catalog must match the .po."""
    if not ENGLISH_MO.exists():
        pytest.fail(f"{ENGLISH_MO.relative_to(ROOT)} is missing: run `make translations`")
    with ENGLISH_MO.open("rb") as handle:
        compiled = _translations(read_mo(handle))
    source = _translations(_read(ENGLISH_PO))
    if compiled != source:
        pytest.fail(f"{ENGLISH_MO.relative_to(ROOT)} does not match the .po: run `make translations`")
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302
    return client


# --- the pages in English ---------------------------------------------------------------------

def test_login_page_is_in_english_after_choosing_english(english):
    page = _page(english.get("/login"))
    assert _html_lang(page) == "en"
    assert "Sign in" in page
    assert "Email or phone number" in page
    assert "Forgotten your password?" in page
    assert "Đăng nhập" not in page
    assert "Mật khẩu" not in page


def test_sign_in_prompt_is_in_english(english):
    response = english.get("/", follow_redirects=True)
    page = _page(response)
    assert "Please sign in to continue." in page
    assert "Vui lòng đăng nhập" not in page


def test_home_page_of_a_signed_in_cadre_is_in_english(english, cadre_a):
    assert login(english, cadre_a).status_code == 302
    page = _page(english.get("/"))
    assert _html_lang(page) == "en"
    assert "Hello, Hoa" in page
    assert "Your roles" in page
    assert "Learner" in page
    assert "Sign out" in page
    for vietnamese in ("Xin chào", "Vai trò của bạn", "Học viên", "Đăng xuất", "Trang chủ"):
        assert vietnamese not in page


def test_home_page_of_an_admin_shows_menu_and_role_in_english(english, admin_a):
    login(english, admin_a)
    page = _page(english.get("/"))
    for label in ("Units", "Cadres", "Import list", "Account", "Unit administrator"):
        assert label in page
    assert "Quản trị đơn vị" not in page
    assert "Nhập danh sách" not in page


def test_form_validation_errors_are_in_english(english):
    page = _page(english.post("/login", data={"identifier": "", "password": ""}))
    assert "Please enter an email address or phone number." in page
    assert "Please enter your password." in page
    assert "Hãy nhập" not in page


def test_sign_in_failure_is_in_english(english, cadre_a):
    page = _page(login(english, cadre_a, "sai-mat-khau"))
    assert "Incorrect email/phone number or password." in page
    assert "không đúng" not in page


def test_validation_message_with_placeholders_is_filled_in_english(english, cadre_a):
    login(english, cadre_a)
    page = _page(english.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}))
    assert "The password must be 8 to 128 characters long." in page
    assert "%(" not in page


def test_choosing_vietnamese_brings_vietnamese_back(english):
    assert "Sign in" in _page(english.get("/login"))
    response = english.post("/lang/vi", data={"next": "/login"})
    assert response.status_code == 302
    page = _page(english.get("/login"))
    assert _html_lang(page) == "vi"
    assert "Đăng nhập" in page
    assert "Sign in" not in page
    page = _page(english.post("/login", data={"identifier": "", "password": ""}))
    assert "Hãy nhập e-mail hoặc số điện thoại." in page


# --- the catalog ------------------------------------------------------------------------------

def _placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted: names for %(name)s, the conversion for %s / %%."""
    return sorted(name or f"%{conversion}" for name, conversion in PLACEHOLDER.findall(text))


def _forms(message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a simple message, singular and plural otherwise."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        sources = [message.id[0]] + [message.id[1]] * (len(strings) - 1)
        return list(zip(sources, strings))
    return [(message.id, message.string)]


def test_every_message_has_an_english_translation():
    catalog = _read(ENGLISH_PO)
    messages = [m for m in catalog if m.id]
    assert messages
    untranslated = [m.id for m in messages
                    if not all(text.strip() for _source, text in _forms(m))
                    or (isinstance(m.id, tuple) and len(m.string) != catalog.num_plurals)]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == []
    assert list(catalog.obsolete) == []


def test_translations_keep_the_placeholders_of_the_source():
    wrong = [(source, text) for m in _read(ENGLISH_PO) if m.id for source, text in _forms(m)
             if _placeholders(source) != _placeholders(text)]
    assert wrong == []


def test_role_labels_are_in_the_catalog():
    ids = {m.id for m in _read(ENGLISH_PO) if m.id}
    assert set(ROLE_LABELS.values()) <= ids


def test_english_catalog_follows_the_template():
    def ids(catalog):
        return {m.id for m in catalog if m.id}

    assert ids(_read(ENGLISH_PO)) == ids(_read(TEMPLATE))


def _extract_command(output: Path) -> list[str]:
    """The extraction of `make messages`, writing to `output` instead of the template."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    args = shlex.split(line)[2:]  # drop "$(BIN)/pybabel extract"
    args[args.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", "extract", *args]


def test_template_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(_extract_command(fresh), cwd=ROOT, check=True, capture_output=True)

    def ids(catalog):
        return {m.id for m in catalog if m.id}

    current, extracted = ids(_read(TEMPLATE)), ids(_read(fresh))
    assert sorted(map(str, extracted - current)) == [], "new strings: run `make messages` and translate them"
    assert sorted(map(str, current - extracted)) == [], "strings no longer used: run `make messages`"

"""`flask lms synth` adds its synthetic people only to a fresh database, holding the units and the curriculum
and nothing else: a database with any account (an installation's own people, the demo) is refused, the
command exits non-zero saying what it found, and nothing is added. That it builds on a fresh database is
tested in test_synth.py."""
import pytest
from sqlalchemy import func, select

from lms.assessments.framework import import_frameworks
from lms.courses.content import import_directory
from lms.db import db
from lms.demo import load_demo
from lms.orgs.loader import load_directory
from lms.people.models import User
from tests.conftest import ROOT, count


@pytest.fixture()
def units_and_curriculum(app_ctx):
    """What `flask lms load-units` and `flask lms content import` put in a fresh database."""
    load_directory(ROOT / "content/units")
    import_directory(ROOT / "content")
    import_frameworks(ROOT / "content")
    db.session.commit()


def rows_per_table() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def run_synth(app):
    return app.test_cli_runner().invoke(args=["lms", "synth", "--cadres", "500"])


def test_an_installation_with_its_first_administrator_is_refused_and_nothing_is_added(app, units_and_curriculum):
    created = app.test_cli_runner().invoke(
        args=["lms", "create-admin", "--email", "vanphong@tinhdoan.example.vn", "--name", "Nguyễn Văn An",
              "--unit", "DOAN-TW"], input="mat-khau-1\nmat-khau-1\n")
    assert created.exit_code == 0, created.output
    before = rows_per_table()
    result = run_synth(app)
    assert result.exit_code == 1
    assert "Cơ sở dữ liệu đã có 1 tài khoản: hãy tạo bộ dữ liệu tổng hợp trên một cơ sở dữ liệu mới" in result.output
    assert rows_per_table() == before


def test_the_demo_database_is_refused_and_nothing_is_added(app, units_and_curriculum):
    load_demo(ROOT / "content", synthetic_cadres=20)
    accounts, before = count(User), rows_per_table()
    result = run_synth(app)
    assert result.exit_code == 1
    assert f"Cơ sở dữ liệu đã có {accounts} tài khoản: hãy tạo bộ dữ liệu tổng hợp" in result.output
    assert rows_per_table() == before

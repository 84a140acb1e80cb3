"""Report figures kept in the report cache, which every worker of a server shares: computed once and
read by the other processes, computed ahead by `flask lms reports refresh` or on demand from the
dashboard, and dated on the page."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from flask_migrate import upgrade

from lms import create_app
from lms.db import db, utcnow
from lms.extensions import cache
from lms.orgs.models import Organisation, Unit, UnitLevel
from lms.orgs.services import create_unit
from lms.reports import dashboard, metrics, sending
from lms.trainers.models import Cohort, CohortParticipant
from tests.conftest import content, login, text
from tests.reports.test_sent_reports import flat, send_today, sent_panel

YEAR = 2026
VIETNAM = timedelta(hours=7)
SHARED_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "SERVER_NAME", "LMS_PASSWORD_HASH_METHOD")


@pytest.fixture()
def worker(app, tmp_path):
    """Make another application on the test database that keeps report figures for a minute in one
    folder, as each worker of a server does: every one made shares that folder."""
    def make():
        return create_app({**{key: app.config[key] for key in SHARED_SETTINGS},
                           "LMS_REPORT_CACHE_SECONDS": 60, "LMS_REPORT_CACHE_DIR": str(tmp_path / "reports")})
    return make


def cadres_seen(application, unit_id: int) -> int:
    """The active cadres of the unit's subtree, as the headline figures of its dashboard give them."""
    with application.app_context():
        return metrics.summary(db.session.get(Unit, unit_id), YEAR)["cadres"]


def test_figures_one_worker_computed_are_read_by_the_others(app, worker, tree, make_user):
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    first, second = worker(), worker()
    assert cadres_seen(first, tree.central.id) == 1
    make_user(tree.grassroots_b, "Danh Thị Ngọc")
    assert cadres_seen(second, tree.central.id) == 1  # kept by the first worker
    assert cadres_seen(app, tree.central.id) == 2  # the test application keeps nothing


def test_refreshing_computes_afresh_for_every_reader(worker, tree, make_user):
    first, second = worker(), worker()
    assert cadres_seen(second, tree.central.id) == 0
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    with first.app_context():
        dashboard.refresh(db.session.get(Unit, tree.central.id), [YEAR])
    assert cadres_seen(second, tree.central.id) == 1


def test_figures_kept_for_many_units_do_not_push_out_the_top_units(worker, tree, make_user):
    """At national scale the refresh keeps tens of thousands of entries: the first it computed, the top
    units', must still be there at the end."""
    first = worker()
    with first.app_context():
        dashboard.refresh(db.session.get(Unit, tree.central.id), [YEAR])
        for number in range(6000):  # as many entries as thousands of units' figures
            cache.set(f"other-unit-{number}", number)
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    assert cadres_seen(worker(), tree.central.id) == 0  # still the figures kept by the refresh


def test_the_units_refreshed_are_the_top_ones_and_those_under_them(tree):
    assert dashboard.units_to_refresh(0) == [tree.central]
    assert dashboard.units_to_refresh(1) == [tree.central, tree.province_b, tree.province_a]  # by name
    assert len(dashboard.units_to_refresh(3)) == 7


def test_the_refresh_command_computes_the_top_units_ahead_of_their_readers(worker, tree, make_user):
    reader = worker()
    assert cadres_seen(reader, tree.province_a.id) == 0
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    assert cadres_seen(reader, tree.province_a.id) == 0  # still the kept figure
    refresher = worker()
    with refresher.app_context():  # the command runs in the application context it finds
        result = refresher.test_cli_runner().invoke(args=["lms", "reports", "refresh", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert "Đã tính số liệu của 3 đơn vị cho năm 2026 trong " in result.output
    assert cadres_seen(reader, tree.province_a.id) == 1
    assert cadres_seen(reader, tree.central.id) == 1


def test_the_refresh_command_computes_the_year_before_the_yearly_reports_compare_with(worker, tree, make_user):
    reader = worker()

    def trained_in(year: int) -> int:
        with reader.app_context():
            return metrics.year_activity(db.session.get(Unit, tree.central.id), year)["participants_trained"]

    assert trained_in(YEAR - 1) == 0  # now kept
    trainee = make_user(tree.grassroots_a, "Lò Văn Sáng")
    cohort = Cohort(title="Lớp điều phối viên cơ sở", unit=tree.province_a, starts_on=date(YEAR - 1, 9, 8),
                    ends_on=date(YEAR - 1, 9, 9), status="closed", created_by_id=trainee.id,
                    target_group="coordinators")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortParticipant(cohort_id=cohort.id, user_id=trainee.id, completed=True))
    db.session.commit()
    assert trained_in(YEAR - 1) == 0  # still the kept figure
    refresher = worker()
    with refresher.app_context():
        result = refresher.test_cli_runner().invoke(args=["lms", "reports", "refresh", "--depth", "0",
                                                          "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert f"Đã tính số liệu của 1 đơn vị cho năm {YEAR} trong " in result.output
    assert trained_in(YEAR - 1) == 1


def test_last_years_figures_are_refreshed_too_while_its_reports_are_written():
    assert sending.reporting_years(date(2027, 1, 5)) == [2027, 2026]
    assert sending.reporting_years(date(2027, 3, 31)) == [2027, 2026]
    assert sending.reporting_years(date(2027, 4, 1)) == [2027]
    assert sending.reporting_years(date(2026, 11, 27)) == [2026]


def test_the_refresh_command_takes_several_years(worker, tree, make_user):
    reader = worker()

    def cadres_in(unit: Unit, year: int) -> int:
        with reader.app_context():
            return metrics.summary(db.session.get(Unit, unit.id), year)["cadres"]

    assert [cadres_in(tree.central, YEAR), cadres_in(tree.central, YEAR - 1), cadres_in(tree.province_a, YEAR)] \
        == [0, 0, 0]  # now kept
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    refresher = worker()
    with refresher.app_context():
        result = refresher.test_cli_runner().invoke(
            args=["lms", "reports", "refresh", "--depth", "0", "--year", str(YEAR), "--year", str(YEAR - 1)])
    assert result.exit_code == 0, result.output
    assert f"Đã tính số liệu của 1 đơn vị cho năm {YEAR}, {YEAR - 1} trong " in result.output
    assert cadres_in(tree.central, YEAR) == cadres_in(tree.central, YEAR - 1) == 1
    assert cadres_in(tree.province_a, YEAR) == 0  # a province is not refreshed at depth 0
    with refresher.app_context():
        result = refresher.test_cli_runner().invoke(args=["lms", "reports", "refresh", "--depth", "999999999"])
    assert result.exit_code == 2 and "is not in the range 0<=x<=10" in result.output  # no tree is that deep


@pytest.mark.parametrize("year", ["1999", "2100"])
def test_the_refresh_command_refuses_a_year_no_report_can_be_of(app, tree, year):
    result = app.test_cli_runner().invoke(args=["lms", "reports", "refresh", "--year", year])
    assert result.exit_code == 2
    assert f"không có báo cáo năm {year}: hãy chọn một năm từ 2000 đến" in result.output


def test_the_refresh_command_refuses_when_nothing_is_kept(app, tree):
    result = app.test_cli_runner().invoke(args=["lms", "reports", "refresh"])
    assert result.exit_code != 0
    assert "LMS_REPORT_CACHE_SECONDS bằng 0: số liệu báo cáo không được lưu giữ" in result.output


@pytest.fixture()
def browser(worker, app_ctx):
    """A test client of a worker that keeps figures, with CSRF checks off like the suite's `client`."""
    application = worker()
    application.config["WTF_CSRF_ENABLED"] = False
    return application.test_client()


def _headline_cadres(page: str) -> int:
    return int(re.search(r'rp-card-value">(\d+)</span> <span class="rp-card-label">Cán bộ đang hoạt động',
                         page).group(1))


def test_the_dashboard_dates_its_figures_and_recomputes_them_on_demand(browser, central_admin, tree, make_user):
    login(browser, central_admin)
    before = utcnow() + VIETNAM  # the page speaks Vietnam's time
    page = content(browser.get(f"/reports/?unit={tree.central.id}&year={YEAR}"))
    after = utcnow() + VIETNAM
    shown = re.search(r"Số liệu tính lúc (\d\d:\d\d, \d\d/\d\d/\d{4})", page)
    assert shown is not None
    assert before.replace(second=0, microsecond=0) <= datetime.strptime(shown.group(1), "%H:%M, %d/%m/%Y") <= after
    assert "Tính lại ngay" in page
    cadres = _headline_cadres(page)

    make_user(tree.grassroots_a, "Lò Văn Sáng")
    assert _headline_cadres(content(browser.get(f"/reports/?unit={tree.central.id}&year={YEAR}"))) == cadres
    response = browser.post(f"/reports/refresh?unit={tree.central.id}&year={YEAR}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/?unit={tree.central.id}&year={YEAR}")
    page = text(browser.get(response.headers["Location"]))
    assert "Đã tính lại số liệu của Trung ương Đoàn TNCS Hồ Chí Minh." in page
    assert _headline_cadres(page) == cadres + 1


def test_only_a_viewer_of_the_unit_may_recompute_it(browser, worker, admin_a, tree, make_user):
    reader = worker()
    assert cadres_seen(reader, tree.central.id) == 1  # the province A admin
    make_user(tree.grassroots_b, "Danh Thị Ngọc")
    login(browser, admin_a)
    assert browser.post(f"/reports/refresh?unit={tree.central.id}&year={YEAR}").status_code == 403
    assert browser.post(f"/reports/refresh?unit={tree.province_b.id}&year={YEAR}").status_code == 403
    assert cadres_seen(reader, tree.central.id) == 1  # nothing was recomputed
    assert browser.post(f"/reports/refresh?unit={tree.province_a.id}&year={YEAR}").status_code == 302


def test_recomputing_needs_the_forms_token(browser, admin_a, tree):
    login(browser, admin_a)
    browser.application.config["WTF_CSRF_ENABLED"] = True
    assert browser.post(f"/reports/refresh?unit={tree.province_a.id}&year={YEAR}").status_code == 400


def test_nothing_is_dated_when_nothing_is_kept(client, central_admin, tree):
    login(client, central_admin)
    page = content(client.get(f"/reports/?unit={tree.central.id}"))
    assert "Số liệu tính lúc" not in page and "Tính lại ngay" not in page


def test_a_folder_shared_by_two_databases_never_mixes_their_figures(app, worker, tree, make_user, tmp_path):
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    assert cadres_seen(worker(), tree.central.id) == 1
    other = create_app({**{key: app.config[key] for key in SHARED_SETTINGS},
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
                        "LMS_REPORT_CACHE_SECONDS": 60, "LMS_REPORT_CACHE_DIR": str(tmp_path / "reports")})
    with other.app_context():
        upgrade()
        doan = Organisation(code="DOAN", name="Đoàn TNCS Hồ Chí Minh", short_name="Đoàn")
        central_level = UnitLevel(code="central", name="Trung ương", name_en="Central", rank=0)
        central = create_unit(parent=None, organisation=doan, level=central_level,
                              code="DOAN-TW", name="Trung ương Đoàn TNCS Hồ Chí Minh")
        db.session.commit()
        assert central.id == tree.central.id
    assert cadres_seen(other, tree.central.id) == 0


def test_a_report_sent_up_counts_at_once_in_the_levels_above_while_other_figures_stay_kept(
        browser, admin_a, central_admin, tree, make_user):
    with time_machine.travel(datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)):  # in 2026's reporting season
        login(browser, central_admin)
        page = content(browser.get(f"/reports/?unit={tree.central.id}&year={YEAR}"))
        assert "Tỉnh / thành phố 2 0 2 0,0%" in flat(sent_panel(page))
        cadres = _headline_cadres(page)
        make_user(tree.grassroots_a, "Lò Văn Sáng")  # a change the kept figures do not show until refreshed
        browser.post("/logout")
        login(browser, admin_a)
        assert send_today(browser, tree.province_a).status_code == 302
        browser.post("/logout")
        login(browser, central_admin)
        page = content(browser.get(f"/reports/?unit={tree.central.id}&year={YEAR}"))
    assert "Tỉnh / thành phố 2 1 1 50,0%" in flat(sent_panel(page))
    assert _headline_cadres(page) == cadres

"""The download log: every list of people downloaded (the directory, a cohort's participants) is written
down with who, when, from where, which list, which unit and how many people; a refused download writes
nothing; the admins of a unit read the downloads of their units' lists, and nobody else's."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db
from lms.i18n import local_today
from lms.people import export
from lms.people.models import COHORT_ROSTER, DIRECTORY_LIST, DataDownload
from lms.trainers.models import Cohort, CohortParticipant
from tests.conftest import count, sign_in_as, text


@pytest.fixture()
def people(tree, make_user):
    make_user(tree.grassroots_a, "Nông Thị Hoa")
    make_user(tree.branch_a, "Giàng A Páo")
    make_user(tree.grassroots_a, "Lò Văn Sáng", is_active=False)
    make_user(tree.grassroots_b, "Võ Thị Bích Trâm")


@pytest.fixture()
def cohort(tree, admin_a, people):
    """A cohort of Bát Xát, without participants yet."""
    cohort = Cohort(title="Lớp điều phối viên tình nguyện khóa 1", unit_id=tree.grassroots_a.id,
                    starts_on=local_today() - timedelta(days=3), ends_on=local_today() + timedelta(days=3),
                    created_by_id=admin_a.id)
    db.session.add(cohort)
    db.session.commit()
    return cohort


def entries() -> list[DataDownload]:
    db.session.expire_all()
    return list(db.session.scalars(select(DataDownload).order_by(DataDownload.id)))


def test_a_directory_download_is_written_down(client, tree, admin_a, people):
    sign_in_as(client, admin_a)
    response = client.get("/people/export.csv", query_string={"unit": tree.grassroots_a.id, "q": "hoa",
                                                                "status": "active"},
                          environ_base={"REMOTE_ADDR": "203.113.5.7"})
    assert response.status_code == 200
    [entry] = entries()
    assert (entry.user_id, entry.kind, entry.unit_id, entry.people, entry.file_format, entry.remote_addr) == \
        (admin_a.id, DIRECTORY_LIST, tree.grassroots_a.id, 1, "csv", "203.113.5.7")
    assert entry.filters == {"q": "hoa", "status": "active"}


def test_a_download_of_everything_in_scope_is_written_down_for_the_top_unit(client, tree, admin_a, people):
    sign_in_as(client, admin_a)
    assert client.get("/people/export.xlsx").status_code == 200
    [entry] = entries()
    # Everyone province A's admin may see: the admin and the three cadres of Lào Cai, not Trâm.
    assert (entry.unit_id, entry.people, entry.file_format) == (tree.province_a.id, 4, "xlsx")


def test_a_download_across_several_top_units_counts_each_units_people(client, tree, admin_a, people, make_user):
    both = make_user(tree.central, "Đinh Văn Khải", roles=[(Role.UNIT_ADMIN, tree.province_a),
                                                          (Role.UNIT_ADMIN, tree.province_b)])
    sign_in_as(client, both)
    assert client.get("/people/export.csv").status_code == 200
    # Lào Cai: its admin and three cadres; An Giang: Trâm. Not the downloader, who sits at the centre.
    assert [(entry.unit_id, entry.people) for entry in entries()] == [(tree.province_a.id, 4), (tree.province_b.id, 1)]
    assert client.get("/people/export.csv", query_string={"q": "trâm"}).status_code == 200
    assert [(entry.unit_id, entry.people) for entry in entries()[2:]] == [(tree.province_a.id, 0),
                                                                          (tree.province_b.id, 1)]


def test_a_refused_download_writes_nothing(client, tree, admin_a, people, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    sign_in_as(client, admin_a)
    response = client.get("/people/export.xlsx")
    assert response.status_code == 302
    assert count(DataDownload) == 0
    assert client.get("/people/export.xlsx", query_string={"unit": tree.province_b.id}).status_code == 403
    assert count(DataDownload) == 0


def test_a_roster_download_is_written_down_under_the_cohorts_unit(client, tree, admin_a, cohort, make_user):
    for name in ("Đinh Văn Tâm", "Sầm Thị Lụa"):
        db.session.add(CohortParticipant(cohort_id=cohort.id, user_id=make_user(tree.branch_a, name).id))
    db.session.commit()
    sign_in_as(client, admin_a)
    assert client.get(f"/trainers/cohorts/{cohort.id}/participants.xlsx").status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.unit_id, entry.people, entry.title) == \
        (COHORT_ROSTER, tree.grassroots_a.id, 2, "Lớp điều phối viên tình nguyện khóa 1")


def test_the_log_shows_each_admin_the_downloads_of_their_units(client, tree, admin_a, admin_b, central_admin,
                                                               make_user, people):
    trainer_a = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)])
    sign_in_as(client, trainer_a)
    assert client.get("/people/export.xlsx", query_string={"q": "páo"}).status_code == 200
    sign_in_as(client, admin_b)
    assert client.get("/people/export.csv").status_code == 200

    sign_in_as(client, admin_a)
    page = text(client.get("/people/downloads"))
    assert "Nhật ký tải danh sách cán bộ" in page
    assert "Lò Văn Minh" in page and "Danh sách cán bộ (tìm “páo”)" in page and "Tỉnh đoàn Lào Cai" in page
    assert "Lê Thị Ngọc Hân" not in page and "Tỉnh đoàn An Giang" not in page
    assert "Lượt tải 1–1 trong tổng số 1" in page
    sign_in_as(client, central_admin)
    page = text(client.get("/people/downloads"))
    assert "Lò Văn Minh" in page and "Lê Thị Ngọc Hân" in page and "Lượt tải 1–2 trong tổng số 2" in page
    # Newest first.
    assert page.index("Lê Thị Ngọc Hân") < page.index("Lò Văn Minh")


def test_only_admins_read_the_log(client, tree, admin_a, make_user, cadre_a):
    trainer_a = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)])
    for user in (trainer_a, cadre_a):
        sign_in_as(client, user)
        assert client.get("/people/downloads").status_code == 403
        assert "/people/downloads" not in text(client.get("/people/"))
    sign_in_as(client, admin_a)
    assert 'href="/people/downloads"' in text(client.get("/people/"))
    assert "Chưa ai tải danh sách cán bộ" in text(client.get("/people/downloads"))
    client.post("/logout")
    assert client.get("/people/downloads").status_code == 302


def test_the_log_is_paged(client, tree, admin_a):
    db.session.add_all(DataDownload(user_id=admin_a.id, kind=DIRECTORY_LIST, unit_id=tree.province_a.id,
                                    people=i, file_format="xlsx") for i in range(55))
    db.session.commit()
    sign_in_as(client, admin_a)
    assert "Lượt tải 1–50 trong tổng số 55" in text(client.get("/people/downloads"))
    assert "Lượt tải 51–55 trong tổng số 55" in text(client.get("/people/downloads?page=2"))
    assert "Trang này không có lượt tải nào." in text(client.get("/people/downloads?page=9"))


def test_entries_older_than_the_keeping_time_are_pruned(client, app, tree, admin_a, people):
    sign_in_as(client, admin_a)
    for _download in range(3):
        client.get("/people/export.csv", query_string={"unit": tree.grassroots_a.id})
    old, month_old, today = entries()
    old.downloaded_at -= timedelta(days=731)
    month_old.downloaded_at -= timedelta(days=30)
    db.session.commit()
    assert "Nhật ký lưu các lượt tải trong 730 ngày gần nhất." in text(client.get("/people/downloads"))
    result = app.test_cli_runner().invoke(args=["lms", "prune-download-log"])
    assert result.exit_code == 0 and "Đã xóa 1 mục nhật ký tải danh sách cũ hơn 730 ngày." in result.output
    assert [entry.id for entry in entries()] == [month_old.id, today.id]
    result = app.test_cli_runner().invoke(args=["lms", "prune-download-log", "--days", "7"])
    assert "Đã xóa 1 mục nhật ký tải danh sách cũ hơn 7 ngày." in result.output
    assert [entry.id for entry in entries()] == [today.id]
    for days in ("0", "1000000"):  # a day at least, a hundred years at most
        result = app.test_cli_runner().invoke(args=["lms", "prune-download-log", "--days", days])
        assert result.exit_code == 2 and "is not in the range 1<=x<=36500" in result.output
    app.config["LMS_DOWNLOAD_LOG_DAYS"] = 0
    result = app.test_cli_runner().invoke(args=["lms", "prune-download-log"])
    assert result.exit_code != 0 and "phải lưu các lượt tải ít nhất một ngày" in result.output
    assert count(DataDownload) == 1

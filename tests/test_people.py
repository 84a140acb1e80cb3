"""The cadre directory and account administration: what admins see and may do, within their scope."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db, utcnow
from lms.orgs.services import close_unit, create_unit
from lms.people.models import RoleAssignment, User
from tests.conftest import level, login


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def profile(person: User, **changes) -> dict:
    """The edit form as the browser would send it, with the person's current values."""
    data = {"full_name": person.full_name, "date_of_birth": "", "gender": person.gender or "",
            "ethnicity": person.ethnicity or "", "phone": person.phone or "", "email": person.email or "",
            "position": person.position or "", "volunteer_role": person.volunteer_role or "",
            "unit_code": person.unit.code}
    data.update(changes)
    return data


def issued_code(page: str) -> str:
    match = re.search(r"<code>([A-Z0-9]{10})</code>", page)
    assert match, "the activation code is shown"
    return match.group(1)


@pytest.fixture()
def cadre_b(tree, make_user):
    return make_user(tree.grassroots_b, "Võ Thị Bích Trâm", email="tram@example.org", phone="+84912000111")


# --- The directory ---------------------------------------------------------------------------

def test_directory_lists_only_the_admins_province(client, admin_a, admin_b, cadre_a, cadre_b):
    sign_in_as(client, admin_a)
    page = text(client.get("/people/"))
    assert "Nguyễn Thị Hoa" in page and "Trần Văn Hùng" in page
    assert "Phó Bí thư Đoàn xã" in page and "Đoàn xã Bát Xát" in page
    assert "Võ Thị Bích Trâm" not in page and "Lê Thị Ngọc Hân" not in page
    assert "tram@example.org" not in page


def test_directory_refuses_a_unit_filter_outside_scope(client, tree, admin_a, cadre_b):
    sign_in_as(client, admin_a)
    assert client.get(f"/people/?unit={tree.province_b.id}").status_code == 403
    assert client.get(f"/people/?unit={tree.grassroots_b.id}&q=Tram").status_code == 403
    assert client.get("/people/?unit=999999").status_code == 404


def test_directory_search_never_reaches_another_province(client, admin_a, cadre_b):
    sign_in_as(client, admin_a)
    for query in ("Trâm", "tram", "tram@example.org", "0912000111"):
        page = text(client.get("/people/", query_string={"q": query}))
        assert "Võ Thị Bích Trâm" not in page
        assert "Không tìm thấy cán bộ nào" in page


def test_central_admin_sees_both_provinces(client, central_admin, cadre_a, cadre_b):
    sign_in_as(client, central_admin)
    page = text(client.get("/people/"))
    assert "Nguyễn Thị Hoa" in page and "Võ Thị Bích Trâm" in page
    page = text(client.get("/people/", query_string={"q": "tram"}))
    assert "Võ Thị Bích Trâm" in page and "Nguyễn Thị Hoa" not in page


def test_directory_filters_by_unit_subtree(client, tree, make_user, admin_a, cadre_a):
    make_user(tree.branch_a, "Giàng A Páo")
    make_user(tree.province_a, "Lò Văn Minh")
    sign_in_as(client, admin_a)
    page = text(client.get(f"/people/?unit={tree.grassroots_a.id}"))
    assert "Nguyễn Thị Hoa" in page and "Giàng A Páo" in page
    assert "Lò Văn Minh" not in page and "Trần Văn Hùng" not in page
    assert "Thuộc Đoàn xã Bát Xát và các đơn vị trực thuộc." in page


def test_directory_sorts_by_given_name_the_vietnamese_way(client, tree, make_user, admin_a):
    for name in ("Phạm Thị Ân", "Trần Thị Ánh", "Lê Thị An", "Hoàng Văn Anh"):
        make_user(tree.grassroots_a, name)
    sign_in_as(client, admin_a)
    page = text(client.get(f"/people/?unit={tree.grassroots_a.id}"))
    positions = [page.index(name) for name in ("Lê Thị An", "Hoàng Văn Anh", "Trần Thị Ánh", "Phạm Thị Ân")]
    assert positions == sorted(positions)


def test_search_ignores_diacritics(client, tree, make_user, admin_a, cadre_a):
    make_user(tree.branch_a, "Đỗ Văn Hòa")
    make_user(tree.branch_a, "Lý Thị Mai")
    sign_in_as(client, admin_a)
    for query in ("hoa", "Hòa", "HOA"):
        page = text(client.get("/people/", query_string={"q": query}))
        assert "Nguyễn Thị Hoa" in page and "Đỗ Văn Hòa" in page
        assert "Lý Thị Mai" not in page
    page = text(client.get("/people/", query_string={"q": "do van hoa"}))
    assert "Đỗ Văn Hòa" in page and "Nguyễn Thị Hoa" not in page


def test_search_by_email_and_phone(client, tree, make_user, admin_a):
    make_user(tree.branch_a, "Lò Văn Sáng", email="sang.lv@example.org", phone="+84988123456")
    make_user(tree.branch_a, "Lý Thị Mai", phone="+84977000999")
    sign_in_as(client, admin_a)
    for query in ("sang.lv@", "0988 123 456", "0988123456", "+84988123456", "123456"):
        page = text(client.get("/people/", query_string={"q": query}))
        assert "Lò Văn Sáng" in page, query
        assert "Lý Thị Mai" not in page, query


def test_directory_filters_active_and_inactive(client, tree, make_user, admin_a):
    make_user(tree.branch_a, "Lý Thị Mai", is_active=False)
    make_user(tree.branch_a, "Giàng A Páo")
    sign_in_as(client, admin_a)
    active = text(client.get("/people/?status=active"))
    inactive = text(client.get("/people/?status=inactive"))
    everyone = text(client.get("/people/"))
    assert "Giàng A Páo" in active and "Lý Thị Mai" not in active
    assert "Lý Thị Mai" in inactive and "Giàng A Páo" not in inactive
    assert "Lý Thị Mai" in everyone and "Ngừng hoạt động" in everyone


def test_directory_pages_by_fifty(client, tree, admin_a):
    from lms.people.services import create_account
    for n in range(54):
        create_account(full_name=f"Nguyễn Văn Số{n:02d}", unit=tree.branch_a, email=f"so{n}@example.org")
    db.session.commit()
    sign_in_as(client, admin_a)
    first = text(client.get("/people/"))
    assert first.count('scope="row"') == 50
    assert "Cán bộ 1–50 trong tổng số 55." in first and "Trang 1 / 2" in first
    second = text(client.get("/people/?page=2"))
    assert second.count('scope="row"') == 5
    assert "Cán bộ 51–55 trong tổng số 55." in second
    assert "Trang sau" not in second and "Trang trước" in second
    assert "Trang này không có cán bộ nào." in text(client.get("/people/?page=3"))


def test_directory_is_usable_on_a_phone(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.get("/people/"))
    assert '<div class="table-wrap">' in page
    for heading in ("Họ và tên", "Đơn vị", "Chức vụ", "Điện thoại", "E-mail", "Trạng thái"):
        assert f'<th scope="col">{heading}</th>' in page


# --- A person's page -------------------------------------------------------------------------

def test_person_page_shows_profile_roles_and_account(client, tree, make_user, admin_a):
    person = make_user(tree.grassroots_a, "Lò Thị Dung", phone="+84912345678", position="Bí thư Chi đoàn",
                       ethnicity="Thái", gender="nu", roles=[(Role.TRAINER, tree.grassroots_a)])
    person.last_login_at = utcnow()
    person.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    sign_in_as(client, admin_a)
    page = text(client.get(f"/people/{person.id}"))
    for expected in ("Lò Thị Dung", "0912 345 678", "Bí thư Chi đoàn", "Thái", "Nữ", "Tập huấn viên",
                     "Học viên", "Đang hoạt động", "do đăng nhập sai nhiều lần", f"/units/{tree.grassroots_a.id}"):
        assert expected in page, expected
    assert "Chưa đăng nhập lần nào" not in page


def test_person_page_is_404_when_missing(client, admin_a):
    sign_in_as(client, admin_a)
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/999999/edit").status_code == 404
    assert client.get("/people/99999999999999999999").status_code == 404
    assert client.get("/people/?unit=99999999999999999999").status_code == 404
    assert client.get("/people/?page=99999999999999999999").status_code == 200


def test_trainer_may_view_but_not_administer(client, tree, make_user, cadre_a):
    trainer = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)])
    sign_in_as(client, trainer)
    assert "Nguyễn Thị Hoa" in text(client.get("/people/"))
    page = text(client.get(f"/people/{cadre_a.id}"))
    assert "Nguyễn Thị Hoa" in page and "Sửa hồ sơ" not in page and "Cấp mã kích hoạt mới" not in page
    assert client.get(f"/people/{cadre_a.id}/edit").status_code == 403
    assert client.post(f"/people/{cadre_a.id}/deactivate").status_code == 403
    assert client.get("/people/new").status_code == 403


# --- Scope: every admin URL ------------------------------------------------------------------

def admin_requests(person: User, assignment_id: int, unit_code: str):
    return [
        ("get", f"/people/{person.id}", None),
        ("get", f"/people/{person.id}/edit", None),
        ("post", f"/people/{person.id}/edit", profile(person, full_name="Bị sửa trộm")),
        ("post", f"/people/{person.id}/deactivate", {}),
        ("post", f"/people/{person.id}/reactivate", {}),
        ("post", f"/people/{person.id}/reissue", {}),
        ("get", f"/people/{person.id}/roles", None),
        ("post", f"/people/{person.id}/roles", {"role": "trainer", "unit_code": unit_code}),
        ("post", f"/people/{person.id}/roles/{assignment_id}/revoke", {}),
    ]


def test_province_admin_cannot_touch_another_province(client, tree, admin_a, cadre_b):
    assignment_id = cadre_b.roles[0].id
    sign_in_as(client, admin_a)
    for method, url, data in admin_requests(cadre_b, assignment_id, tree.grassroots_a.code):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url)
    person = reload(cadre_b)
    assert person.full_name == "Võ Thị Bích Trâm" and person.is_active and person.password_hash
    assert [a.role for a in person.roles] == [Role.LEARNER]


def test_learner_gets_403_on_every_admin_url(client, tree, make_user, cadre_a):
    other = make_user(tree.grassroots_a, "Giàng A Páo")
    sign_in_as(client, cadre_a)
    assert client.get("/people/").status_code == 403
    assert client.get("/people/new").status_code == 403
    assert client.post("/people/new", data=profile(other, email="moi@example.org")).status_code == 403
    for person in (other, cadre_a):
        for method, url, data in admin_requests(person, person.roles[0].id, tree.grassroots_a.code):
            assert getattr(client, method)(url, data=data).status_code == 403, (method, url)
    assert reload(cadre_a).role_names == {Role.LEARNER}


def test_admin_cannot_take_over_an_account_with_wider_powers(client, tree, make_user, admin_a):
    """A cadre of province A who holds a central role is out of reach of the province admin."""
    reviewer = make_user(tree.grassroots_a, "Đinh Công Lộc", roles=[(Role.REVIEWER, tree.central)])
    sign_in_as(client, admin_a)
    assert client.get(f"/people/{reviewer.id}").status_code == 200
    assert client.post(f"/people/{reviewer.id}/reissue").status_code == 403
    assert client.post(f"/people/{reviewer.id}/edit",
                       data=profile(reviewer, email="admin.a.khac@example.org")).status_code == 403
    assert reload(reviewer).email != "admin.a.khac@example.org"


# --- Editing ---------------------------------------------------------------------------------

def test_edit_saves_and_normalises(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    form = text(client.get(f"/people/{cadre_a.id}/edit"))
    assert 'value="Nguyễn Thị Hoa"' in form and 'value="DOAN-LCI-BATXAT"' in form
    response = client.post(f"/people/{cadre_a.id}/edit", data=profile(
        cadre_a, full_name="  Nguyễn   Thị Hòa ", date_of_birth="1998-03-25", gender="nu",
        ethnicity="tay", phone="0912 345 678", email="Hoa.Nguyen@Example.ORG", position="Bí thư Đoàn xã",
        unit_code="doan-lci-batxat-cd01"))
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Đã lưu thay đổi." in page and "25/03/1998" in page and "Chi đoàn thôn Bản Vai" in page
    person = reload(cadre_a)
    assert person.full_name == "Nguyễn Thị Hòa" and person.phone == "+84912345678"
    assert person.email == "hoa.nguyen@example.org" and person.gender == "nu" and person.ethnicity == "Tày"
    assert person.unit_id == tree.branch_a.id
    assert {(a.role, a.unit_id) for a in person.roles} == {(Role.LEARNER, tree.branch_a.id)}


def test_edit_sets_the_volunteer_role_shown_on_the_person_page(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    response = client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, volunteer_role="coordinator"))
    assert response.status_code == 302
    assert reload(cadre_a).volunteer_role == "coordinator"
    assert "Điều phối viên tình nguyện" in text(client.get(response.location))
    client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, volunteer_role="nobody"))
    assert reload(cadre_a).volunteer_role == "coordinator", "a value not in the list changes nothing"


def test_edit_accepts_a_typed_day_month_year(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, date_of_birth="05/11/2001"))
    assert reload(cadre_a).date_of_birth.isoformat() == "2001-11-05"


def test_edit_errors_keep_what_was_typed(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    response = client.post(f"/people/{cadre_a.id}/edit", data=profile(
        cadre_a, full_name="Nguyễn Thị Hoa Mới", phone="12345", email="khong-phai-email",
        date_of_birth="31/02/2000", position="Ủy viên", ethnicity="Người Sao Hỏa"))
    page = text(response)
    assert response.status_code == 200
    assert "Số điện thoại không hợp lệ" in page and "Địa chỉ e-mail không hợp lệ" in page
    assert "Ngày sinh: tháng 2 năm 2000 có 29 ngày, không có ngày 31." in page
    assert "Không có dân tộc “Người Sao Hỏa” trong danh mục 54 dân tộc Việt Nam." in page
    for typed in ('value="Nguyễn Thị Hoa Mới"', 'value="12345"', 'value="khong-phai-email"',
                  'value="31/02/2000"', 'value="Ủy viên"', 'value="Người Sao Hỏa"'):
        assert typed in page, typed
    assert reload(cadre_a).full_name == "Nguyễn Thị Hoa"


def test_edit_requires_phone_or_email(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, email="", phone="")))
    assert "Cần có số điện thoại hoặc e-mail" in page
    assert reload(cadre_a).email == "hoa@example.org"


def test_duplicate_phone_and_email_are_refused(client, tree, make_user, admin_a, cadre_a, cadre_b):
    make_user(tree.branch_a, "Lò Văn Sáng", phone="+84988123456", email="sang@example.org")
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/edit",
                            data=profile(cadre_a, full_name="Tên Mới", phone="0988 123 456")))
    assert "Số điện thoại này đã thuộc tài khoản khác." in page
    page = text(client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, email="SANG@example.org")))
    assert "E-mail này đã thuộc tài khoản khác." in page
    # Also refused when the other account is in a province the admin cannot see.
    page = text(client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, phone="0912000111")))
    assert "Số điện thoại này đã thuộc tài khoản khác." in page
    person = reload(cadre_a)
    assert (person.full_name, person.phone, person.email) == ("Nguyễn Thị Hoa", None, "hoa@example.org")


def test_cannot_move_a_person_into_another_province(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    for code in (tree.grassroots_b.code, tree.province_b.code, tree.central.code, "KHONG-CO"):
        page = text(client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, unit_code=code)))
        assert f"Không có đơn vị mã “{code}” trong phạm vi bạn quản lý." in page
    assert reload(cadre_a).unit_id == tree.grassroots_a.id


def test_cannot_move_a_person_into_a_closed_unit(client, tree, admin_a, cadre_a):
    closed = create_unit(parent=tree.grassroots_a, level=level("branch"), code="DOAN-LCI-BATXAT-CD09",
                         name="Chi đoàn thôn Cũ")
    close_unit(closed, "Sáp nhập")
    db.session.commit()
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/edit", data=profile(cadre_a, unit_code=closed.code)))
    assert "Đơn vị “Chi đoàn thôn Cũ” đã giải thể" in page
    assert reload(cadre_a).unit_id == tree.grassroots_a.id


# --- Creating one account by hand ------------------------------------------------------------

def test_create_account_shows_activation_code_once(client, tree, admin_a):
    sign_in_as(client, admin_a)
    form = text(client.get(f"/people/new?unit={tree.branch_a.id}"))
    assert 'value="DOAN-LCI-BATXAT-CD01"' in form
    response = client.post("/people/new", data={
        "full_name": "Sùng Thị Mai", "phone": "0977 000 999", "email": "", "gender": "nu", "ethnicity": "Mông",
        "position": "Bí thư Chi đoàn", "date_of_birth": "", "unit_code": tree.branch_a.code})
    assert response.status_code == 302
    shown = client.get(response.location)
    assert shown.headers["Cache-Control"] == "no-store"
    page = text(shown)
    assert "Đã tạo tài khoản cho Sùng Thị Mai." in page and "Chờ kích hoạt" in page
    code = issued_code(page)
    assert code not in text(client.get(response.location)), "shown only once"

    person = db.session.scalar(select(User).where(User.phone == "+84977000999"))
    assert person.unit_id == tree.branch_a.id and person.password_hash is None
    assert person.role_names == {Role.LEARNER}
    client.post("/logout")
    signed_in = login(client, "0977000999", code.lower())
    assert signed_in.status_code == 302 and signed_in.location.endswith("/account/set-password")


def test_create_refuses_a_unit_outside_scope(client, tree, admin_a):
    sign_in_as(client, admin_a)
    page = text(client.post("/people/new", data={
        "full_name": "Sùng Thị Mai", "phone": "0977000999", "unit_code": tree.branch_b.code}))
    assert f"Không có đơn vị mã “{tree.branch_b.code}” trong phạm vi bạn quản lý." in page
    assert 'value="Sùng Thị Mai"' in page and 'value="0977000999"' in page
    assert db.session.scalar(select(User).where(User.full_name == "Sùng Thị Mai")) is None


def test_create_refuses_a_taken_email(client, tree, admin_a, cadre_b):
    sign_in_as(client, admin_a)
    page = text(client.post("/people/new", data={
        "full_name": "Sùng Thị Mai", "email": "tram@example.org", "unit_code": tree.branch_a.code}))
    assert "E-mail này đã thuộc tài khoản khác." in page
    assert db.session.scalar(select(User).where(User.full_name == "Sùng Thị Mai")) is None


# --- Deactivating and reissuing --------------------------------------------------------------

def test_deactivated_account_cannot_sign_in_and_can_be_reactivated(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/deactivate", follow_redirects=True))
    assert "Đã ngừng hoạt động tài khoản của Nguyễn Thị Hoa." in page and "Cho hoạt động trở lại" in page
    client.post("/logout")
    assert "đã ngừng hoạt động" in text(login(client, cadre_a))
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/reactivate", follow_redirects=True))
    assert "hoạt động trở lại" in page
    sign_in_as(client, cadre_a)


def test_admin_cannot_deactivate_themself(client, admin_a):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{admin_a.id}/deactivate", follow_redirects=True))
    assert "Bạn không thể tự ngừng hoạt động tài khoản của chính mình." in page
    assert reload(admin_a).is_active


def test_reissue_forces_a_new_password_and_unlocks(client, admin_a, cadre_a):
    cadre_a.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    sign_in_as(client, admin_a)
    response = client.post(f"/people/{cadre_a.id}/reissue")
    page = text(client.get(response.location))
    assert "Đã cấp mã kích hoạt mới cho Nguyễn Thị Hoa." in page
    code = issued_code(page)
    person = reload(cadre_a)
    assert person.password_hash is None and person.must_change_password and person.locked_until is None
    client.post("/logout")
    assert login(client, cadre_a).status_code == 200, "the old password no longer works"
    signed_in = login(client, cadre_a, code)
    assert signed_in.status_code == 302 and signed_in.location.endswith("/account/set-password")


def test_reissue_makes_the_earlier_code_useless(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    first = issued_code(text(client.post(f"/people/{cadre_a.id}/reissue", follow_redirects=True)))
    second = issued_code(text(client.post(f"/people/{cadre_a.id}/reissue", follow_redirects=True)))
    client.post("/logout")
    assert login(client, cadre_a, first).status_code == 200
    assert login(client, cadre_a, second).status_code == 302


# --- Roles -----------------------------------------------------------------------------------

def test_grant_and_revoke_a_role(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.get(f"/people/{cadre_a.id}/roles"))
    assert "Quản trị Trung ương" not in page and "Tập huấn viên" in page
    response = client.post(f"/people/{cadre_a.id}/roles", data={"role": "trainer", "unit_code": "DOAN-LCI-BATXAT"})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Đã trao vai trò cho Nguyễn Thị Hoa." in page
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == cadre_a.id,
                                                                RoleAssignment.role == Role.TRAINER))
    assert assignment.unit_id == tree.grassroots_a.id and assignment.granted_by_id == admin_a.id
    page = text(client.post(f"/people/{cadre_a.id}/roles/{assignment.id}/revoke", follow_redirects=True))
    assert "Đã thu hồi vai trò." in page
    assert reload(cadre_a).role_names == {Role.LEARNER}


def test_granting_the_same_role_twice_is_refused(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/roles",
                            data={"role": "learner", "unit_code": "DOAN-LCI-BATXAT"}))
    assert "Cán bộ đã có vai trò này tại “Đoàn xã Bát Xát”." in page


def test_cannot_grant_a_role_on_another_province(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    for code in (tree.province_b.code, tree.grassroots_b.code, tree.central.code):
        page = text(client.post(f"/people/{cadre_a.id}/roles", data={"role": "unit_admin", "unit_code": code}))
        assert f"Không có đơn vị mã “{code}” trong phạm vi bạn được trao vai trò này." in page
    assert reload(cadre_a).role_names == {Role.LEARNER}


def test_only_central_admin_grants_central_admin(client, tree, admin_a, central_admin, cadre_a):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/people/{cadre_a.id}/roles",
                            data={"role": "central_admin", "unit_code": "DOAN-LCI"}))
    assert "Hãy chọn một mục trong danh sách." in page
    assert Role.CENTRAL_ADMIN not in reload(cadre_a).role_names
    sign_in_as(client, central_admin)
    client.post(f"/people/{cadre_a.id}/roles", data={"role": "central_admin", "unit_code": "DOAN-TW"})
    assert Role.CENTRAL_ADMIN in reload(cadre_a).role_names


def test_province_admin_cannot_revoke_a_central_role(client, tree, make_user, admin_a, central_admin):
    deputy = make_user(tree.province_a, "Hà Thị Thu", roles=[(Role.UNIT_ADMIN, tree.province_a)])
    sign_in_as(client, central_admin)
    client.post(f"/people/{deputy.id}/roles", data={"role": "reviewer", "unit_code": "DOAN-TW"})
    central_role = next(a for a in reload(deputy).roles if a.unit_id == tree.central.id)
    sign_in_as(client, admin_a)
    assert client.post(f"/people/{deputy.id}/roles/{central_role.id}/revoke").status_code == 403
    assert Role.REVIEWER in reload(deputy).role_names


def test_admin_cannot_revoke_their_own_last_admin_role(client, tree, admin_a):
    sign_in_as(client, admin_a)
    admin_role = next(a for a in admin_a.roles if a.role == Role.UNIT_ADMIN)
    page = text(client.post(f"/people/{admin_a.id}/roles/{admin_role.id}/revoke", follow_redirects=True))
    assert "Bạn không thể thu hồi vai trò quản trị cuối cùng của chính mình." in page
    assert Role.UNIT_ADMIN in reload(admin_a).role_names
    client.post(f"/people/{admin_a.id}/roles", data={"role": "unit_admin", "unit_code": "DOAN-LCI-BATXAT"})
    page = text(client.post(f"/people/{admin_a.id}/roles/{admin_role.id}/revoke", follow_redirects=True))
    assert "Đã thu hồi vai trò." in page


def test_revoking_an_assignment_of_someone_else_is_404(client, admin_a, cadre_a, make_user, tree):
    other = make_user(tree.grassroots_a, "Giàng A Páo")
    sign_in_as(client, admin_a)
    assert client.post(f"/people/{cadre_a.id}/roles/{other.roles[0].id}/revoke").status_code == 404

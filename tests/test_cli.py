"""The `flask lms …` commands speak Vietnamese, like the pages: their help, what they report and their errors."""
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db
from lms.people.models import User
from tests.conftest import ROOT, count


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["lms", *args], input=input)


def test_the_commands_help_is_vietnamese(app):
    result = run(app, "--help")
    assert result.exit_code == 0, result.output
    assert "Nạp các tổ chức, cấp đơn vị và đơn vị từ các tệp CSV" in result.output
    assert "Báo cáo và bảng số liệu." in result.output
    refresh = run(app, "reports", "refresh", "--help")
    assert "Số cấp dưới các đơn vị cấp cao nhất cũng được tính (1: các tỉnh)." in " ".join(refresh.output.split())


def test_load_units_says_what_it_loaded(app, app_ctx):
    first = run(app, "load-units", str(ROOT / "content/units"))
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Tổ chức: 3; cấp đơn vị: 4; đơn vị tạo mới: 107, cập nhật: 0."
    again = run(app, "load-units", str(ROOT / "content/units"))
    assert again.output.strip() == "Tổ chức: 3; cấp đơn vị: 4; đơn vị tạo mới: 0, cập nhật: 0."


def test_create_admin_names_the_role_it_gave(app, tree):
    result = run(app, "create-admin", "--email", "VanPhong@TinhDoan.example.vn", "--name", "Nguyễn Văn An",
                 "--unit", "DOAN-LCI", "--unit-admin", input="mat-khau-1\nmat-khau-1\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản vanphong@tinhdoan.example.vn, Quản trị đơn vị của Tỉnh đoàn Lào Cai." in result.output
    admin = db.session.scalars(select(User).where(User.email == "vanphong@tinhdoan.example.vn")).one()
    assert sorted((grant.role, grant.unit_id) for grant in admin.roles) == [
        (Role.LEARNER, tree.province_a.id), (Role.UNIT_ADMIN, tree.province_a.id)]


def test_create_admin_refuses_an_unknown_unit_or_a_bad_address_and_creates_nothing(app, tree):
    unknown = run(app, "create-admin", "--email", "an@example.org", "--name", "Nguyễn Văn An", "--unit", "DOAN-XX",
                  input="mat-khau-1\nmat-khau-1\n")
    assert unknown.exit_code == 1 and "Không có đơn vị nào mang mã DOAN-XX." in unknown.output
    bad = run(app, "create-admin", "--email", "an@", "--name", "Nguyễn Văn An", "--unit", "DOAN-TW",
              input="mat-khau-1\nmat-khau-1\n")
    assert bad.exit_code == 1 and "“an@” không phải là địa chỉ e-mail hợp lệ." in bad.output
    assert count(User) == 0


def test_certify_founder_names_the_master_it_recorded(app, tree, make_user):
    make_user(tree.central, "Đỗ Thị Thu Hà", email="founder@example.org")
    unknown = run(app, "trainers", "certify-founder", "--email", "nobody@example.org")
    assert unknown.exit_code == 1 and "Không có tài khoản nào dùng e-mail nobody@example.org." in unknown.output
    result = run(app, "trainers", "certify-founder", "--email", "founder@example.org")
    assert result.exit_code == 0, result.output
    assert "Đỗ Thị Thu Hà đã được ghi nhận là tập huấn viên nguồn." in result.output


def test_demo_says_how_many_accounts_it_created_and_nothing_the_second_time(app, app_ctx):
    first = run(app, "demo", "--cadres", "20")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Tài khoản trình diễn đã tạo: 7; cán bộ giả lập đã tạo: 20."  # as the README lists
    assert count(User) == 27
    again = run(app, "demo", "--cadres", "20")
    assert again.output.strip() == "Tài khoản trình diễn đã tạo: 0; cán bộ giả lập đã tạo: 0."
    assert count(User) == 27

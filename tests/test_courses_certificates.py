"""Certificates: the holder's page and PDF, the public verification page, revocation within scope."""
import os
import shutil
import subprocess

import pytest
from sqlalchemy import select

from lms.courses.completion import issue_certificate
from lms.courses.models import Certificate, Enrolment
from lms.db import db
from lms.i18n import local_date
from tests.conftest import login, needs_debian_package


@pytest.fixture()
def certificate(course, cadre_a) -> Certificate:
    enrolment = Enrolment(user_id=cadre_a.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.flush()
    issued = issue_certificate(enrolment)
    db.session.commit()
    return issued


def page(response) -> str:
    return response.get_data(as_text=True)


def reload(certificate: Certificate) -> Certificate:
    db.session.expire_all()
    return db.session.get(Certificate, certificate.id)


# --- the holder's pages ---------------------------------------------------------------------------

def test_the_holder_sees_the_certificate_and_its_pdf_link(client, certificate, cadre_a):
    login(client, cadre_a)
    text = page(client.get(f"/courses/certificates/{certificate.code}"))
    assert "Nguyễn Thị Hoa" in text and "Điều phối tình nguyện cơ bản" in text
    assert "Đoàn xã Bát Xát" in text and certificate.code in text
    assert f"/courses/certificates/{certificate.code}.pdf" in text
    assert f"http://lms.test/verify/{certificate.code}" in text
    assert "Thu hồi chứng nhận" not in text  # a learner cannot revoke


def test_the_learners_list_shows_certificates_and_the_record_download(client, certificate, cadre_a):
    login(client, cadre_a)
    text = page(client.get("/courses/certificates"))
    assert "Chứng nhận của tôi" in text and "Điều phối tình nguyện cơ bản" in text
    assert f"/courses/certificates/{certificate.code}" in text
    assert "Tải nhật ký học tập (xAPI)" in text and f"/courses/records/users/{cadre_a.id}.json" in text


def test_an_empty_list_says_how_to_earn_one(client, tree, cadre_a):
    login(client, cadre_a)
    assert "Bạn chưa có chứng nhận nào" in page(client.get("/courses/certificates"))


def test_who_may_see_a_certificate(client, certificate, admin_a, admin_b, make_user, tree):
    login(client, admin_a)
    assert client.get(f"/courses/certificates/{certificate.code}").status_code == 200
    assert client.get(f"/courses/certificates/{certificate.code}.pdf").status_code == 200
    client.post("/logout")
    login(client, admin_b)
    assert client.get(f"/courses/certificates/{certificate.code}").status_code == 403
    assert client.get(f"/courses/certificates/{certificate.code}.pdf").status_code == 403
    client.post("/logout")
    login(client, make_user(tree.grassroots_a, "Lò Văn Páo"))
    assert client.get(f"/courses/certificates/{certificate.code}").status_code == 403
    assert client.get("/courses/certificates/khong-co-ma-nay").status_code == 404


def test_the_pdf_carries_the_vietnamese_text(client, certificate, cadre_a):
    login(client, cadre_a)
    response = client.get(f"/courses/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    assert data.startswith(b"%PDF")
    if not shutil.which("pdftotext") and os.environ.get("CI"):
        pytest.fail("pdftotext (Debian poppler-utils) is needed to read the certificate's text in CI")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        for expected in ("GIẤY CHỨNG NHẬN", "hoàn thành khóa học", "Nguyễn Thị Hoa", "Điều phối tình nguyện cơ bản",
                         "Đoàn xã Bát Xát", certificate.code, f"http://lms.test/verify/{certificate.code}"):
            assert expected in text
    else:
        assert b"BeVietnamPro" in data or b"DejaVuSans" in data


# --- verification ---------------------------------------------------------------------------------

def test_anyone_can_verify_a_certificate_without_signing_in(client, certificate):
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    text = page(response)
    assert "Chứng nhận hợp lệ" in text
    assert "Nguyễn Thị Hoa" in text and "Điều phối tình nguyện cơ bản" in text and "Đoàn xã Bát Xát" in text
    # Nothing else about the person.
    assert "hoa@example.org" not in text and "Phó Bí thư" not in text


def test_an_unknown_code_is_not_found(client, tree):
    response = client.get("/verify/ma-khong-ton-tai")
    assert response.status_code == 404
    assert "Không tìm thấy chứng nhận" in page(response)


def test_a_revoked_certificate_says_so_with_date_and_reason(client, certificate, admin_a):
    login(client, admin_a)
    response = client.post(f"/courses/certificates/{certificate.code}/revoke",
                           data={"reason": "Gian lận khi làm bài kiểm tra"})
    assert response.status_code == 302
    revoked = reload(certificate)
    assert revoked.revoked_at is not None and revoked.revoked_by_id == admin_a.id
    client.post("/logout")
    text = page(client.get(f"/verify/{certificate.code}"))
    assert "Chứng nhận đã bị thu hồi" in text and "đã bị thu hồi" in text
    assert "Gian lận khi làm bài kiểm tra" in text
    # The day where the users are: after 17:00 UTC it is already the next day in Vietnam.
    assert f"Ngày thu hồi: {local_date(revoked.revoked_at):%d/%m/%Y}" in text
    assert "Chứng nhận hợp lệ" not in text


# --- revocation -----------------------------------------------------------------------------------

def test_an_admin_of_another_province_cannot_revoke(client, certificate, admin_b):
    login(client, admin_b)
    response = client.post(f"/courses/certificates/{certificate.code}/revoke", data={"reason": "Không hợp lệ"})
    assert response.status_code == 403
    assert reload(certificate).revoked_at is None


def test_the_holder_cannot_revoke_their_own_certificate(client, certificate, cadre_a):
    login(client, cadre_a)
    response = client.post(f"/courses/certificates/{certificate.code}/revoke", data={"reason": "Thử"})
    assert response.status_code == 403


def test_a_reason_is_required_to_revoke(client, certificate, admin_a):
    login(client, admin_a)
    text = page(client.get(f"/courses/certificates/{certificate.code}"))
    assert "Thu hồi chứng nhận" in text and 'name="reason"' in text
    response = client.post(f"/courses/certificates/{certificate.code}/revoke", data={"reason": "   "})
    assert response.status_code == 400
    assert "Hãy ghi lý do thu hồi." in page(response)
    assert reload(certificate).revoked_at is None


def test_a_central_admin_revokes_and_the_pdf_is_withdrawn(client, certificate, central_admin, cadre_a):
    login(client, central_admin)
    client.post(f"/courses/certificates/{certificate.code}/revoke", data={"reason": "Cấp nhầm"})
    again = client.post(f"/courses/certificates/{certificate.code}/revoke", data={"reason": "Lần hai"},
                        follow_redirects=True)
    assert "Chứng nhận này đã bị thu hồi trước đó." in page(again)
    assert reload(certificate).revoked_reason == "Cấp nhầm"
    client.post("/logout")
    login(client, cadre_a)
    text = page(client.get(f"/courses/certificates/{certificate.code}"))
    assert "Chứng nhận đã bị thu hồi ngày" in text and "Cấp nhầm" in text
    assert f"{certificate.code}.pdf" not in text
    response = client.get(f"/courses/certificates/{certificate.code}.pdf")
    assert response.status_code == 302
    assert db.session.scalar(select(Certificate.revoked_reason)) == "Cấp nhầm"


def test_the_pdf_falls_back_to_dejavu_sans_without_be_vietnam_pro(app, client, certificate, cadre_a, monkeypatch):
    from lms.courses import certificates

    needs_debian_package((certificates.DEJAVU_DIR / "DejaVuSans.ttf").exists(), "fonts-dejavu-core",
                         "for the certificate's fallback font")
    def missing(_package):
        raise ModuleNotFoundError(_package)

    monkeypatch.setattr(certificates.resources, "files", missing)
    certificates.font_files.cache_clear()
    try:
        assert certificates.font_files()[0] == "DejaVuSans"
        login(client, cadre_a)
        data = client.get(f"/courses/certificates/{certificate.code}.pdf").get_data()
        assert data.startswith(b"%PDF") and b"DejaVuSans" in data
    finally:
        certificates.font_files.cache_clear()

"""Certificates once issued (see completion.issue_certificate): who may see and revoke them, and the
printable PDF with a QR code leading to the public verification page."""
import logging
import unicodedata
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path

import segno
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import pgettext
from fpdf import FPDF
from sqlalchemy import select

from lms.actions import RuleError
from lms.auth.permissions import can
from lms.courses.models import Certificate
from lms.db import db, utcnow
from lms.people.models import User

MAX_CODE_LENGTH = 40
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")

# Embedding a font subset logs every glyph at INFO level; keep the application's log readable.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class CertificateError(RuleError):
    """A certificate change the rules refuse."""


# --- Finding and permissions ----------------------------------------------------------------------

def find(code: str) -> Certificate | None:
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def of_user(user: User) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def may_view(viewer: User, certificate: Certificate) -> bool:
    """The holder, and whoever follows progress in the holder's unit."""
    return certificate.user_id == viewer.id or can(viewer, "progress.view", certificate.user.unit)


def may_revoke(viewer: User, certificate: Certificate) -> bool:
    return can(viewer, "certificate.revoke", certificate.user.unit)


def revoke(certificate: Certificate, reason: str, by: User) -> None:
    reason = " ".join((reason or "").split())
    if certificate.revoked_at is not None:
        raise CertificateError(_("Chứng nhận này đã bị thu hồi trước đó."))
    if not reason:
        raise CertificateError(_("Hãy ghi lý do thu hồi."))
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = utcnow(), reason[:300], by.id


# --- The printable certificate --------------------------------------------------------------------

def verify_url(certificate: Certificate) -> str:
    return url_for("verify.verify", code=certificate.code, _external=True)


def qr_png(data: str) -> bytes:
    buffer = BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=10, border=2, dark="#0b3d28")
    return buffer.getvalue()


@lru_cache(maxsize=1)
def font_files() -> tuple[str, Path, Path]:
    """A font with every Vietnamese letter, named explicitly: Be Vietnam Pro, else DejaVu Sans.
    Returns (family, regular file, bold file)."""
    try:
        folder = resources.files("fontpkg_be_vietnam_pro") / "files"
        regular, bold = folder / "BeVietnamPro-Regular.ttf", folder / "BeVietnamPro-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return "BeVietnamPro", Path(str(regular)), Path(str(bold))
    except ModuleNotFoundError:
        pass
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if not regular.is_file():
        raise RuntimeError("no font with Vietnamese letters: install fontpkg-be-vietnam-pro or fonts-dejavu-core")
    return "DejaVuSans", regular, bold if bold.is_file() else regular


_GREEN = (11, 93, 59)
_GOLD = (176, 136, 46)
_INK = (27, 31, 35)
_MUTED = (74, 85, 96)


def _nfc(text: str) -> str:
    """Precomposed letters: every Vietnamese letter is one glyph of the font."""
    return unicodedata.normalize("NFC", text or "")


class _CertificatePDF(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.family, regular, bold = font_files()
        self.add_font(self.family, "", str(regular))
        self.add_font(self.family, "B", str(bold))
        self.set_auto_page_break(False)
        self.set_margins(28, 20, 28)

    def line_of(self, text: str, size: float, *, bold: bool = False, color=_INK, height: float | None = None):
        """One centred paragraph across the text width, wrapping when long."""
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)
        self.multi_cell(0, height or size * 0.5, _nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")

    def border(self):
        w, h = self.w, self.h
        self.set_draw_color(*_GREEN)
        self.set_line_width(2.2)
        self.rect(8, 8, w - 16, h - 16)
        self.set_draw_color(*_GOLD)
        self.set_line_width(0.6)
        self.rect(12, 12, w - 24, h - 24)
        # Small corner squares on the inner frame.
        self.set_fill_color(*_GOLD)
        for x, y in ((12, 12), (w - 12, 12), (12, h - 12), (w - 12, h - 12)):
            self.rect(x - 2, y - 2, 4, 4, style="F")


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate on one A4 landscape page."""
    holder, title = certificate.holder_name, certificate.course_title
    unit = certificate.issuing_unit
    pdf = _CertificatePDF()
    pdf.set_title(_nfc(_("Giấy chứng nhận: %(name)s", name=holder)))
    pdf.set_subject(_nfc(title))
    pdf.set_lang("vi")
    pdf.add_page()
    pdf.border()

    pdf.set_y(26)
    pdf.line_of(unit.organisation.name.upper() if unit.organisation else "", 10, color=_MUTED)
    pdf.line_of(unit.name.upper(), 11, bold=True, color=_GREEN)
    pdf.ln(12)
    pdf.line_of(_("GIẤY CHỨNG NHẬN"), 34, bold=True, color=_GREEN, height=15)
    pdf.ln(4)
    pdf.line_of(pgettext("certificate wording, before the holder's name", "Chứng nhận"), 13, color=_MUTED)
    pdf.ln(2)
    pdf.line_of(holder, 26, bold=True, height=12)
    pdf.ln(3)
    pdf.line_of(_("đã hoàn thành khóa học"), 13, color=_MUTED)
    pdf.ln(2)
    pdf.line_of(title, 18, bold=True, color=_GREEN, height=9)
    pdf.ln(7)
    pdf.line_of(_("Ngày hoàn thành: %(date)s", date=format_date(certificate.issued_at, "dd/MM/yyyy")), 12)
    pdf.line_of(_("Đơn vị cấp: %(unit)s", unit=unit.name), 12)

    # The verification corner: QR code on the left, the code and the address beside it.
    url = verify_url(certificate)
    size, left, top = 30, 22, pdf.h - 22 - 30
    pdf.image(BytesIO(qr_png(url)), x=left, y=top, w=size, h=size)
    pdf.set_xy(left + size + 4, top + 6)
    pdf.set_font(pdf.family, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(0, 5, _nfc(_("Quét mã QR hoặc mở địa chỉ dưới đây để xác minh:")), new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 5, url, new_x="LEFT", new_y="NEXT")
    pdf.set_font(pdf.family, "B", 10)
    pdf.set_text_color(*_INK)
    pdf.cell(0, 6, _nfc(_("Mã chứng nhận: %(code)s", code=certificate.code)), new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())

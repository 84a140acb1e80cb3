"""The one Markdown sanitiser: hostile input comes out harmless, ordinary formatting survives."""
import pytest

from lms.text import render_markdown

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[bấm vào](javascript:alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=\"https://example.org\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">z</div>",
    "<p onmouseover=alert(1)>chữ</p>",
    "![x](javascript:alert(1))",
    "<b>không đóng <i>thẻ",
    "<<script>script>alert(1)<</script>/script>",
    "<form action=\"https://example.org\"><input name=a></form>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_comes_out_harmless(source):
    html = str(render_markdown(source)).lower()
    for marker in ("<script", "<iframe", "<svg", "<form", "<input", "<div", "style=", "javascript:",
                   "data:text", "onerror", "onload", "onclick", "onmouseover"):
        assert marker not in html, (marker, html)


def test_broken_html_is_closed():
    html = str(render_markdown("<b>không đóng <i>thẻ"))
    assert html.count("<b>") == html.count("</b>") and html.count("<i>") == html.count("</i>")


def test_ordinary_formatting_survives():
    source = ("## Các bước\n\n1. Khảo sát\n2. Lập kế hoạch\n\n- một\n- hai\n\n"
              "| Việc | Người phụ trách |\n|---|---|\n| Hậu cần | Chi đoàn |\n\n"
              "> Ghi nhớ\n\n**đậm** *nghiêng* `mã`\n\n"
              "[Nghị định](https://example.org/nd45) và ![sơ đồ](/static/so-do.png \"Sơ đồ\")")
    html = str(render_markdown(source))
    for fragment in ("<h2>Các bước</h2>", "<ol>", "<ul>", "<table>", "<th>Việc</th>", "<td>Hậu cần</td>",
                     "<blockquote>", "<strong>đậm</strong>", "<em>nghiêng</em>", "<code>mã</code>",
                     'href="https://example.org/nd45"', 'src="/static/so-do.png"', 'alt="sơ đồ"'):
        assert fragment in html


def test_external_links_do_not_hand_over_the_page():
    html = str(render_markdown("[x](https://example.org)"))
    assert 'rel="noopener noreferrer nofollow"' in html


def test_mailto_and_tel_links_survive():
    html = str(render_markdown("[thư](mailto:a@example.org) [gọi](tel:+84912345678)"))
    assert 'href="mailto:a@example.org"' in html and 'href="tel:+84912345678"' in html


def test_bleach_is_called_from_one_module_only():
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "lms"
    users = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "bleach" in p.read_text(encoding="utf-8"))
    assert users == ["text.py"]

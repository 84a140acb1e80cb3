"""The one way user-written Markdown becomes HTML: rendered, then sanitised with tight allow-lists.

Every lesson, course description and quiz text shown on a page passes through `render_markdown`.
Raw HTML in the source is not trusted: scripts, styles, event-handler attributes and `javascript:`
links are removed; headings, lists, tables, images and ordinary links survive."""
from functools import lru_cache

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "code", "pre", "a", "img", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "dl", "dt", "dd",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title", "width", "height"],
    "abbr": ["title"],
    "th": ["align", "colspan", "rowspan", "scope"],
    "td": ["align", "colspan", "rowspan"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_EXTENSIONS = ["tables", "sane_lists", "fenced_code", "def_list", "abbr"]


def _add_link_safety(attrs, new=False):
    """External links open without handing the opener or a referrer to the other site."""
    href = attrs.get((None, "href"), "")
    if href.startswith(("http://", "https://")):
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


_cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
                          strip=True, strip_comments=True,
                          filters=[])


def render_markdown(source: str | None) -> Markup:
    """Markdown to safe HTML, ready to put in a template."""
    return _rendered(source or "")


@lru_cache(maxsize=1024)
def _rendered(source: str) -> Markup:
    """The same text always renders the same, so each process renders a lesson once, not on every view."""
    html = markdown.markdown(source, extensions=_EXTENSIONS, output_format="html")
    cleaned = _cleaner.clean(html)
    return Markup(bleach.linkify(cleaned, callbacks=[_add_link_safety], parse_email=False, skip_tags={"pre", "code"}))

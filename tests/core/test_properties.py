"""Property tests: the feed normaliser and the HTML sanitiser on generated hostile input.

(Folding and matcher properties live in test_folding.py and test_matcher.py.)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from xml.sax.saxutils import escape as xml_escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.core.parsing.feeds import parse_feed
from monitor.core.parsing.sanitize import sanitize_html

FETCHED = datetime(2025, 11, 13, 18, 0, tzinfo=UTC)
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")

# -- building blocks --------------------------------------------------------------------------------------------

words = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzàéèêçôœÉ ’'\"-.,;:!?0123456789")), max_size=20
)
entities = st.sampled_from(
    ["&amp;", "&eacute;", "&#233;", "&#x2019;", "&nbsp;", "&quot;", "&#8212;", "&bogus;"]
)
controls = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\u200b", "\ufeff", "\ud7ff"])
markup = st.sampled_from(
    [
        "<b>",
        "</b>",
        "<i>x</i>",
        "<p>",
        "</p>",
        "<br/>",
        "<br>",
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">clic</a>',
        "<style>p{}</style>",
        '<iframe src="http://evil.invalid/"></iframe>',
        "<div><span>",
        "</span></div>",
        "<!-- comment -->",
        '<object data="x.swf"></object>',
        "<table><tr><td>cell</td></tr></table>",
        "<ul><li>one</li></ul>",
    ]
)
html_text = st.lists(st.one_of(words, entities, controls, markup), max_size=12).map("".join)
dates = st.one_of(
    st.sampled_from(
        [
            "Thu, 13 Nov 2025 18:00:00 GMT",
            "Thu, 13 Nov 2025 18:00:00 +0100",
            "2025-11-13T18:00:00Z",
            "2025-11-13T18:00:00+05:30",
            "2025-11-13",
            "13/11/2025",
            "hier",
            "",
            "Mon, 31 Feb 2025 25:61:61 GMT",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "Sun, 00 Jan 0000 00:00:00 GMT",
            "1e308",
            "2025-13-45T99:99:99Z",
            "Thu, 13 Nov 2025 18:00:00 XYZ",
        ]
    ),
    st.text(max_size=30),
)


def rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{xml_escape(t)}</title><description>{xml_escape(s)}</description>"
        f"<pubDate>{xml_escape(d)}</pubDate><guid>id-{n}</guid></item>"
        for n, (t, s, d) in enumerate(items)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{body}</channel></rss>".encode("utf-8", "surrogatepass")


def atom(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<entry><id>urn:x:{n}</id><title type="html">{xml_escape(t)}</title>'
        f'<summary type="html">{xml_escape(s)}</summary><updated>{xml_escape(d)}</updated></entry>'
        for n, (t, s, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{body}</feed>'
    ).encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["rss", "atom"]),
    items=st.lists(st.tuples(html_text, html_text, dates), min_size=1, max_size=4),
)
def test_feed_normaliser_gives_plain_text_and_utc_dates(kind: str, items: list[tuple[str, str, str]]) -> None:
    document = rss(items) if kind == "rss" else atom(items)
    parsed = parse_feed(document, url="http://127.0.0.1/feed.xml", fetched_at=FETCHED)
    assert parsed.error is None or not parsed.items
    assert parsed.items or parsed.error, "a document with entries yields them or says why not"
    for item in parsed.items:
        # An RSS title is plain text to feedparser unless it looks like HTML (a lone "<b>" does not), so its
        # text may show markup characters, which the reader escapes; Atom says type="html" outright.
        checked = (item.title, item.summary, item.content) if kind == "atom" else (item.summary, item.content)
        for text in checked:
            assert not TAG.search(text), f"markup left in the text: {text!r}"
        for text in (item.title, item.summary, item.content):
            assert not re.search("[\x00-\x08\x0e-\x1f\x7f]", text), f"control character in {text!r}"
        assert item.published is not None
        when = datetime.fromisoformat(item.published)
        assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0
        if item.published_estimated:
            assert when == FETCHED


# -- the sanitiser ----------------------------------------------------------------------------------------------

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "style",
    "frame",
    "frameset",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "applet",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "noscript",
}
URL_TRICKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)",
    "http://ok.invalid/a.png",
    "/relative/path",
    "//evil.invalid/x",
    "https://ok.invalid/?a=1&b=2",
]
hostile_tag = st.sampled_from(
    sorted(FORBIDDEN_TAGS | {"a", "img", "p", "div", "span", "b", "video", "source"})
)
hostile_attr = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                "href",
                "src",
                "action",
                "formaction",
                "poster",
                "xlink:href",
                "srcset",
                "background",
                "cite",
                "data",
            ]
        ),
        st.sampled_from(URL_TRICKS),
    ),
    st.tuples(
        st.sampled_from(["onclick", "ONLOAD", "onerror", "onmouseover", "OnFocus"]), st.just("alert(1)")
    ),
    st.tuples(
        st.sampled_from(["style", "STYLE"]),
        st.sampled_from(
            [
                "color:red",
                "background:url(javascript:alert(1))",
                "expression(alert(1))",
                "position:fixed;top:0;left:0;width:100%;height:100%",
            ]
        ),
    ),
    st.tuples(st.sampled_from(["class", "id", "title", "alt", "srcdoc"]), st.sampled_from(["x", "<script>"])),
)


@st.composite
def hostile_element(draw: st.DrawFn) -> str:
    tag = draw(hostile_tag)
    if draw(st.booleans()):
        tag = tag.upper()
    attrs = draw(st.lists(hostile_attr, max_size=4))
    quote = draw(st.sampled_from(['"', "'", ""]))
    rendered = "".join(f" {name}={quote}{value}{quote}" for name, value in attrs)
    inner = draw(st.sampled_from(["", "text", "alert(1)", "<b>bold</b>", "<!--x-->"]))
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.lower()} >"]))
    return f"<{tag}{rendered}>{inner}{close}"


hostile_html = st.lists(st.one_of(hostile_element(), words, entities, markup), max_size=10).map("".join)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _url_scheme(value: str) -> str:
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return squeezed.split(":", 1)[0] if ":" in squeezed else ""


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=hostile_html, base=st.sampled_from([None, "http://127.0.0.1/feed.xml", "javascript:alert(1)"]))
def test_sanitiser_leaves_nothing_that_runs_or_restyles(html: str, base: str | None) -> None:
    clean = sanitize_html(html, base)
    lowered = clean.lower()
    for raw in ("<script", "<iframe", "<object", "<embed", "<form", "<style", "<svg", "<math"):
        assert raw not in lowered, clean
    collector = _Collector()
    collector.feed(clean)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag not in FORBIDDEN_TAGS, clean
        for name, value in attrs:
            assert not name.startswith("on"), clean
            assert name not in ("style", "srcdoc", "formaction", "action", "background"), clean
            if value is not None:
                assert _url_scheme(value) not in ("javascript", "data", "vbscript"), clean

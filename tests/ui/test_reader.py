"""The reader pane: matches highlighted in their kind's colour, the score explained, nothing ever fetched."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QTextDocument

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist
from monitor.core.models import Article, Match
from monitor.ui.reader import ReaderView
from monitor.ui.reader_html import article_html, highlight
from monitor.ui.style import KIND_COLOURS

WATCHLIST = Watchlist(
    (
        Entry("Amine Kessaci", "person", aliases=("Amine Kessaci",), weight=6.0),
        Entry("Conscience", "organisation", case_sensitive_aliases=("Conscience",), weight=3.0),
        Entry("Marseille", "place", aliases=("Marseille",), weight=1.0),
        Entry("narcotrafic", "topic", prefixes=("narcotrafi",), weight=4.0),
        Entry("fusillade", "keyword", aliases=("fusillade",), weight=1.0),
    )
)


def make_article(
    title: str, summary: str = "", content: str = "", content_html: str = "", **extra: object
) -> Article:
    found = Matcher(WATCHLIST).assess(title, summary, content)
    values: dict[str, object] = {
        "id": 1,
        "source": "http://127.0.0.1/feed.xml",
        "feed_id": 1,
        "guid": "g",
        "link": "https://example.org/a",
        "title": title,
        "summary": summary,
        "content": content,
        "content_html": content_html,
        "published": "2025-11-13T17:40:00+00:00",
        "published_estimated": False,
        "fetched": "2025-11-13T18:00:00+00:00",
        "lang": "fr",
        "content_hash": "h",
        "first_seen": "",
        "last_updated": "",
        "score": found.score,
        "highlighted": found.highlighted,
        "matches": list(found.matches),
    }
    values.update(extra)
    return Article(**values)  # type: ignore[arg-type]


def highlighted_runs(document: QTextDocument) -> list[tuple[str, str]]:
    """(text, background colour) of every run of the document that has a background."""
    runs: list[tuple[str, str]] = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.background().style() != Qt.BrushStyle.NoBrush:
                runs.append((fragment.text(), fmt.background().color().name()))
            it += 1
        block = block.next()
    return runs


def test_every_match_is_highlighted_in_its_kinds_colour_and_nothing_else(qtbot) -> None:  # type: ignore[no-untyped-def]
    article = make_article(
        "Marseille : Amine Kessaci face au narcotrafic",
        content="L'association Conscience alerte.\n\nUne fusillade à Marseille.\nLes narcotrafiquants visés.",
    )
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.show_article(article, source_label="Test feed")
    runs = highlighted_runs(reader.document())
    # The explanation line has one chip per entry (padded with no-break spaces); the rest are the matches,
    # in reading order: title, then summary, then content.
    chips = [text for text, _ in runs if text.startswith("\xa0")]
    page = [run for run in runs if not run[0].startswith("\xa0")]
    order = {"title": 0, "summary": 1, "content": 2}
    in_page_order = sorted(article.matches, key=lambda m: (order[m.field], m.start))
    assert page == [(m.text, QColor(KIND_COLOURS[m.kind]).name()) for m in in_page_order]
    assert len(page) == 7
    assert {colour for _, colour in page} == {QColor(c).name() for c in KIND_COLOURS.values()}
    counts = Counter(m.entry for m in article.matches)
    assert chips == [f"\xa0{name}{f' ×{n}' if n > 1 else ''}\xa0" for name, n in counts.items()]
    assert counts["Marseille"] == 2


def test_highlight_wraps_exact_spans_and_escapes_everything() -> None:
    text = "<b>Amine Kessaci</b> & co"
    matches = [Match("Amine Kessaci", "person", "content", 3, 16, "Amine Kessaci")]
    out = highlight(text, matches)
    assert out.startswith("&lt;b&gt;<span ")
    assert ">Amine Kessaci</span>&lt;/b&gt; &amp; co" in out
    assert "<b>" not in out


def test_the_explanation_line_says_why(qtbot) -> None:  # type: ignore[no-untyped-def]
    article = make_article("Amine Kessaci menacé", content="Le narcotrafic à Marseille.")
    reader = ReaderView()
    qtbot.addWidget(reader)
    found = Matcher(WATCHLIST).assess(article.title, article.summary, article.content)
    reader.show_article(article, source_label="Test feed", explanation=found.explanation)
    text = reader.toPlainText()
    assert "Highlighted · score" in text
    assert found.explanation in text
    assert "Amine Kessaci (title)" in found.explanation


def test_an_article_without_match_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.show_article(make_article("La météo de demain"), source_label="Test feed")
    assert "No watchlist match" in reader.toPlainText()
    assert highlighted_runs(reader.document()) == []


def test_showing_an_article_with_remote_images_sends_no_request(qtbot, httpserver) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/x.png").respond_with_data(b"\x89PNG", content_type="image/png")
    httpserver.expect_request("/s.css").respond_with_data("body{}", content_type="text/css")
    image = httpserver.url_for("/x.png")
    sheet = httpserver.url_for("/s.css")
    page = (
        f'<link rel="stylesheet" href="{sheet}"><p>Amine Kessaci à Marseille</p>'
        f'<img src="{image}" width="300" height="200" alt="photo"><p style="background:url({image})">x</p>'
    )
    article = make_article("Amine Kessaci", content="Amine Kessaci à Marseille", content_html=page)
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.resize(600, 500)
    reader.show()
    for original in (True, False):
        reader.show_article(article, source_label="Test feed", original_layout=original)
        reader.grab()  # lay out and paint, as on screen
        qtbot.wait(100)
    assert image in reader.requested  # the document asked for the image and got the local placeholder
    assert httpserver.log == []


def test_only_http_links_open_and_the_pane_never_navigates(qtbot) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    reader = ReaderView(open_url=lambda url: opened.append(url.toString()))
    qtbot.addWidget(reader)
    reader.show_article(make_article("Amine Kessaci"), source_label="Test feed")
    before = reader.toHtml()
    for url in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "ftp://example.org/x",
        "/relative",
    ):
        assert not reader.open_link(url)
    reader.anchorClicked.emit(QUrl("https://example.org/a"))
    assert opened == ["https://example.org/a"]
    reader.setSource(QUrl("https://example.org/elsewhere"))
    assert reader.toHtml() == before


def test_hostile_text_is_shown_as_text() -> None:
    article = make_article(
        '<script>alert(1)</script><a href="javascript:x">Amine Kessaci</a>', link="javascript:alert(1)"
    )
    page = article_html(article, source_label="<i>feed</i>")
    assert "<script" not in page and "<i>feed" not in page
    assert 'href="javascript' not in page
    assert "&lt;script&gt;" in page

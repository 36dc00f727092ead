"""The window shows revisions: the Revised filter, "revised once" in the reader, the word diff of two versions
(Ctrl+Shift+D) with the removed name visible; a full text is shown escaped, asking for nothing remote."""

from __future__ import annotations

import os
from pathlib import Path

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.ui.main_window import MainWindow
from monitor.ui.reader import ReaderView
from monitor.ui.versions_dialog import VersionsDialog
from tests.conftest import ServedFeed, serve_feed
from tests.core.evidence.test_full_text import HOSTILE
from tests.ui.conftest import open_row, settle

ITEM = (
    "<item><guid>a-1</guid><title>{title}</title><link>http://example.org/a-1</link>"
    "<description>{summary}</description><pubDate>Thu, 13 Nov 2025 17:40:00 GMT</pubDate></item>"
)


def rss(title: str, summary: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>http://example.org/</link>'
        + ITEM.format(title=title, summary=summary)
        + "</channel></rss>"
    ).encode()


def test_a_revised_article_shows_its_versions_and_their_diff(
    qtbot, window: MainWindow, core: VigieCore, httpserver
) -> None:  # type: ignore[no-untyped-def]
    served = ServedFeed(rss("Le PNACO saisi", "Le parquet enquête sur Marc Vasseur et Paul Durand au Havre."))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    served.body = rss("Le PNACO saisi du dossier", "Le parquet enquête sur Paul Durand au Havre.")
    core.poll()

    window.filters.revised.setChecked(True)
    settle(qtbot, window)
    window.reload_list()
    settle(qtbot, window)
    assert window.model.rowCount() == 1
    open_row(qtbot, window, 0)
    assert "revised once" in window.reader.toPlainText()

    window.act_versions.trigger()
    qtbot.waitUntil(lambda: window.findChild(VersionsDialog) is not None, timeout=10000)
    dialog = window.findChild(VersionsDialog)
    assert dialog is not None
    text = dialog.view.toPlainText()
    assert "Marc Vasseur et" in text  # the removed words stay visible, struck through
    assert "du dossier" in text
    assert "line-through" in dialog.view.toHtml()
    dialog.resize(760, 460)
    shot = dialog.grab()
    assert not shot.isNull()
    target = os.environ.get("VIGIE_SCREENSHOT_DIR")
    if target:  # docs/versions-diff.png is made this way (docs/BENCHMARKS.md says how)
        shot.save(str(Path(target) / "versions-diff.png"))
    dialog.close()


def test_a_full_text_is_shown_escaped_and_loads_nothing(qtbot, core: VigieCore) -> None:  # type: ignore[no-untyped-def]
    from monitor.core.polling.fulltext import extract_main_text

    article = next(iter(core.store.articles(ArticleQuery())))
    text = extract_main_text(HOSTILE, "http://example.org/p")
    shown = type(article)(
        **{**article.__dict__, "full_text": text + "\n<img src='https://evil.example.net/x.png'>"}
    )
    view = ReaderView(open_url=lambda _url: None)
    qtbot.addWidget(view)
    view.show_article(shown, source_label="Journal")
    view.grab()
    assert "Octave Brunier" in view.toPlainText()
    assert "<img src=" in view.toPlainText()  # shown as text, never as an image
    assert view.requested == []

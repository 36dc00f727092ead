"""The reader pane: one article, its watchlist matches in colour, and why it scores what it scores.

Safety: the pane renders only HTML we build from escaped plain text (or, in the original layout, HTML that
went through the sanitiser). It never loads anything: `loadResource` answers every request with a local
placeholder, so showing an article sends no request. Links open only when they are http or https, in the
system browser; the pane itself never navigates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QFont, QImage, QKeyEvent, QPainter, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from monitor.core.models import Article
from monitor.core.support.urls import WEB_SCHEMES
from monitor.ui.reader_html import article_html, welcome_html
from monitor.ui.style import KIND_COLOURS, TEXT, TEXT_MUTED

log = logging.getLogger(__name__)

_IMAGE = int(QTextDocument.ResourceType.ImageResource.value)

DOCUMENT_CSS = f"""
body {{ color: {TEXT}; }}
h1 {{ font-size: 17pt; font-weight: 600; margin-bottom: 4px; }}
h2 {{ font-size: 14pt; font-weight: 600; }}
p {{ margin-top: 0px; margin-bottom: 10px; line-height: 135%; }}
p.meta {{ margin-bottom: 2px; }}
p.link {{ margin-bottom: 8px; }}
p.summary {{ font-style: italic; }}
p.why {{ margin-top: 6px; margin-bottom: 6px; line-height: 150%; }}
a {{ color: #1c6fc0; }}
"""


class ReaderView(QTextBrowser):
    """A QTextBrowser that shows one article safely.

    Attributes:
        requested: every resource URL the document asked for (none was fetched); tests read it.
        open_url: how an http(s) link is opened; the system browser by default, a stub in tests.
    """

    link_opened = Signal(str)
    open_requested = Signal()  # Enter: open the article's link

    def __init__(
        self, parent: QWidget | None = None, *, open_url: Callable[[QUrl], object] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reader")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.document().setDefaultStyleSheet(DOCUMENT_CSS)
        self.document().setDocumentMargin(18)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.5))
        self.document().setDefaultFont(font)
        self.anchorClicked.connect(self.open_link)
        self.open_url = open_url or QDesktopServices.openUrl
        self.requested: list[str] = []
        self.article: Article | None = None
        self._placeholder = _placeholder_image()

    # -- what it shows --------------------------------------------------------------------------------------

    def show_article(
        self, article: Article, *, source_label: str, explanation: str = "", original_layout: bool = False
    ) -> None:
        self.show_page(
            article,
            article_html(
                article, source_label=source_label, explanation=explanation, original_layout=original_layout
            ),
        )

    def show_page(self, article: Article, page: str) -> None:
        """Show `article` as `page`, the HTML article_html made for it (the window builds it on a worker)."""
        self.article = article
        self.setHtml(page)
        self.verticalScrollBar().setValue(0)

    def show_welcome(self, *, first_run: bool, articles: int, feeds: int, highlighted: int) -> None:
        self.article = None
        self.setHtml(
            welcome_html(first_run=first_run, articles=articles, feeds=feeds, highlighted=highlighted)
        )

    def clear_article(self, text: str = "") -> None:
        self.article = None
        self.setHtml(f"<p style='color:{TEXT_MUTED};'>{text}</p>" if text else "")

    def page_down(self) -> bool:
        """Scroll one page; False when already at the end (the caller moves to the next article)."""
        bar = self.verticalScrollBar()
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(min(bar.maximum(), bar.value() + max(1, bar.pageStep() - 40)))
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- links and resources --------------------------------------------------------------------------------

    def open_link(self, url: QUrl | str) -> bool:
        """Open an http(s) link in the system browser; anything else is refused. Never navigates the pane."""
        qurl = QUrl(url) if isinstance(url, str) else url
        if qurl.scheme().lower() not in WEB_SCHEMES or not qurl.host():
            log.info("refused to open a %s link", qurl.scheme() or "relative")
            return False
        self.open_url(qurl)
        self.link_opened.emit(qurl.toString())
        return True

    def doSetSource(
        self, name: QUrl, type: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource
    ) -> None:
        """The pane never navigates (a click is handled by `open_link`)."""
        log.debug("ignored navigation to %s", name.toString())

    def loadResource(self, type: int, name: QUrl) -> object:
        """Every image, style sheet or other resource is answered locally: nothing is ever fetched."""
        if name.toString() not in self.requested:
            self.requested.append(name.toString())
        if int(type) == _IMAGE:
            return self._placeholder
        return ""


def _placeholder_image() -> QImage:
    """A small grey box that stands where a remote image would have been."""
    image = QImage(120, 28, QImage.Format.Format_ARGB32)
    image.fill(QColor("#eceff2"))
    painter = QPainter(image)
    painter.setPen(QColor("#9aa1a9"))
    painter.drawRect(0, 0, 119, 27)
    painter.setPen(QColor(TEXT_MUTED))
    font = QFont()
    font.setPointSizeF(7.5)
    painter.setFont(font)
    painter.drawText(image.rect(), 0x84, "image not loaded")  # AlignCenter
    painter.end()
    return image


__all__ = ["KIND_COLOURS", "ReaderView"]

"""The watchlist editor's right column: match a pasted text or the selected article with the edited list.

Compiling a Matcher and assessing a text is CPU work that grows with the list and the text, so it runs on
the bridge's task runner; the pane only shows what comes back. Every change (the text, the list, the article
to test) starts a new generation, and a result from an older one is dropped, so a slow test never overwrites
a newer one.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from monitor.core.errors import describe_error
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Watchlist
from monitor.core.models import Article, Assessment
from monitor.ui.bridge import Bridge
from monitor.ui.reader import ReaderView
from monitor.ui.reader_html import article_html, explanation_html, paragraphs_html
from monitor.ui.style import TEXT_MUTED

log = logging.getLogger(__name__)

TEST_DELAY_MS = 250
ArticleProvider = Callable[[], Article | None]
DraftProvider = Callable[[], Watchlist | None]
ThresholdProvider = Callable[[], float]

_EMPTY_HINT = (
    f"<p style='color:{TEXT_MUTED};'>Paste a text above, or test the article selected in the main window. "
    "Matches show in the colour of their kind; the score says whether it would be highlighted.</p>"
)


@dataclasses.dataclass(frozen=True)
class SampleResult:
    """What one test found, and the HTML that shows it."""

    assessment: Assessment
    html: str


def assess_sample(watchlist: Watchlist, threshold: float, article: Article | None, text: str) -> SampleResult:
    """Compile `watchlist` and assess `article` (when given) or `text`; runs on a worker thread."""
    matcher = Matcher(watchlist, highlight_threshold=threshold)
    if article is not None:
        found = matcher.assess(article.title, article.summary, article.content)
        tested = dataclasses.replace(
            article, matches=list(found.matches), score=found.score, highlighted=found.highlighted
        )
        shown = article_html(tested, source_label="Selected article", explanation=found.explanation)
        return SampleResult(found, shown + alias_table(found))
    found = matcher.assess("", "", text)
    probe = Article(
        id=0,
        source="test",
        feed_id=None,
        guid=None,
        link=None,
        title="",
        summary="",
        content=text,
        content_html="",
        published=None,
        published_estimated=False,
        fetched="",
        lang=None,
        content_hash="",
        first_seen="",
        last_updated="",
        score=found.score,
        highlighted=found.highlighted,
        matches=list(found.matches),
    )
    shown = (
        explanation_html(probe, found.explanation)
        + alias_table(found)
        + "<hr>"
        + paragraphs_html(text, list(found.matches))
    )
    return SampleResult(found, shown)


def alias_table(found: Assessment) -> str:
    """Which written forms matched which entry, and where."""
    if not found.matches:
        return ""
    rows: dict[tuple[str, str], list[str]] = {}
    for m in found.matches:
        fields = rows.setdefault((m.text, m.entry), [])
        if m.field not in fields:
            fields.append(m.field)
    cells = "".join(
        f"<tr><td>«{html.escape(text)}»</td><td>→ {html.escape(entry)}</td>"
        f"<td style='color:{TEXT_MUTED};'>{html.escape(', '.join(fields))}</td></tr>"
        for (text, entry), fields in rows.items()
    )
    return f"<table cellspacing='2' cellpadding='2'>{cells}</table>"


class MatchTestPane(QWidget):
    """A text box and a result view: the edited list tried on a text or an article, live, off the GUI thread.

    Args:
        bridge: whose runner does the matching.
        draft: the edited list, or None while it is invalid.
        threshold: the highlight threshold to test with.
        current_article: the article selected in the main window, if any.
    """

    tested = Signal(object)  # the Assessment now shown, or None when there is nothing to assess

    def __init__(
        self,
        bridge: Bridge,
        draft: DraftProvider,
        threshold: ThresholdProvider,
        current_article: ArticleProvider,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._draft = draft
        self._threshold = threshold
        self._current_article = current_article
        self._article: Article | None = None
        self._generation = 0
        self.last_assessment: Assessment | None = None

        self.test_input = QPlainTextEdit(self)
        self.test_input.setPlaceholderText("Paste a text here to see which entries and aliases match it…")
        self.use_article = QPushButton("Test the selected article", self)
        self.test_result = ReaderView(self)
        self.test_result.setObjectName("testResult")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Test</b> — live, with the list as edited (not yet saved)", self))
        layout.addWidget(self.test_input, 1)
        layout.addWidget(self.use_article)
        layout.addWidget(self.test_result, 3)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEST_DELAY_MS)
        self._timer.timeout.connect(self.run_test)
        self.test_input.textChanged.connect(self._on_text_changed)
        self.use_article.clicked.connect(self.test_selected_article)

    def schedule(self) -> None:
        """The list changed: test again after a pause, and drop any result computed before the change."""
        self._generation += 1
        self._timer.start()

    def _on_text_changed(self) -> None:
        self._article = None
        self.schedule()

    def test_selected_article(self) -> None:
        article = self._current_article()
        if article is None:
            self.test_result.setHtml(
                f"<p style='color:{TEXT_MUTED};'>Select an article in the main window first.</p>"
            )
            return
        self._article = article
        self.run_test()

    def run_test(self) -> None:
        """Test the text (or the chosen article) with the edited list; the result shows when it is ready."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        watchlist = self._draft()
        if watchlist is None:
            self.test_result.setHtml(f"<p style='color:{TEXT_MUTED};'>Fix the list to test it.</p>")
            return
        article = self._article
        text = self.test_input.toPlainText()
        if article is None and not text.strip():
            self._show(None, _EMPTY_HINT)
            return
        threshold = self._threshold()

        def current() -> bool:
            # A closed editor may be deleted before a test it started comes back.
            return isValid(self) and generation == self._generation

        def shown(result: SampleResult) -> None:
            if current():
                self._show(result.assessment, result.html)

        def failed(exc: BaseException) -> None:
            if current():
                message = html.escape(f"⚠ Could not test: {describe_error(exc)}")
                self.test_result.setHtml(f"<p>{message}</p>")

        self.bridge.runner.submit(
            lambda _progress: assess_sample(watchlist, threshold, article, text),
            on_result=shown,
            on_error=failed,
            name="watchlist_test",
        )

    def _show(self, assessment: Assessment | None, page: str) -> None:
        self.last_assessment = assessment
        self.test_result.setHtml(page)
        self.tested.emit(assessment)

"""Articles ▸ Compare versions… (Ctrl+Shift+D): the stored versions of a revised article, a word-level diff
between any two of them (removed words struck through in red, added ones in green), and each version's fetch
time and SHA-256 digests. The versions are read on the task runner; the diff (core.evidence.version_diff) is
made here, from plain text."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import describe_error
from monitor.core.evidence.version_diff import version_diff
from monitor.core.models import ArticleVersion
from monitor.ui.style import TEXT_MUTED

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SHORTCUT = "Ctrl+Shift+D"
_REMOVED = "background-color:#fde2e1; color:#8a1c1c; text-decoration:line-through;"
_ADDED = "background-color:#dcf5dc; color:#1b5e20;"


def diff_html(old: ArticleVersion, new: ArticleVersion) -> str:
    """Each field of two versions, word by word (core.evidence.version_diff): what `new` removed and added.
    Text only, escaped: nothing loads."""
    out = [
        f"<p style='color:{TEXT_MUTED};'>Version {old.number} (fetched {html.escape(old.fetched)}, "
        f"SHA-256 {old.text_sha256[:16]}…) → version {new.number} (fetched {html.escape(new.fetched)}, "
        f"SHA-256 {new.text_sha256[:16]}…)</p>"
    ]
    for field in version_diff(old, new).fields:
        out.append(f"<h3>{field.label}{'' if field.changed else ' <small>(unchanged)</small>'}</h3><p>")
        for op, text in field.parts:
            escaped = html.escape(text)
            if op == "removed":
                out.append(f"<span style='{_REMOVED}'>{escaped}</span> ")
            elif op == "added":
                out.append(f"<span style='{_ADDED}'>{escaped}</span> ")
            else:
                out.append(escaped + " ")
        out.append("</p>")
    return "".join(out)


def version_label(version: ArticleVersion) -> str:
    what = "page" if version.kind == "page" else "feed"
    return f"{version.number}: {version.fetched} ({what})"


class VersionsDialog(QDialog):
    """Two version pickers and the diff between them (the first and the last to start with)."""

    def __init__(self, parent: QWidget | None, title: str, versions: Sequence[ArticleVersion]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Versions of “{title}”")
        self.resize(780, 560)
        self.versions = list(versions)
        self.old = QComboBox()
        self.new = QComboBox()
        for version in self.versions:
            self.old.addItem(version_label(version))
            self.new.addItem(version_label(version))
        self.old.setCurrentIndex(max(0, len(self.versions) - 2))
        self.new.setCurrentIndex(len(self.versions) - 1)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)  # nothing in a diff is followed or loaded
        self.view.setOpenExternalLinks(False)
        self.digests = QLabel()
        self.digests.setWordWrap(True)
        self.digests.setStyleSheet(f"color:{TEXT_MUTED};")
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel("&Compare"))
        pickers.itemAt(0).widget().setBuddy(self.old)  # type: ignore[union-attr]
        pickers.addWidget(self.old, 1)
        pickers.addWidget(QLabel("with"))
        pickers.addWidget(self.new, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        revised = len(self.versions) - 1
        times = "once" if revised == 1 else f"{revised} times"
        layout.addWidget(QLabel(f"{len(self.versions)} stored versions: revised {times}."))
        layout.addLayout(pickers)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.digests)
        layout.addWidget(buttons)
        self.old.currentIndexChanged.connect(self.refresh)
        self.new.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        if not self.versions:
            self.view.setPlainText("No stored version.")
            return
        old, new = self.versions[self.old.currentIndex()], self.versions[self.new.currentIndex()]
        self.view.setHtml(diff_html(old, new))
        self.digests.setText(
            "\n".join(
                f"v{v.number}: text {v.text_sha256}" + (f", document {v.doc_sha256}" if v.doc_sha256 else "")
                for v in (old, new)
            )
        )


def show_versions(window: MainWindow) -> None:
    """Articles ▸ Compare versions…: the dialog for the article in the reader."""
    article_id = window.current_article_id()
    if article_id is None:
        window.status.show_message("Open an article first, then compare its versions.")
        return
    title = window.reader.article.title if window.reader.article else f"Article {article_id}"

    def show(versions: list[ArticleVersion]) -> None:
        if len(versions) < 2:
            window.status.show_message("This article has one stored version: nothing to compare.")
            return
        VersionsDialog(window, title, versions).open()

    def failed(exc: BaseException) -> None:
        window.status.show_error(f"Could not read the versions: {describe_error(exc)}")

    window.bridge.runner.submit(
        lambda _p: window.core.article_versions(article_id), on_result=show, on_error=failed, name="versions"
    )

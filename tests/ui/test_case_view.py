"""The case view and Add to case…: pinned from the reader, shown in time order with highlights, notes and tags
saved, reports written, all off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from PySide6.QtWidgets import QApplication

from monitor.core.service import VigieCore
from monitor.ui.case_pin import AddToCaseDialog
from monitor.ui.case_view import CaseViewDialog
from tests.ui.conftest import GuiThreadGuard, Wiring, open_row, settle
from tests.ui.test_main_window import add_feed_articles


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


def _dialog(qtbot, kind: type) -> object:  # type: ignore[no-untyped-def]
    found: list[object] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10000)
    return found[0]


def test_pin_from_the_reader_then_work_in_the_case_view(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, tmp_path: Path
) -> None:
    window = wired.window
    guard.armed = False
    add_feed_articles(window, count=6)  # scored by the real matcher: highlights to show
    settle(qtbot, window)
    guard.armed = True
    rows = [n for n in range(window.model.rowCount()) if "Kessaci témoigne" in window.model.row_at(n).title][
        :2
    ]
    for number, row in enumerate(rows):
        open_row(qtbot, window, row)
        window.act_add_to_case.trigger()
        dialog = _dialog(qtbot, AddToCaseDialog)
        assert isinstance(dialog, AddToCaseDialog)
        dialog.case.setCurrentText("Dossier Kessaci")
        dialog.note.setPlainText(f"note {number}")
        dialog.tags.setText("témoin, Marseille")
        dialog.accept()
        qtbot.waitUntil(lambda: "Dossier Kessaci" in window.statusBar().currentMessage(), timeout=10000)
        settle(qtbot, window)
    assert "new case" not in window.statusBar().currentMessage()  # the second went into the same case

    window.act_cases.trigger()
    view = _dialog(qtbot, CaseViewDialog)
    assert isinstance(view, CaseViewDialog)
    qtbot.waitUntil(lambda: view.items.topLevelItemCount() == 2, timeout=10000)
    dates = [view.shown.items[n].article.published for n in range(2)]  # type: ignore[union-attr]
    assert dates == sorted(dates)  # time order
    assert "background-color:#ffe08a" in view.page.toHtml().replace(" ", "")  # the highlights are shown
    assert view.item_tags.text() == "Marseille, témoin"

    view.item_note.setPlainText("Le témoignage le plus ancien.")
    view.save_item()
    qtbot.waitUntil(
        lambda: view.items.topLevelItem(0).text(4) == "Le témoignage le plus ancien.", timeout=10000
    )
    view.case_note.setPlainText("Les témoignages publics.")
    view.save_case_note()
    qtbot.waitUntil(lambda: "Case note saved" in window.statusBar().currentMessage(), timeout=10000)

    target = tmp_path / "dossier.pdf"
    view.export("pdf", target)
    qtbot.waitUntil(lambda: "Wrote the PDF report" in window.statusBar().currentMessage(), timeout=20000)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(target).pages).split())
    assert "Le témoignage le plus ancien." in text and "Les témoignages publics." in text
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    view.close()


def test_add_to_case_without_an_article_says_what_to_do(qtbot, wired: Wiring) -> None:  # type: ignore[no-untyped-def]
    window = wired.window
    settle(qtbot, window)
    window.act_add_to_case.trigger()
    assert "Open an article first" in window.statusBar().currentMessage()

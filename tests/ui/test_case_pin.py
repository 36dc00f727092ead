"""Pinning from the list (issue 18): in the story mode, Add to case… (Shift+C) and a story row's context menu
pin every report of the story; an article row's context menu pins the article. Reads and writes run on the task
runner (the guard is armed)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication, QMenu

from monitor.core.service import VigieCore
from monitor.ui.case_pin import AddToCaseDialog, article_menu, story_menu
from monitor.ui.story_mode import StoryMode
from tests.ui.conftest import GuiThreadGuard, Wiring, poll_story_reports, settle


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


@pytest.fixture
def mode(qtbot, wired: Wiring, httpserver, guard: GuiThreadGuard) -> StoryMode:  # type: ignore[no-untyped-def]
    window = wired.window
    poll_story_reports(qtbot, window, httpserver, guard)
    return window.story_mode  # type: ignore[attr-defined, no-any-return]


def _fill_dialog(qtbot, case: str, note: str) -> None:  # type: ignore[no-untyped-def]
    found: list[AddToCaseDialog] = []

    def shown() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, AddToCaseDialog) and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10000)
    dialog = found[0]
    dialog.case.setCurrentText(case)
    dialog.note.setPlainText(note)
    dialog.tags.setText("histoire")
    dialog.accept()


def _pinned(wired: Wiring, guard: GuiThreadGuard, case: str) -> list[tuple[int | None, str]]:
    guard.armed = False
    core = wired.window.core
    items = core.case_file(core.case_named(case).id).items
    guard.armed = True
    return sorted((i.article_id, i.note) for i in items)


def test_add_to_case_on_a_story_row_pins_every_report(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, mode: StoryMode, guard: GuiThreadGuard
) -> None:
    window = wired.window
    with qtbot.waitSignal(mode.model.page_shown, timeout=10000):
        mode.action.trigger()
    settle(qtbot, window)
    row = max(range(mode.model.rowCount()), key=lambda n: mode.model.story_at(n).reports)  # type: ignore[union-attr]
    story = mode.model.story_at(row)
    assert story is not None and story.reports >= 2
    mode.select_story_row(row)
    window.act_add_to_case.trigger()
    _fill_dialog(qtbot, "Affaire", "toute l'histoire")
    qtbot.waitUntil(
        lambda: "Story added to new case 'Affaire'" in window.statusBar().currentMessage(), timeout=10000
    )
    assert f"{story.reports} reports pinned" in window.statusBar().currentMessage()
    guard.armed = False
    reports = window.core.store.story_article_ids(story.id)
    guard.armed = True
    assert _pinned(wired, guard, "Affaire") == [(i, "toute l'histoire") for i in sorted(reports)]

    # The story row's context menu says what it pins, and pins the same reports again: all already there.
    menu = story_menu(window, story)
    action = menu.actions()[0]
    assert action.text() == f"Add story to &case… ({story.reports} reports)"
    action.trigger()
    _fill_dialog(qtbot, "affaire", "")
    qtbot.waitUntil(
        lambda: f"{story.reports} already in it" in window.statusBar().currentMessage(), timeout=10000
    )

    # On a report row, Add to case… pins that report alone.
    top = mode.model.index(row, 0)
    with qtbot.waitSignal(mode.model.reports_shown, timeout=10000):
        mode.tree.expand(top)
    report = mode.model.index(0, 0, top)
    assert report.parent() != QModelIndex()
    mode.tree.setCurrentIndex(report)
    qtbot.waitUntil(lambda: window.current_article_id() is not None, timeout=10000)
    window.act_add_to_case.trigger()
    _fill_dialog(qtbot, "Une seule", "le premier")
    qtbot.waitUntil(
        lambda: "Article added to new case 'Une seule'" in window.statusBar().currentMessage(), timeout=10000
    )
    assert _pinned(wired, guard, "Une seule") == [(mode.model.report_at(report).id, "le premier")]  # type: ignore[union-attr]


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # a popup, offscreen
def test_an_article_rows_context_menu_pins_it(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, mode: StoryMode, guard: GuiThreadGuard
) -> None:
    window = wired.window
    row = window.model.row_at(0)
    assert row is not None
    menu = article_menu(window, row.id, row.title)
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "Add to &case…" and window.act_versions in menu.actions()
    menu.actions()[0].trigger()
    _fill_dialog(qtbot, "Liste", "depuis la liste")
    qtbot.waitUntil(
        lambda: "Article added to new case 'Liste'" in window.statusBar().currentMessage(), timeout=10000
    )
    assert _pinned(wired, guard, "Liste") == [(row.id, "depuis la liste")]

    # A right-click on the row pops that menu up.
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    view.customContextMenuRequested.emit(view.visualRect(window.model.index(0, 2)).center())
    qtbot.waitUntil(
        lambda: any(m.isVisible() for m in window.findChildren(QMenu, "articleMenu")), timeout=10000
    )
    for menu in window.findChildren(QMenu, "articleMenu"):
        menu.close()

"""The reader's Relevant / Not relevant actions: stored through the runner, shown in the reader and the list."""

from __future__ import annotations

import pytest

from monitor.core.service import VigieCore
from tests.ui.conftest import GuiThreadGuard, Wiring, open_row, settle
from tests.ui.test_gui_thread import add_feed_articles


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


def test_judging_in_the_reader_overrides_the_highlight_off_the_gui_thread(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard
) -> None:
    window = wired.window
    guard.armed = False
    add_feed_articles(window.core, 6)
    guard.armed = True
    window.reload_list()
    settle(qtbot, window)
    rows = {window.model.row_at(n).id: n for n in range(window.model.rowCount())}
    plain = next(i for i, n in rows.items() if window.model.row_at(n).title.startswith("Météo"))
    open_row(qtbot, window, rows[plain])
    window.act_relevant.trigger()
    qtbot.waitUntil(lambda: "You judged this relevant" in window.reader.toPlainText(), timeout=10000)
    settle(qtbot, window)
    assert guard.calls == []
    assert window.model.row_at(window.model.row_of(plain)).highlighted
    window.act_not_relevant.trigger()
    qtbot.waitUntil(lambda: "You judged this not-relevant" in window.reader.toPlainText(), timeout=10000)
    window.act_no_judgement.trigger()
    qtbot.waitUntil(lambda: "You judged" not in window.reader.toPlainText(), timeout=10000)
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    article = window.core.store.article(plain)
    assert article is not None and article.judgement is None and not article.highlighted

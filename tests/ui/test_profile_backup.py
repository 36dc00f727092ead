"""File ▸ Back up profile… and Restore profile…: off the GUI thread, with progress, and the window reloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.service import VigieCore
from monitor.ui import profile_backup
from tests.ui.conftest import GuiThreadGuard, Wiring, settle
from tests.ui.test_gui_thread import add_feed_articles


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


def test_back_up_then_restore_from_the_window(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, tmp_path: Path
) -> None:
    window = wired.window
    assert window.act_backup in window.menuBar().actions()[0].menu().actions()
    assert window.act_restore in window.menuBar().actions()[0].menu().actions()
    settle(qtbot, window)
    seeds_only = window.model.rowCount()
    target = tmp_path / "window.vigie"
    profile_backup.backup_profile(window, target)
    assert window.status.progress.isVisible()  # the status bar says a backup runs
    qtbot.waitUntil(lambda: "Backed up" in window.statusBar().currentMessage(), timeout=10000)
    assert target.exists() and not window.status.progress.isVisible()

    guard.armed = False
    add_feed_articles(window.core, 8)
    guard.armed = True
    window.reload_list()
    settle(qtbot, window)
    assert window.model.rowCount() == seeds_only + 8

    profile_backup.restore_profile(window, target)  # the wiring answers the confirmation yes
    qtbot.waitUntil(lambda: "Restored" in window.statusBar().currentMessage(), timeout=10000)
    settle(qtbot, window)
    assert window.model.rowCount() == seeds_only  # the list shows the restored profile at once
    assert guard.calls == []

    (tmp_path / "junk.vigie").write_bytes(b"\x00" * 8192)
    profile_backup.restore_profile(window, tmp_path / "junk.vigie")
    qtbot.waitUntil(lambda: window.status.error.isVisible(), timeout=10000)
    assert "Restore refused, nothing changed" in window.status.error.text()
    guard.armed = False

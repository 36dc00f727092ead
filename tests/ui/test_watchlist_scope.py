"""The watchlist editor's scope field: edited, checked (an unknown place is named, the saved list stays),
saved and re-scored."""

from __future__ import annotations

from monitor.ui.main_window import MainWindow
from monitor.ui.watchlist_editor import WatchlistEditor
from monitor.ui.watchlist_scope import split_places

WAIT_MS = 10_000


def type_scope(editor: WatchlistEditor, text: str) -> None:
    editor.scope.line.setText(text)
    editor.scope.line.editingFinished.emit()


def test_split_places() -> None:
    assert split_places(" France, Antwerp ,, Europe ") == ("France", "Antwerp", "Europe")
    assert split_places("") == ()


def test_the_scope_is_shown_edited_checked_and_saved(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    editor = window.show_watchlist_editor()
    assert isinstance(editor, WatchlistEditor)
    saved = window.core.watchlist
    assert editor.scope.places() == saved.scope and "France" in saved.scope

    type_scope(editor, "France, Atlantide du Nord")
    assert editor.dirty
    assert "unknown place 'Atlantide du Nord'" in editor.error.text()
    assert not editor.save_button.isEnabled()
    assert not editor.save()
    assert window.core.watchlist == saved  # the last good list stays

    type_scope(editor, "France, Belgique")
    assert "unknown place" not in editor.error.text()
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=WAIT_MS):
        assert editor.save()
    assert window.core.watchlist.scope == ("France", "Belgique")
    assert window.core.watchlist.entries == saved.entries
    text = window.core.paths.watchlist.read_text(encoding="utf-8")
    assert "[scope]" in text and "Belgique" in text
    assert editor.scope.places() == ("France", "Belgique") and not editor.dirty

    editor.resize(1240, 760)
    editor.grab().save("/tmp/vigie-watchlist-scope.png")


def test_renaming_a_place_entry_renames_it_in_the_scope(window: MainWindow) -> None:
    editor = window.show_watchlist_editor()
    assert isinstance(editor, WatchlistEditor)
    type_scope(editor, "France, Antwerp")
    editor.select("Antwerp")
    editor.form.name.setText("Port of Antwerp")
    assert editor.scope.places() == ("France", "Port of Antwerp")
    assert editor.draft().scope == ("France", "Port of Antwerp")


def test_opening_the_editor_builds_the_gazetteer_on_a_worker(qtbot, core, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from monitor.core.service import VigieCore
    from monitor.ui.bridge import Bridge
    from monitor.ui.tasks import TaskRunner

    seen: list[threading.Thread] = []
    real = VigieCore.load_places

    def spy(self: VigieCore) -> int:
        seen.append(threading.current_thread())
        return real(self)

    monkeypatch.setattr(VigieCore, "load_places", spy)
    runner = TaskRunner()
    try:
        editor = WatchlistEditor(core, Bridge(core, runner))
        qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
        assert seen[0] is not threading.main_thread()
        editor.close()
    finally:
        runner.shutdown(wait=True)

"""Settings ▸ Preferences: settings.toml and the autostart entry written on the task runner, errors in words."""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator

import pytest

from monitor.core.service import VigieCore
from monitor.core.settings import Settings
from monitor.core.support.autostart import autostart_enabled, autostart_path, install_autostart
from monitor.ui import settings_dialog
from monitor.ui.bridge import Bridge
from monitor.ui.main_window import MainWindow
from monitor.ui.settings_dialog import SettingsDialog
from monitor.ui.tasks import TaskRunner
from tests.ui.conftest import item, store_items

WAIT_MS = 10_000


@pytest.fixture
def threaded_bridge(qapp, core: VigieCore) -> Iterator[Bridge]:  # type: ignore[no-untyped-def]
    """A bridge over the real task runner, as the app has it: tasks run on worker threads."""
    runner = TaskRunner()
    yield Bridge(core, runner)
    runner.shutdown(wait=True)


@pytest.fixture
def dialog(qtbot, core: VigieCore, threaded_bridge: Bridge) -> SettingsDialog:  # type: ignore[no-untyped-def]
    """The preferences, open, once the runner has said whether Vigie starts at login."""
    opened = SettingsDialog(core, threaded_bridge)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(opened.autostart.isEnabled, timeout=WAIT_MS)
    return opened


def calls_on_threads(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[threading.Thread]:
    """Record the thread of every call to `owner.name` (which still does its work)."""
    seen: list[threading.Thread] = []
    real = getattr(owner, name)

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


def test_saving_writes_settings_toml_on_a_worker_thread_then_closes(
    qtbot, core: VigieCore, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    writes = calls_on_threads(monkeypatch, Settings, "save")
    dialog.interval.setValue(42)
    dialog.quiet_start.setText("22:00")
    dialog.quiet_end.setText("07:00")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        assert dialog.save()
    saved = tomllib.loads(core.paths.settings.read_text(encoding="utf-8"))
    assert saved["default_interval_minutes"] == 42
    assert (saved["quiet_hours_start"], saved["quiet_hours_end"]) == ("22:00", "07:00")
    assert core.settings.default_interval_minutes == 42
    assert writes and all(thread is not threading.main_thread() for thread in writes)


def test_a_failed_save_is_said_in_words_and_the_dialog_stays_open(
    qtbot, core: VigieCore, dialog: SettingsDialog
) -> None:  # type: ignore[no-untyped-def]
    core.paths.settings.mkdir(parents=True)  # a folder where settings.toml should be: the rename fails
    dialog.interval.setValue(42)
    assert dialog.save()
    qtbot.waitUntil(lambda: "Could not save" in dialog.error.text(), timeout=WAIT_MS)
    assert str(core.paths.settings) in dialog.error.text()
    assert dialog.isVisible() and dialog.buttons.isEnabled()
    assert core.settings.default_interval_minutes != 42


def test_quiet_hours_must_be_written_hh_mm_and_come_in_pairs(core: VigieCore, dialog: SettingsDialog) -> None:
    dialog.quiet_start.setText("25:00")
    dialog.quiet_end.setText("07:00")
    assert not dialog.save()
    assert "HH:MM" in dialog.error.text()
    dialog.quiet_start.setText("")
    assert not dialog.save()
    assert "both ends" in dialog.error.text()
    assert not core.paths.settings.exists()


def test_a_new_threshold_rescores_the_articles(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    store_items(store, [item(1, title="Amine Kessaci parle")])
    window.core.rescore()
    article_id = store.rows(window.model.query)[0].id
    assert store.article(article_id).highlighted
    dialog = SettingsDialog(window.core, window.bridge, window)
    dialog.threshold.setValue(99)
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=WAIT_MS):
        dialog.save()
    assert window.core.matcher.threshold == 99
    assert not store.article(article_id).highlighted


def test_the_autostart_box_shows_whether_the_entry_is_there(
    qtbot, core: VigieCore, threaded_bridge: Bridge
) -> None:  # type: ignore[no-untyped-def]
    install_autostart(True, command="vigie --minimized")
    for expected in (True, False):
        opened = SettingsDialog(core, threaded_bridge)
        qtbot.addWidget(opened)
        qtbot.waitUntil(opened.autostart.isEnabled, timeout=WAIT_MS)
        assert opened.autostart.isChecked() is expected
        install_autostart(False)


def test_the_autostart_box_writes_and_removes_the_entry_on_a_worker_thread(
    qtbot, core: VigieCore, threaded_bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    reads = calls_on_threads(monkeypatch, settings_dialog, "autostart_enabled")
    writes = calls_on_threads(monkeypatch, settings_dialog, "install_autostart")
    entry = autostart_path()
    assert entry.parent.parent.name == "config"  # tests/conftest.py moved XDG_CONFIG_HOME into tmp
    for wanted in (True, False):
        opened = SettingsDialog(core, threaded_bridge)
        qtbot.addWidget(opened)
        opened.show()
        qtbot.waitUntil(opened.autostart.isEnabled, timeout=WAIT_MS)
        opened.autostart.setChecked(wanted)
        with qtbot.waitSignal(opened.accepted, timeout=WAIT_MS):
            opened.save()
        assert entry.exists() is wanted and autostart_enabled() is wanted
        if wanted:
            assert "--minimized" in entry.read_text(encoding="utf-8")
    gui = threading.main_thread()
    assert len(reads) == 2 and len(writes) == 2
    assert all(thread is not gui for thread in reads + writes)


def test_an_unchanged_autostart_box_leaves_the_entry_alone(
    qtbot, core: VigieCore, threaded_bridge: Bridge
) -> None:  # type: ignore[no-untyped-def]
    entry = install_autostart(True, command="/opt/elsewhere/vigie --minimized")
    opened = SettingsDialog(core, threaded_bridge)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(opened.autostart.isEnabled, timeout=WAIT_MS)
    assert opened.autostart.isChecked()
    with qtbot.waitSignal(opened.accepted, timeout=WAIT_MS):
        opened.save()
    assert "/opt/elsewhere/vigie" in entry.read_text(encoding="utf-8")

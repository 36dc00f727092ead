"""Spike alerts reach the tray: a planted spike found after a poll (on the poll's thread) becomes a tray message
through the relay and the notifier, as the app wires them (app.wire_scheduling); quiet hours and the pause hold it
back, and a spike still on at the next poll gives no second message."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from monitor.core.polling.poller import PollResult
from monitor.core.signals.spikes import SpikeWatch
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso
from monitor.ui.notifier import Notifier
from monitor.ui.polling import PollRelay
from tests.core.signals.test_spikes import NOW, Clock, _publish, _watch
from tests.ui.test_notifier_fallback import FakeTray, Window


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "vigie.sqlite3")
    # PNACO: about one article a day for two weeks, then seven in the last hour.
    _publish(store, "PNACO", [NOW - timedelta(days=d, hours=3) for d in range(1, 15)])
    _publish(store, "PNACO", [NOW - timedelta(minutes=5 * k + 1) for k in range(7)])
    yield store
    store.close()


def _tray_messages(qtbot: QtBot, watch: SpikeWatch) -> list[tuple[str, str]]:
    """Poll ends on a worker thread; the relay and the notifier, wired as the app wires them, show what comes."""
    window = Window()
    qtbot.addWidget(window)
    trays: list[FakeTray] = []
    notifier = Notifier(
        window, tray_available=lambda: True, tray_factory=lambda p: trays.append(FakeTray(p)) or trays[-1]
    )
    notifier.show_initial()
    relay = PollRelay(None, parent=window, spikes=watch.check)
    relay.notification.connect(notifier.notify)
    worker = threading.Thread(target=relay.callbacks().on_poll_finished, args=(PollResult(1, iso(NOW)),))
    with qtbot.waitSignal(relay.poll_finished, timeout=5000):
        worker.start()
        worker.join()
    qtbot.wait(50)  # a notification is delivered after poll_finished
    return trays[0].messages if trays else []


def test_a_spike_becomes_one_tray_message(qtbot: QtBot, store: Store) -> None:
    clock = Clock(NOW)
    watch = _watch(store, clock)
    messages = _tray_messages(qtbot, watch)
    assert len(messages) == 1
    title, body = messages[0]
    assert title == "Spike: PNACO"
    assert body.startswith("PNACO: 7 items in the last hour, usually")
    clock.now = NOW + timedelta(minutes=15)  # the next poll, the spike still on: no second message
    assert _tray_messages(qtbot, watch) == []


@pytest.mark.parametrize("held", ["quiet hours", "pause"])
def test_quiet_hours_and_the_pause_keep_it_from_the_tray(qtbot: QtBot, store: Store, held: str) -> None:
    clock = Clock(NOW)
    if held == "quiet hours":
        start, end = (NOW - timedelta(hours=1)).astimezone(UTC), (NOW + timedelta(hours=1)).astimezone(UTC)
        watch = _watch(store, clock, quiet_hours_start=f"{start:%H:%M}", quiet_hours_end=f"{end:%H:%M}")
    else:
        watch = _watch(store, clock)
        watch._alerts.pause(timedelta(hours=2))
    assert _tray_messages(qtbot, watch) == []
    assert [r.shown for r in watch.log()] == [False]  # found and logged, held back

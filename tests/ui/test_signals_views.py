"""The signals in the window: the timeline (from the sidebar and the reader's chips; a clicked bar filters the
list), emerging names (Add and Dismiss), the spike mark in the sidebar and spike notifications from the poll
relay. Store reads stay off the GUI thread."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from PySide6.QtCore import QUrl

from monitor.core.matching.watchlist import Entry
from monitor.core.models import ParsedItem
from monitor.core.polling.alerts import Notification
from monitor.core.polling.poller import PollResult
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso, utc_now
from monitor.ui.main_window import MainWindow
from monitor.ui.polling import PollRelay
from monitor.ui.sidebar_rows import SPIKE_MARK, sidebar_rows
from tests.ui.conftest import GuiThreadGuard, open_row, settle

RECENT = [
    "Amine Kessaci and the lawyer Karim Zeroual met on Monday in Marseille, said Karim Zeroual.",
    "The lawyer Karim Zeroual spoke for Amine Kessaci. Zeroual said the DZ Mafia threatened him.",
    "Karim Zeroual again: Amine Kessaci thanked him. The Ofast was there too.",
]


@pytest.fixture
def core(guarded_core: VigieCore, guard: GuiThreadGuard) -> VigieCore:
    """The guarded profile, its signals guarded too, with three recent highlighted items naming a new name."""
    guard.armed = False
    items = [
        ParsedItem(
            guid=f"r{i}",
            link=f"https://news.example/{i}",
            title=text.split(". ")[0][:80],
            summary="",
            content=text,
            content_html="",
            published=iso(utc_now() - timedelta(days=1, hours=i)),
        )
        for i, text in enumerate(RECENT)
    ]
    store = guarded_core.store
    feed, _ = store.add_feed("https://news.example/rss")
    pending = store.prepare(feed.url, items)
    assessed = [(p, guarded_core.matcher.assess(p.item.title, "", p.item.content)) for p in pending]
    assert all(a.highlighted for _, a in assessed)
    store.save_items(source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(utc_now()), poll_id=1)
    for name in ("timeline", "emerging", "dismiss_emerging", "spiking_entries"):
        guard.wrap(guarded_core.signals, name, f"signals.{name}")
    guard.armed = True
    return guarded_core


def test_timeline_from_the_sidebar_and_a_clicked_bar_filters_the_list(
    qtbot, window: MainWindow, guard: GuiThreadGuard
) -> None:
    window.sidebar.timeline_requested.emit("Amine Kessaci")
    dialog = window.signals.timeline
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: bool(dialog.rows), timeout=10000)
    assert dialog.checked() == ["Amine Kessaci"]
    assert sum(r.count for r in dialog.rows) == 3  # the last 30 days: the recent items, not the seeds
    dialog.span.setCurrentIndex(dialog.span.count() - 1)  # all time
    qtbot.waitUntil(lambda: sum(r.count for r in dialog.rows) > 3, timeout=10000)
    total = sum(r.count for r in dialog.rows)
    assert total == window.core.store.count(window.model.query.__class__(entry="Amine Kessaci"))
    busiest = max(dialog.rows, key=lambda r: r.count)
    assert dialog.chart.click_bar("Amine Kessaci", busiest.start)
    assert window.model.query.entry == "Amine Kessaci"
    assert window.model.query.since == busiest.start
    assert window.model.rowCount() == busiest.count
    dialog.by.setCurrentText("week")
    qtbot.waitUntil(lambda: dialog.rows and dialog.rows[0].start.endswith("T00:00:00+00:00"), timeout=10000)
    settle(qtbot, window)
    dialog.unit.setCurrentText("stories")  # the stories of those articles, once per week they are named in
    qtbot.waitUntil(lambda: "stories over" in dialog.note.text(), timeout=10000)
    guard.armed = False
    stories = window.core.store.conn.execute(
        """SELECT count(DISTINCT date(e.published, '-6 days', 'weekday 1') || a.story) FROM article_entries e
           JOIN articles a ON a.id = e.article_id WHERE e.entry = 'Amine Kessaci' AND a.story IS NOT NULL"""
    ).fetchone()[0]
    assert stories > 0 and sum(r.count for r in dialog.rows) == stories
    assert guard.calls == []


def test_a_reader_chip_opens_the_timeline_of_its_entry(qtbot, window: MainWindow) -> None:
    window.signals.show_period("Amine Kessaci", "2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00")
    open_row(qtbot, window, 0)
    window.reader.anchorClicked.emit(QUrl("vigie-entry:Amine%20Kessaci"))
    assert window.signals.timeline is not None
    assert window.signals.timeline.checked() == ["Amine Kessaci"]
    assert window.signals.act_timeline.shortcut().toString() == "Ctrl+Shift+T"


def test_emerging_names_add_and_dismiss(qtbot, window: MainWindow, guard: GuiThreadGuard) -> None:
    dialog = window.signals.open_emerging()
    qtbot.waitUntil(lambda: bool(dialog.names), timeout=10000)
    names = [n.name for n in dialog.names]
    assert names[0] == "Karim Zeroual"
    assert "Zeroual" in dialog.names[0].aliases
    assert (
        "Karim Zeroual" in dialog.evidence.toPlainText() and "Amine Kessaci" in dialog.evidence.toPlainText()
    )
    others = [n for n in dialog.names if n.name != "Karim Zeroual"]
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=20000):
        dialog.add_button.click()
    assert window.core.watchlist.get("Karim Zeroual") is not None
    settle(qtbot, window)
    assert window.core.store.count(window.model.query.__class__(entry="Karim Zeroual")) == 3
    if others:
        dialog.table.selectRow(0)
        gone = dialog.selected().name
        dialog.dismiss_button.click()
        settle(qtbot, window)
        assert gone in window.core.signals.dismissed_names()
    dialog.reload()
    settle(qtbot, window)
    assert "Karim Zeroual" not in [n.name for n in dialog.names]
    assert guard.calls == []


def test_spiking_entries_are_marked_in_the_sidebar() -> None:
    entries = [Entry("PNACO", "organisation"), Entry("Nicolas Bessone", "person")]
    rows = sidebar_rows({}, [], {}, entries, {}, spiking={"PNACO"})
    labels = {r.target.entry: r.label for r in rows.watched}
    assert labels == {"PNACO": f"PNACO {SPIKE_MARK}", "Nicolas Bessone": "Nicolas Bessone"}


def test_the_relay_delivers_spike_notifications_after_the_poll(qtbot) -> None:
    spike = Notification("Spike: PNACO", "PNACO: 7 items in the last hour, usually under 1 a day", [1, 2])
    threads: list[threading.Thread] = []

    def check() -> list[Notification]:
        threads.append(threading.current_thread())
        return [spike]

    relay = PollRelay(None, spikes=check)
    worker = threading.Thread(
        target=relay.callbacks().on_poll_finished, args=(PollResult(poll_id=3, started=iso(utc_now())),)
    )
    with qtbot.waitSignal(relay.notification, timeout=5000) as caught:
        worker.start()
        worker.join()
    assert caught.args == [spike]
    assert threads == [worker]  # decided on the poll's thread, never the GUI's


def test_names_stored_before_the_index_are_caught_up_off_the_gui_thread(
    qtbot, window: MainWindow, guard: GuiThreadGuard
) -> None:
    signals = window.core.signals
    guard.armed = False
    window.core.store.conn.execute("DELETE FROM names_indexed")
    missing = signals.names_to_index()
    assert missing >= 3
    guard.wrap(signals, "index_names", "signals.index_names")
    guard.armed = True
    messages: list[str] = []
    window.status.bar.messageChanged.connect(messages.append)
    window.signals.catch_up_names()
    qtbot.waitUntil(lambda: any("Names indexed" in m for m in messages), timeout=20000)
    assert f"{missing:,} articles" in messages[-1]
    assert any(f"of {missing:,} highlighted articles" in m for m in messages)  # progress on the way
    assert guard.calls == []
    guard.armed = False
    assert signals.names_to_index() == 0

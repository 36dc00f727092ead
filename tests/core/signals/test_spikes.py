"""Spike alerts on planted and flat series, with a fake clock: one notification per spike, none on noise,
none during quiet hours or a pause; the Poisson tail against known values."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.matching.watchlist import Entry, Watchlist
from monitor.core.models import Assessment, Match, ParsedItem
from monitor.core.polling.alerts import AlertPolicy
from monitor.core.settings import Settings
from monitor.core.signals.spikes import SpikeWatch, poisson_tail
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
WATCHED = Watchlist((Entry("Nicolas Bessone", "person"), Entry("PNACO", "organisation")))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    """An empty store on each engine in turn (tests/pg_server.py)."""
    return open_store()


_serial = iter(range(1_000_000))


def _publish(store: Store, entry: str, moments: list[datetime]) -> None:
    """Articles naming `entry`, published at `moments` (as the poller stores them)."""
    feed, _ = store.add_feed("https://a.example/rss")
    items = []
    for moment in moments:
        n = next(_serial)
        items.append(
            ParsedItem(
                guid=f"item-{n}",
                link=f"https://a.example/{n}",
                title=f"{entry} {n}",
                summary="",
                content="",
                content_html="",
                published=iso(moment),
            )
        )
    pending = store.prepare(feed.url, items)
    match = (Match(entry, "person", "title", 0, len(entry), entry),)
    assessed = [(p, Assessment(matches=match, score=5.0, highlighted=True)) for p in pending]
    store.save_items(source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(NOW), poll_id=1)


def _watch(store: Store, clock: Clock, **settings: object) -> SpikeWatch:
    current = Settings(**settings)  # type: ignore[arg-type]
    policy = AlertPolicy(store, current, clock=clock, tz=UTC)
    return SpikeWatch(store, lambda: WATCHED, lambda: current, policy, clock=clock)


def _flat(rate_per_day: float, days: int, rng: random.Random) -> list[datetime]:
    """A Poisson series: about `rate_per_day` articles a day over `days` days before NOW."""
    moments, t = [], NOW - timedelta(days=days)
    while True:
        t += timedelta(days=rng.expovariate(rate_per_day))
        if t >= NOW:
            return moments
        moments.append(t)


def test_poisson_tail_matches_the_closed_form() -> None:
    for rate in (0.01, 0.5, 3.0, 40.0):
        for count in (1, 2, 5, 12, 60):
            closed = 1 - sum(math.exp(-rate) * rate**i / math.factorial(i) for i in range(count))
            assert poisson_tail(count, rate) == pytest.approx(closed, rel=1e-6, abs=1e-15)
    assert poisson_tail(0, 2.0) == 1.0
    assert 0 < poisson_tail(400, 1.0) < 1e-300 or poisson_tail(400, 1.0) == 0.0


def test_a_planted_spike_gives_one_notification_and_a_log_line(store: Store) -> None:
    rng = random.Random(3)
    _publish(store, "Nicolas Bessone", _flat(0.5, 15, rng))  # about one article every other day
    _publish(store, "Nicolas Bessone", [NOW - timedelta(minutes=m) for m in (2, 9, 17, 25, 33, 41)])
    clock = Clock(NOW)
    watch = _watch(store, clock)
    notes = watch.check()
    assert len(notes) == 1
    assert notes[0].body.startswith("Nicolas Bessone: 6 items in the last hour, usually under 1 a day")
    assert len(notes[0].article_ids) == 6
    assert watch.spiking_entries() == {"Nicolas Bessone"}
    # The next polls in the same spike say nothing more.
    clock.now = NOW + timedelta(minutes=15)
    assert watch.check() == []
    [record] = watch.log()
    assert record.entry == "Nicolas Bessone" and record.shown and "6 items in the last hour" in record.line()
    # Once the spike is over, it is no longer marked; a new one later notifies again.
    clock.now = NOW + timedelta(days=3)
    assert watch.check() == []
    assert watch.spiking_entries() == set()
    _publish(store, "Nicolas Bessone", [clock.now - timedelta(minutes=m) for m in range(1, 50, 7)])
    assert len(watch.check()) == 1


def test_a_window_standing_by_is_told_of_the_spikes_the_holder_logged_after_its_first_look(
    store: Store,
) -> None:
    clock = Clock(NOW)
    holder, standby = _watch(store, clock), _watch(store, clock)
    seen, notes = standby.notes_since(None)  # the first look: nothing logged yet, nothing to show
    assert (seen, notes) == ("", [])
    _publish(store, "PNACO", [NOW - timedelta(minutes=m) for m in range(1, 60, 6)])
    assert len(holder.check()) == 1
    seen, notes = standby.notes_since(seen)
    assert [n.title for n in notes] == ["Spike: PNACO"]
    assert notes[0].body.startswith("PNACO: 10 items in the last hour") and len(notes[0].article_ids) == 10
    assert standby.notes_since(seen) == (seen, [])  # told once
    # A window opened later takes the log as it finds it: the spike already shown is not shown again.
    assert _watch(store, clock).notes_since(None) == (seen, [])
    # The standby's own quiet hours hold the holder's next spike back.
    quiet = _watch(store, clock, quiet_hours_start="13:00", quiet_hours_end="15:00")
    clock.now = NOW + timedelta(days=3)
    holder.check()  # the PNACO spike is over
    _publish(store, "Nicolas Bessone", [clock.now - timedelta(minutes=m) for m in range(1, 50, 7)])
    clock.now += timedelta(minutes=1)
    assert len(holder.check()) == 1
    assert quiet.notes_since(seen)[1] == []
    assert [n.title for n in standby.notes_since(seen)[1]] == ["Spike: Nicolas Bessone"]


def test_flat_series_give_no_alert(store: Store) -> None:
    rng = random.Random(11)
    _publish(store, "Nicolas Bessone", _flat(30, 16, rng))  # busy but steady: about 30 a day
    _publish(store, "PNACO", _flat(2, 16, rng))
    clock = Clock(NOW)
    watch = _watch(store, clock, spike_sensitivity="high")
    for hour in range(48):  # two days of hourly polls over the noise
        clock.now = NOW - timedelta(hours=48 - hour)
        assert watch.check() == [], clock.now
    assert watch.log() == []


@pytest.mark.parametrize(
    "settings",
    [
        {"quiet_hours_start": "13:00", "quiet_hours_end": "15:00"},
        {"notifications": False},
    ],
)
def test_no_spike_notification_while_held_back_nor_after(store: Store, settings: dict) -> None:
    _publish(store, "PNACO", [NOW - timedelta(minutes=m) for m in range(1, 60, 6)])
    clock = Clock(NOW)
    watch = _watch(store, clock, **settings)
    assert watch.check() == []
    [record] = watch.log()
    assert not record.shown and record.held
    clock.now = NOW + timedelta(minutes=50)  # quiet hours over, the same spike still on: still nothing
    assert watch.check() == []


def test_a_pause_holds_spikes_back_and_off_switches_them_off(store: Store) -> None:
    _publish(store, "PNACO", [NOW - timedelta(minutes=m) for m in range(1, 60, 6)])
    clock = Clock(NOW)
    watch = _watch(store, clock)
    watch._alerts.pause(timedelta(hours=2))
    assert watch.check() == []
    assert watch.log()[0].held == "alerts are paused"
    off = _watch(store, clock, spike_sensitivity="off")
    assert off.current_spikes() == []


def test_vigie_alerts_list_prints_the_spikes(data_dir: Path, database: str | None, capsys) -> None:
    from monitor.cli import main
    from monitor.core.service import VigieCore
    from monitor.core.support.clock import utc_now
    from monitor.paths import AppPaths

    core = VigieCore(AppPaths(data_dir), database=database)
    try:
        _publish(core.store, "PNACO", [utc_now() - timedelta(minutes=m) for m in range(1, 60, 6)])
        assert len(core.signals.check_spikes()) == 1
    finally:
        core.close()
    capsys.readouterr()
    assert main(["alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert "spike  PNACO: 10 items in the last hour, usually under 1 a day; notified" in out
    assert main(["alerts", "list", "--format", "jsonl"]) == 0
    assert '"type": "spike", "at"' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["alerts", "list", "--format", "xml"])


def test_the_headless_service_logs_each_new_spike_after_a_poll(store: Store, caplog) -> None:
    from monitor.core.polling.headless import logging_callbacks
    from monitor.core.polling.poller import PollResult

    _publish(store, "PNACO", [NOW - timedelta(minutes=m) for m in range(1, 60, 6)])
    clock = Clock(NOW)
    watch = _watch(store, clock)
    finished = logging_callbacks(None, watch.check).on_poll_finished
    with caplog.at_level("INFO", logger="monitor.core.polling.headless"):
        finished(PollResult(poll_id=1, started=iso(NOW)))
        clock.now = NOW + timedelta(minutes=10)
        finished(PollResult(poll_id=2, started=iso(clock.now)))  # the same spike: not logged again
    lines = [r.getMessage() for r in caplog.records if "PNACO" in r.getMessage()]
    assert len(lines) == 1 and "PNACO: 10 items in the last hour" in lines[0]
    assert watch.spiking_entries() == {"PNACO"}  # kept in the store: every window's sidebar marks it

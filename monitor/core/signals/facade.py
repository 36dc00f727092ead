"""What VigieCore offers of signals: one object holding the store, the watchlist, the settings and the clock,
so the front door (service.py) wires it in one line and the CLI and the window call the same methods."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.core.matching.watchlist import Watchlist
from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.settings import Settings
from monitor.core.signals.cooccurrence import CoOccurrence, cooccurrence
from monitor.core.signals.emerging import DISMISSED_KEY, EmergingName, emerging_names, load_dismissed
from monitor.core.signals.spikes import SpikeRecord, SpikeWatch
from monitor.core.signals.timeline import TimelineRow, parse_since, timeline
from monitor.core.storage.name_index import index_missing, missing_count
from monitor.core.support.clock import Clock, utc_now

if TYPE_CHECKING:
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)


class Signals:
    """Timelines, spikes and emerging names of one profile (the window calls these on its task runner)."""

    def __init__(
        self,
        store: Store,
        watchlist: Callable[[], Watchlist],
        settings: Callable[[], Settings],
        alerts: AlertPolicy,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._watchlist = watchlist
        self._clock = clock
        self.spikes = SpikeWatch(store, watchlist, settings, alerts, clock=clock)

    def timeline(
        self,
        names: Sequence[str],
        *,
        by: str = "day",
        since: str | None = None,
        until: str | None = None,
        unit: str = "articles",
    ) -> list[TimelineRow]:
        """How many articles (or stories, `unit`) name each entry per period (see signals.timeline)."""
        return timeline(
            self._store.conn, self._watchlist(), names, by=by, since=since, until=until, unit=unit
        )

    def cooccurrence(self, since: str | None = None, until: str | None = None) -> CoOccurrence:
        """Which watched entries appear together in the articles of [since, until) (see signals.cooccurrence)."""
        return cooccurrence(self._store.conn, self._watchlist(), since=since, until=until)

    def check_spikes(self) -> list[Notification]:
        """After a poll: a notification per new spike (quiet hours and the pause hold them back)."""
        return self.spikes.check()

    def spike_notes_since(self, since: str | None) -> tuple[str | None, list[Notification]]:
        """A standby window's spike notifications: those another process logged after `since` (SpikeWatch)."""
        return self.spikes.notes_since(since)

    def emerging(self, since: str | None = None) -> list[EmergingName]:
        """The emerging names of the highlighted articles since `since` (default: four weeks), best first."""
        dismissed = load_dismissed(self._store.get_meta(DISMISSED_KEY))
        return emerging_names(
            self._store.conn, self._watchlist(), self._clock(), since=parse_since(since), dismissed=dismissed
        )

    def index_names(
        self,
        on_progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> int:
        """Index the names of the highlighted articles the name index lacks (those stored before schema 16),
        newest first; returns how many. The window runs it on its task runner after opening a profile. Not on
        PostgreSQL: the service indexes as it stores, and emerging names catch up the articles of their period
        (every window of a team catching up a whole shared store at once would only compete)."""
        if not self._store.dialect.is_sqlite:
            return 0
        return index_missing(self._store.conn, on_progress, should_stop=should_stop)

    def names_to_index(self) -> int:
        """How many highlighted articles the name index lacks (0 on PostgreSQL: see index_names)."""
        return missing_count(self._store.conn) if self._store.dialect.is_sqlite else 0

    def dismiss_emerging(self, name: str) -> None:
        """Never propose `name` again (kept in the profile)."""
        dismissed = load_dismissed(self._store.get_meta(DISMISSED_KEY))
        if name not in dismissed:
            self._store.set_meta(DISMISSED_KEY, json.dumps([*dismissed, name], ensure_ascii=False))

    def dismissed_names(self) -> list[str]:
        return load_dismissed(self._store.get_meta(DISMISSED_KEY))

    def spiking_entries(self) -> set[str]:
        return self.spikes.spiking_entries()

    def spike_log(self, now: datetime | None = None) -> list[SpikeRecord]:
        return self.spikes.log(now)

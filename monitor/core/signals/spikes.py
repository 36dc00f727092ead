"""Spike alerts: an entry suddenly named far more than usual.

For each watchlist entry, its articles of the last hour and of the last day are compared with its own
baseline: the same window over the previous 14 days. A window spikes when its count reaches a minimum, is a
multiple of the expected count, and the Poisson tail P(X >= count) under the baseline rate is below a
threshold (small counts are the rule here: a normal approximation would fire on noise). The sensitivity
setting chooses the three figures.

One notification per spike: an entry that spikes is remembered as spiking (meta ``spikes_active``) until
neither window spikes any more, so the polls in between give nothing. Quiet hours, the pause and the
notifications switch apply as to item alerts (AlertPolicy.held_reason); a spike held back is remembered as
notified (it does not fire when the quiet hours end). Every spike is logged (meta ``spikes_log``, 30 days) for
`vigie alerts list`.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.core.matching.watchlist import Watchlist
from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.settings import Settings
from monitor.core.storage.signal_counts import WindowCounts, article_ids_in, window_counts
from monitor.core.support.clock import Clock, iso, utc_now

if TYPE_CHECKING:
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

ACTIVE_KEY = "spikes_active"
LOG_KEY = "spikes_log"
BASELINE_DAYS = 14
LOG_DAYS = 30


@dataclass(frozen=True)
class Sensitivity:
    """When a window spikes: at least `min_hour` (`min_day`) articles, at least `ratio` times the expected
    count, and a Poisson tail below `alpha`."""

    min_hour: int
    min_day: int
    ratio: float
    alpha: float


SENSITIVITIES = {
    "low": Sensitivity(min_hour=8, min_day=12, ratio=4.0, alpha=1e-6),
    "normal": Sensitivity(min_hour=5, min_day=8, ratio=3.0, alpha=1e-4),
    "high": Sensitivity(min_hour=3, min_day=5, ratio=2.0, alpha=1e-3),
}


def poisson_tail(count: int, rate: float) -> float:
    """P(X >= count) for X ~ Poisson(rate), in pure Python: the terms from `count` upwards are summed in
    log space (no underflow for large counts, no cancellation for small tails)."""
    if count <= 0:
        return 1.0
    if rate <= 0:
        return 0.0
    log_term = -rate + count * math.log(rate) - math.lgamma(count + 1)
    term = math.exp(log_term)
    total = term
    i = count
    while term > total * 1e-17 and i < count + 10_000:
        i += 1
        term *= rate / i
        total += term
    return min(1.0, total)


@dataclass(frozen=True)
class Spike:
    """An entry's spike: `count` articles in the last `window` ("hour" or "day") against `expected`, with the
    usual articles per day over the baseline."""

    entry: str
    window: str
    count: int
    expected: float
    per_day: float
    p_value: float

    def words(self) -> str:
        """ "Nicolas Bessone: 6 items in the last hour, usually under 1 a day"."""
        usual = "under 1 a day" if self.per_day < 1 else f"about {self.per_day:.0f} a day"
        plural = "s" if self.count != 1 else ""
        return f"{self.entry}: {self.count} item{plural} in the last {self.window}, usually {usual}"


def detect_spikes(counts: Sequence[WindowCounts], sensitivity: Sensitivity) -> list[Spike]:
    """The spiking windows of each entry (the hour before the day when both spike), strongest first."""
    spikes: list[Spike] = []
    for c in counts:
        per_day = c.before_day / BASELINE_DAYS
        # Half an article over the baseline stands in for an entry never named before: a rate of 0 would
        # make any single article infinitely surprising.
        hour_rate = (c.before_hour + 0.5) / (BASELINE_DAYS * 24)
        day_rate = (c.before_day + 0.5) / BASELINE_DAYS
        for window, count, rate, minimum in (
            ("hour", c.last_hour, hour_rate, sensitivity.min_hour),
            ("day", c.last_day, day_rate, sensitivity.min_day),
        ):
            if count < minimum or count < sensitivity.ratio * rate:
                continue
            p_value = poisson_tail(count, rate)
            if p_value < sensitivity.alpha:
                spikes.append(Spike(c.entry, window, count, rate, per_day, p_value))
                break
    spikes.sort(key=lambda s: (s.p_value, s.entry))
    return spikes


@dataclass(frozen=True)
class SpikeRecord:
    """One logged spike: when it was found, what it said, whether it was shown (or why it was held)."""

    at: str
    entry: str
    window: str
    count: int
    per_day: float
    shown: bool
    held: str = ""

    def words(self) -> str:
        """What its notification said (Spike.words)."""
        return Spike(self.entry, self.window, self.count, 0.0, self.per_day, 1.0).words()

    def line(self) -> str:
        state = "notified" if self.shown else f"held back ({self.held})"
        usual = "under 1 a day" if self.per_day < 1 else f"about {self.per_day:.0f} a day"
        return (
            f"{self.at}  spike  {self.entry}: {self.count} items in the last {self.window}, usually {usual}; "
            f"{state}"
        )


class SpikeWatch:
    """Finds spikes after each poll and decides which become notifications (one per spike).

    Args:
        store: the articles' counts and this watch's memory (meta table).
        watchlist: the current watchlist, or a function returning it.
        settings: the current settings, or a function returning them.
        alerts: the item alerts' policy: its quiet hours, pause and switch apply to spikes too.
    """

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
        self._settings = settings
        self._alerts = alerts
        self._clock = clock
        self._lock = threading.Lock()

    def current_spikes(self, now: datetime | None = None) -> list[Spike]:
        """The entries spiking at `now` (default: the clock), strongest first; [] when switched off."""
        chosen = self._settings().spike_sensitivity
        sensitivity = SENSITIVITIES.get(chosen)
        if sensitivity is None:
            if chosen != "off":
                log.warning("spike_sensitivity %r is not off, low, normal or high: no spike alerts", chosen)
            return []
        moment = now or self._clock()
        names = [e.name for e in self._watchlist().entries]
        counts = window_counts(
            self._store.conn,
            names,
            now=iso(moment),
            hour_ago=iso(moment - timedelta(hours=1)),
            day_ago=iso(moment - timedelta(days=1)),
            hour_baseline_start=iso(moment - timedelta(hours=1) - timedelta(days=BASELINE_DAYS)),
            day_baseline_start=iso(moment - timedelta(days=1 + BASELINE_DAYS)),
        )
        return detect_spikes(counts, sensitivity)

    def check(self) -> list[Notification]:
        """After a poll: one notification per new spike (none while held back); ends the spikes that are
        over. Call it on the poll's thread, never on the GUI thread."""
        now = self._clock()
        spikes = self.current_spikes(now)
        held = self._alerts.held_reason()
        notifications: list[Notification] = []
        with self._lock:
            active = self._active()
            spiking = {s.entry for s in spikes}
            still = {entry: since for entry, since in active.items() if entry in spiking}
            new = [s for s in spikes if s.entry not in still]
            records = []
            for spike in new:
                still[spike.entry] = iso(now)
                records.append(
                    SpikeRecord(
                        iso(now), spike.entry, spike.window, spike.count, spike.per_day, not held, held
                    )
                )
                if not held:
                    notifications.append(self._notification(spike.entry, spike.window, spike.words(), now))
            self._store.set_meta(ACTIVE_KEY, json.dumps(still, ensure_ascii=False))
            if records:
                self._save_log(self.log(now) + records, now)
        if new:
            log.info(
                "%d new spikes (%s)%s", len(new), ", ".join(s.entry for s in new), f"; {held}" * bool(held)
            )
        return notifications

    def notes_since(self, since: str | None) -> tuple[str | None, list[Notification]]:
        """For a window standing by while another process polls: the spikes that process logged after `since`
        (the newest `at` this window saw; None for the first look, which only sets it), as notifications under
        this window's own rules (quiet hours, pause). Returns the newest `at` seen and the notifications."""
        now = self._clock()
        records = self.log(now)
        newest = max((r.at for r in records), default=since or "")  # "": looked, nothing logged yet
        if since is None:
            return newest, []
        fresh = [r for r in records if r.at > since]
        if not fresh or self._alerts.held_reason():
            return newest, []
        return newest, [self._notification(r.entry, r.window, r.words(), now) for r in fresh]

    def spiking_entries(self) -> set[str]:
        """The entries whose spike is still on (the sidebar marks them)."""
        return set(self._active())

    def log(self, now: datetime | None = None) -> list[SpikeRecord]:
        """The spikes of the last 30 days, oldest first."""
        oldest = iso((now or self._clock()) - timedelta(days=LOG_DAYS))
        try:
            rows = json.loads(self._store.get_meta(LOG_KEY, "[]") or "[]")
            records = [SpikeRecord(**row) for row in rows if isinstance(row, dict)]
        except (TypeError, ValueError):
            log.warning("the spike log is unreadable; starting afresh")
            return []
        return [r for r in records if r.at >= oldest]

    def _save_log(self, records: list[SpikeRecord], now: datetime) -> None:
        oldest = iso(now - timedelta(days=LOG_DAYS))
        rows = [asdict(r) for r in records if r.at >= oldest]
        self._store.set_meta(LOG_KEY, json.dumps(rows, ensure_ascii=False))

    def _active(self) -> dict[str, str]:
        try:
            value = json.loads(self._store.get_meta(ACTIVE_KEY, "{}") or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    def _notification(self, entry: str, window: str, words: str, now: datetime) -> Notification:
        span = timedelta(hours=1) if window == "hour" else timedelta(days=1)
        try:
            ids = article_ids_in(self._store.conn, entry, iso(now - span), None, limit=50)
        except sqlite3.Error:
            log.exception("listing the articles of %s's spike failed", entry)
            ids = []
        return Notification(title=f"Spike: {entry}", body=words, article_ids=ids)

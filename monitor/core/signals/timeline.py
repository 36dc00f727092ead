"""The timeline: how many articles name each watchlist entry, per hour, day or week of publication, or how many
stories (core.stories groups the articles reporting one event) have such articles in each period.
"""

from __future__ import annotations

import difflib
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.matching.watchlist import Watchlist
from monitor.core.storage.signal_counts import counts_by_period, story_counts_by_period
from monitor.core.support.clock import iso, parse_iso

log = logging.getLogger(__name__)

PERIODS = ("hour", "day", "week")
PERIOD_LENGTH = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}

Counter = Callable[
    [sqlite3.Connection, Sequence[str], str, str | None, str | None], list[tuple[str, str, int]]
]
# What a timeline counts.
COUNTERS: dict[str, Counter] = {"articles": counts_by_period, "stories": story_counts_by_period}
UNITS = tuple(COUNTERS)


@dataclass(frozen=True)
class TimelineRow:
    """How many articles (or stories) name `entry` in the period starting at `start` (UTC ISO 8601)."""

    entry: str
    start: str
    count: int

    def to_dict(self) -> dict[str, object]:
        return {"entry": self.entry, "period_start": self.start, "count": self.count}


def resolve_entries(watchlist: Watchlist, names: Sequence[str]) -> list[str]:
    """The watchlist names meant by `names` (accents and case aside), in order, without repeats. An unknown
    name raises UserError listing the closest entry names."""
    by_key = {fold_key(e.name): e.name for e in watchlist.entries}
    found: list[str] = []
    for name in names:
        if not name.strip():
            raise UserError("an entry name is empty (`vigie watchlist list` shows them)")
        key = fold_key(name)
        if key not in by_key:
            raise UserError(f"no watchlist entry {name.strip()!r}{close_names_hint(key, by_key)}")
        if by_key[key] not in found:
            found.append(by_key[key])
    return found


def close_names_hint(key: str, by_key: dict[str, str]) -> str:
    """ "; close names: 'A', 'B'" (or a pointer to the list when none is close)."""
    close = difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.5)
    # A name that contains what was typed ("bessone" for "Nicolas Bessone") is close whatever the ratio.
    close += [k for k in by_key if key and key in k and k not in close][: 5 - len(close)]
    if not close:
        return " (`vigie watchlist list` shows them)"
    return "; close names: " + ", ".join(repr(by_key[k]) for k in close)


def parse_since(value: str | None) -> str | None:
    """An ISO date or date-time ("2026-11-30", "2026-11-30T08:00") as the stored UTC form; UserError else."""
    if value is None or not value.strip():
        return None
    moment = parse_iso(value.strip())
    if moment is None:
        raise UserError(f"{value!r} is not an ISO date (write it as 2026-11-30 or 2026-11-30T08:00)")
    return iso(moment)


def period_end(start: str, by: str) -> str:
    """The end (exclusive) of the period starting at `start`."""
    moment = parse_iso(start) or datetime.now(UTC)
    return iso(moment + PERIOD_LENGTH[by])


def timeline(
    conn: sqlite3.Connection,
    watchlist: Watchlist,
    names: Sequence[str],
    *,
    by: str = "day",
    since: str | None = None,
    until: str | None = None,
    unit: str = "articles",
) -> list[TimelineRow]:
    """Rows (entry, period start, count) for each named entry, periods with no article left out; by entry in
    the order given, then by date. Raises UserError for an unknown entry, period, unit or date."""
    if by not in PERIODS:
        raise UserError(f"unknown period {by!r} (hour, day or week)")
    counter = COUNTERS.get(unit)
    if counter is None:
        raise UserError(f"cannot count {unit!r} (articles or stories)")
    entries = resolve_entries(watchlist, names)
    rows = counter(conn, entries, by, parse_since(since), parse_since(until))
    return [TimelineRow(entry, start, count) for entry, start, count in rows]

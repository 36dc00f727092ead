"""Who appears with whom: for a period, how many articles name each pair of watchlist entries together, and
how many name each entry at all (issue 17 item 4).

Counted from article_entry_pairs and the article_entries_timeline index, which ingest and re-score keep (schema
14), never from the articles' text: the whole matrix is two index scans at 200,000 articles.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from monitor.core.errors import UserError
from monitor.core.matching.watchlist import Watchlist
from monitor.core.signals.timeline import parse_since
from monitor.core.storage.signal_counts import mention_counts, pair_counts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pair:
    """Two watchlist entries (a before b in the watchlist's order) and how many articles name both."""

    a: str
    b: str
    articles: int

    def to_dict(self) -> dict[str, object]:
        return {"entry_a": self.a, "entry_b": self.b, "articles": self.articles}


@dataclass(frozen=True)
class CoOccurrence:
    """The co-occurrence of a period.

    Attributes:
        mentions: (entry, articles naming it) for each entry named at least once, most named first.
        pairs: the pairs named together at least once, most frequent first.
        since, until: the period's bounds as stored (UTC ISO), None when open.
    """

    mentions: tuple[tuple[str, int], ...]
    pairs: tuple[Pair, ...]
    since: str | None = None
    until: str | None = None

    def count(self, a: str, b: str) -> int:
        """How many articles name both `a` and `b` (0 when none does)."""
        for pair in self.pairs:
            if {pair.a, pair.b} == {a, b}:
                return pair.articles
        return 0

    def matrix(self) -> dict[tuple[str, str], int]:
        """Both orders of every pair, for a symmetric table."""
        cells: dict[tuple[str, str], int] = {}
        for pair in self.pairs:
            cells[(pair.a, pair.b)] = cells[(pair.b, pair.a)] = pair.articles
        return cells


def cooccurrence(
    conn: sqlite3.Connection, watchlist: Watchlist, *, since: str | None = None, until: str | None = None
) -> CoOccurrence:
    """Which entries of `watchlist` appear together in the articles dated in [since, until) (ISO dates; UserError
    for one that is not). Names an earlier watchlist counted but this one lacks are left out."""
    start, end = parse_since(since), parse_since(until)
    if start and end and start >= end:
        raise UserError(f"the period is empty: {since} is not before {until}")
    order = {e.name: i for i, e in enumerate(watchlist.entries)}
    named = mention_counts(conn, start, end)
    mentions = sorted(((e, n) for e, n in named.items() if e in order), key=lambda m: (-m[1], order[m[0]]))
    pairs = []
    for a, b, count in pair_counts(conn, start, end):
        if a in order and b in order:
            first, second = (a, b) if order[a] < order[b] else (b, a)
            pairs.append(Pair(first, second, count))
    pairs.sort(key=lambda p: (-p.articles, order[p.a], order[p.b]))
    log.debug("co-occurrence: %d entries named, %d pairs", len(mentions), len(pairs))
    return CoOccurrence(tuple(mentions), tuple(pairs), start, end)

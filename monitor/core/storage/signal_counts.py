"""Counts of the articles naming each watchlist entry, by date: the timeline, the spike windows, co-mentions.

Every count here is read from the article_entries_timeline index (entry, published) alone (schema 13): an
article's date is copied beside each entry it names, so no query reads the wide article rows.

The SQL is SQLite's and runs on PostgreSQL too: the connection adapter (pg.py `translate`) drops the INDEXED BY
hints and writes the week's start with PostgreSQL's date functions.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.core.storage.pg_search import search_ids

log = logging.getLogger(__name__)

# How each period's start is written from the stored UTC ISO date ("2026-12-06T09:41:00+00:00"). A week
# starts on Monday: six days back, then forward to the next Monday (the same day when it is one).
PERIOD_SQL = {
    "hour": "substr(published, 1, 13) || ':00:00+00:00'",
    "day": "substr(published, 1, 10) || 'T00:00:00+00:00'",
    "week": "date(published, '-6 days', 'weekday 1') || 'T00:00:00+00:00'",
}
_CHUNK = 400  # entries per query, below SQLite's host-parameter limit
_COUNT_IF = "sum(CASE WHEN {} THEN 1 ELSE 0 END)"


@dataclass(frozen=True)
class WindowCounts:
    """One entry's articles in the spike windows ending now (the last hour, the last day) and in the baseline
    period before each."""

    entry: str
    last_hour: int
    last_day: int
    before_hour: int
    before_day: int


def counts_by_period(
    conn: sqlite3.Connection,
    entries: Sequence[str],
    by: str,
    since: str | None = None,
    until: str | None = None,
) -> list[tuple[str, str, int]]:
    """(entry, period start, count) for each entry and each period holding at least one of its articles,
    by entry (in the given order) then period; `since` and `until` bound the articles' dates [since, until)."""
    return _per_period(conn, entries, by, since, until, "count(*)", _TIMELINE)


_TIMELINE = "article_entries e INDEXED BY article_entries_timeline"


def story_counts_by_period(
    conn: sqlite3.Connection,
    entries: Sequence[str],
    by: str,
    since: str | None = None,
    until: str | None = None,
) -> list[tuple[str, str, int]]:
    """As counts_by_period, counting the stories (core.stories) of the articles naming each entry in each period:
    a story is counted once per period it has such articles in; articles not grouped yet count for nothing. The
    article_entries_timeline index gives the articles, the articles_story_of index (schema 16) their stories."""
    joined = f"{_TIMELINE} JOIN articles a INDEXED BY articles_story_of ON a.id = e.article_id"
    return _per_period(
        conn, entries, by, since, until, "count(DISTINCT a.story)", joined, "a.story IS NOT NULL"
    )


def _per_period(
    conn: sqlite3.Connection,
    entries: Sequence[str],
    by: str,
    since: str | None,
    until: str | None,
    count: str,
    source: str,
    *extra: str,
) -> list[tuple[str, str, int]]:
    """`count` over `source` (which names article_entries `e`) per entry and period: one index range per entry,
    so the rows come out in date order."""
    period = PERIOD_SQL[by].replace("published", "e.published")
    rows: list[tuple[str, str, int]] = []
    for entry in entries:
        clauses, args = ["e.entry = ?", "e.published IS NOT NULL", *extra], [entry]
        if since:
            clauses.append("e.published >= ?")
            args.append(since)
        if until:
            clauses.append("e.published < ?")
            args.append(until)
        where = " AND ".join(clauses)
        sql = f"SELECT {period} AS start, {count} FROM {source} WHERE {where} GROUP BY start ORDER BY start"
        rows.extend((entry, start, int(n)) for start, n in conn.execute(sql, args))
    return rows


def window_counts(
    conn: sqlite3.Connection,
    entries: Sequence[str],
    *,
    now: str,
    hour_ago: str,
    day_ago: str,
    hour_baseline_start: str,
    day_baseline_start: str,
) -> list[WindowCounts]:
    """Each entry's counts (ISO dates, as stored): the last hour [hour_ago, now], the last day [day_ago, now],
    and their baselines [hour_baseline_start, hour_ago) and [day_baseline_start, day_ago). Entries without an
    article in any of them are left out."""
    out: list[WindowCounts] = []
    oldest = min(hour_baseline_start, day_baseline_start)
    for start in range(0, len(entries), _CHUNK):
        chunk = list(entries[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        # CASE, not a sum of comparisons: PostgreSQL does not add up booleans.
        sql = f"""SELECT entry, {_COUNT_IF.format("published >= ?")}, {_COUNT_IF.format("published >= ?")},
                      {_COUNT_IF.format("published >= ? AND published < ?")},
                      {_COUNT_IF.format("published >= ? AND published < ?")}
                  FROM article_entries INDEXED BY article_entries_timeline
                  WHERE entry IN ({marks}) AND published >= ? AND published <= ?
                  GROUP BY entry"""
        args = [
            hour_ago,
            day_ago,
            hour_baseline_start,
            hour_ago,
            day_baseline_start,
            day_ago,
            *chunk,
            oldest,
            now,
        ]
        for entry, hour, day, before_h, before_d in conn.execute(sql, args):
            out.append(WindowCounts(entry, int(hour), int(day), int(before_h), int(before_d)))
    return out


def article_ids_in(
    conn: sqlite3.Connection, entry: str, since: str | None, until: str | None, limit: int = 1000
) -> list[int]:
    """The articles naming `entry` dated in [since, until), newest first."""
    clauses, args = ["entry = ?"], [entry]
    if since:
        clauses.append("published >= ?")
        args.append(since)
    if until:
        clauses.append("published < ?")
        args.append(until)
    sql = (
        "SELECT article_id FROM article_entries INDEXED BY article_entries_timeline "
        f"WHERE {' AND '.join(clauses)} ORDER BY published DESC LIMIT ?"
    )
    return [int(r[0]) for r in conn.execute(sql, [*args, limit])]


def entry_totals(conn: sqlite3.Connection, entries: Sequence[str]) -> dict[str, int]:
    """How many articles name each entry (entries without any are left out)."""
    totals: dict[str, int] = {}
    for entry in entries:
        row = conn.execute("SELECT count(*) FROM article_entries WHERE entry = ?", (entry,)).fetchone()
        if row[0]:
            totals[entry] = int(row[0])
    return totals


def articles_naming(conn: sqlite3.Connection, forms: Sequence[str]) -> int:
    """How many stored articles (any date, highlighted or not) contain one of `forms` as a phrase: the
    full-text index answers (SQLite's FTS5 table, PostgreSQL's vectors), no text is read."""
    phrases = [f.replace('"', " ").strip() for f in forms]
    query = " OR ".join(f'"{p}"' for p in phrases if p)
    if not query:
        return 0
    if not isinstance(conn, sqlite3.Connection):  # PostgreSQL: the search box's phrases, on articles_search
        found = search_ids(query)
        if found is None:
            return 0
        return int(conn.execute(f"SELECT count(*) FROM ({found[0]}) n", found[1]).fetchone()[0])
    try:
        return int(
            conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)).fetchone()[
                0
            ]
        )
    except sqlite3.OperationalError:  # a form FTS5 cannot parse counts as unknown
        log.debug("cannot count the articles naming %r", forms)
        return 0


def _dated(since: str | None, until: str | None) -> tuple[str, list[str]]:
    """The WHERE clause bounding `published` to [since, until) ("" when unbounded), and its arguments."""
    clauses, args = [], []
    if since:
        clauses.append("published >= ?")
        args.append(since)
    if until:
        clauses.append("published < ?")
        args.append(until)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), args


def pair_counts(conn: sqlite3.Connection, since: str | None, until: str | None) -> list[tuple[str, str, int]]:
    """(entry a, entry b, articles naming both) for every pair named together in an article dated in [since,
    until), with a < b: one scan of article_entry_pairs in key order (schema 15), no sort."""
    where, args = _dated(since, until)
    sql = f"SELECT entry_a, entry_b, count(*) FROM article_entry_pairs{where} GROUP BY entry_a, entry_b"
    return [(a, b, int(n)) for a, b, n in conn.execute(sql, args)]


def mention_counts(conn: sqlite3.Connection, since: str | None, until: str | None) -> dict[str, int]:
    """How many articles dated in [since, until) name each entry (the article_entries_timeline index alone)."""
    where, args = _dated(since, until)
    sql = f"SELECT entry, count(*) FROM article_entries INDEXED BY article_entries_timeline{where} GROUP BY entry"
    return {entry: int(n) for entry, n in conn.execute(sql, args)}

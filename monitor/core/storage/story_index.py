"""The story index (schema 11): the SQL side of grouping articles into stories (the logic is core.stories).

Grouping reads the articles still without a story, looks candidates up by key in a range of days, reads their
features, and writes each article's story, thread, features and keys. Every read is an indexed look-up, so
grouping a new article costs the same in a store of 2,000 or 200,000 articles.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.core.storage.db import transaction
from monitor.core.storage.engine import Dialect
from monitor.core.storage.story_rows import add_story_reports, refresh_stale_story_rows

log = logging.getLogger(__name__)

KEYS_PER_QUERY = 400  # host parameters per IN list: under SQLite's oldest limit of 999
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a duplicate key


@dataclass(frozen=True)
class UngroupedArticle:
    """An article grouping has not seen yet, with what grouping needs of it."""

    id: int
    title: str
    summary: str
    content: str
    lang: str | None
    at: float  # hours since the epoch: when it was published (or first seen, if later or unknown)
    entries: frozenset[str]


@dataclass(frozen=True)
class IndexedArticle:
    """A grouped article as the index keeps it: its features (encoded as text) and its story."""

    id: int
    at: float
    lang: str
    stems: str
    anchors: str
    sketch: str
    story: int
    thread: int


@dataclass(frozen=True)
class GroupedArticle:
    """What grouping decided for one article, ready to write."""

    id: int
    story: int
    thread: int
    new_story: bool
    at: float
    lang: str
    stems: str
    anchors: str
    sketch: str
    keys: tuple[tuple[str, int], ...]  # (key, day)
    counted: tuple[str, ...]  # keys whose article count grows by one
    related_seed: int | None = None  # of a new story: the seed article its first report is closest to


class StoryIndex:
    """Grouping's reads and writes (mixed into Store)."""

    conn: sqlite3.Connection
    dialect: Dialect  # the engine's (Store.dialect)

    def ungrouped(self, limit: int = 2_000) -> list[UngroupedArticle]:
        """Up to `limit` articles without a story, the most recently stored ones (a poll's new articles before
        the backlog of a store that predates stories), earliest first (the order grouping chains them in).

        The same SQL on PostgreSQL: the adapter (pg.py) drops the index hint and writes group_concat as string_agg;
        julianday is a function of the schema there (pg_schema_steps.py, v23)."""
        rows = self.conn.execute(
            """SELECT a.id, a.title, a.summary, a.content, a.lang,
                      (julianday(CASE WHEN a.published IS NULL OR a.published > a.first_seen
                                      THEN a.first_seen ELSE a.published END) - 2440587.5) * 24.0 AS at,
                      (SELECT group_concat(entry, char(9)) FROM article_entries e WHERE e.article_id = a.id)
                          AS entries
               FROM articles a WHERE a.id IN (SELECT id FROM articles INDEXED BY articles_ungrouped
                                   WHERE story IS NULL ORDER BY id DESC LIMIT ?)""",
            (limit,),
        ).fetchall()
        found = [
            UngroupedArticle(
                r["id"],
                r["title"],
                r["summary"],
                r["content"],
                r["lang"],
                float(r["at"] or 0.0),
                frozenset((r["entries"] or "").split("\t")) - {""},
            )
            for r in rows
        ]
        return sorted(found, key=lambda a: (a.at, a.id))

    def key_counts(self, keys: Iterable[str]) -> dict[str, int]:
        """How many grouped articles have each key (keys never seen are left out)."""
        wanted = list(keys)
        counts: dict[str, int] = {}
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            counts.update(self.conn.execute(f"SELECT key, n FROM story_df WHERE key IN ({marks})", chunk))
        pending = getattr(self, "_pending_grouping", None)
        if pending is not None and pending.counts:  # this batch's counts, not written yet
            for key in wanted:
                n = pending.counts.get(key)
                if n:
                    counts[key] = counts.get(key, 0) + n
        return counts

    def indexed_count(self) -> int:
        """About how many articles are grouped: the highest id among them (one seek, where count(*) reads the
        whole table at every poll's feed). Deleted articles make it a little high; it only scales weights."""
        self._flush_grouping()
        return int(self.conn.execute("SELECT coalesce(max(article_id), 0) FROM story_features").fetchone()[0])

    def articles_with_keys(
        self, ranges: Sequence[tuple[Sequence[str], int, int]], max_per_key: int
    ) -> list[tuple[int, str, int]]:
        """(range index, key, article id) for the grouped articles that have a key of a range on a day of that
        range; `ranges` are (keys, first day, last day). One statement for them all.

        A key that more than `max_per_key` articles have in its range says little about one event and would
        bring that many candidates: it is left out (SQLite counts its rows; none reach Python)."""
        rows, args = [], []
        for index, (keys, first_day, last_day) in enumerate(ranges):
            for key in list(keys)[: KEYS_PER_QUERY // 4]:
                rows.append("(?, ?, ?, ?)")
                args.extend([index, key, first_day, last_day])
        if not rows:
            return []
        self._flush_keys_read_by(ranges)
        # Each key is counted up to max_per_key + 1 rows only (LIMIT), so a key every article of the day has
        # costs no more than a rare one; the kept keys' rows are then read (CROSS JOIN: wanted keys outside).
        sql = f"""WITH wanted(part, key, first_day, last_day) AS (VALUES {", ".join(rows)}),
                       kept AS (SELECT * FROM wanted w WHERE (SELECT count(*) FROM (SELECT 1 FROM story_keys c
                                    WHERE c.key = w.key AND c.day BETWEEN w.first_day AND w.last_day LIMIT ?)
                                    AS hits) <= ?)
                  SELECT kept.part, kept.key, k.article_id FROM kept CROSS JOIN story_keys k
                  WHERE k.key = kept.key AND k.day BETWEEN kept.first_day AND kept.last_day"""
        return self.conn.execute(sql, (*args, max_per_key + 1, max_per_key)).fetchall()

    def key_rows(self, ranges: Sequence[tuple[Sequence[str], int, int]]) -> list[tuple[str, int, int]]:
        """(key, day, article id) of every grouped article that has a key of a range on a day of that range;
        `ranges` are (keys, first day, last day), a key in ranges of days apart (what a Grouper's KeyIndex
        keeps: core/stories/key_index.py). On PostgreSQL one statement of arrays for them all (each statement a
        round trip there, parsed and planned: a first poll read some 15 ranges a feed)."""
        found: list[tuple[str, int, int]] = []
        self._flush_keys_read_by(ranges)
        if not self.dialect.is_sqlite:
            keys = [key for wanted, _, _ in ranges for key in wanted]
            if keys:
                found.extend(
                    self.conn.execute(
                        "SELECT k.key, k.day, k.article_id FROM unnest(CAST(? AS text[]), CAST(? AS integer[]),"
                        " CAST(? AS integer[])) AS w(key, first_day, last_day)"
                        " JOIN story_keys k ON k.key = w.key AND k.day BETWEEN w.first_day AND w.last_day",
                        [
                            keys,
                            [first for wanted, first, _ in ranges for _ in wanted],
                            [last for wanted, _, last in ranges for _ in wanted],
                        ],
                    )
                )
            return found
        for keys, first_day, last_day in ranges:
            wanted = list(keys)
            for start in range(0, len(wanted), KEYS_PER_QUERY):
                chunk = wanted[start : start + KEYS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                found.extend(
                    self.conn.execute(
                        f"SELECT key, day, article_id FROM story_keys WHERE key IN ({marks}) AND day BETWEEN ? AND ?",
                        (*chunk, first_day, last_day),
                    )
                )
        return found

    def grouped_days(self, first_day: int, last_day: int) -> set[int]:
        """The days from `first_day` to `last_day` that have had grouped articles (story_days, schema 30: a
        day's articles may have gone since; a day is recorded as the day or the one after)."""
        rows = self.conn.execute(
            "SELECT day FROM story_days WHERE day BETWEEN ? AND ?", (first_day, last_day)
        )
        return {int(r[0]) for r in rows}

    def indexed_articles(self, ids: Iterable[int]) -> list[IndexedArticle]:
        wanted = list(ids)
        pending = getattr(self, "_pending_grouping", None)
        if pending is not None and not pending.ids.isdisjoint(wanted):
            self._flush_grouping()  # one of this batch's articles (the grouper keeps them decoded: rare)
        found: list[IndexedArticle] = []
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            values = ",".join(["(?)"] * len(chunk))
            # CROSS JOIN: one primary-key seek per id, whatever statistics an ANALYZE left (with stale ones,
            # made when the table was small, SQLite scanned the whole table for each IN list).
            found.extend(
                IndexedArticle(*r)
                for r in self.conn.execute(
                    f"""WITH wanted(id) AS (VALUES {values})
                        SELECT f.article_id, f.at, f.lang, f.stems, f.anchors, f.sketch, f.story, f.thread
                        FROM wanted CROSS JOIN story_features f ON f.article_id = wanted.id""",
                    chunk,
                )
            )
        return found

    def begin_grouping(self) -> None:
        """Open the write transaction one batch of grouping runs in. Each decision's keys are written at once, so
        the next article of the batch finds it by key; the rest (its story, features and key counts) is written
        once for the whole batch, before anything reads it (`_flush_grouping`)."""
        self.conn.execute("BEGIN IMMEDIATE")
        self._articles_grouped: list[int] = []
        self._pending_grouping = _PendingGrouping()

    def end_grouping(self, commit: bool = True, refresh_rows: bool = True) -> None:
        """Commit (or roll back) the batch; before a commit, the batch's pending writes are made, the list rows
        of the stories it added reports to are updated from the new reports alone (storage/story_rows.py), and
        the rows marked stale since the last batch (a re-poll's moved or deleted reports) are rewritten from all
        their reports, unless `refresh_rows` is False: they then wait for a later batch (they stay marked)."""
        if commit:
            self._flush_grouping()
            add_story_reports(
                self.conn, getattr(self, "_articles_grouped", ()), arrays=not self.dialect.is_sqlite
            )
            if refresh_rows:
                refresh_stale_story_rows(self.conn)
        self._articles_grouped = []
        self._pending_grouping = _PendingGrouping()
        self.conn.execute("COMMIT" if commit else "ROLLBACK")

    def refresh_stale_rows(self) -> int:
        """Rewrite the story rows marked stale (by grouping batches that left them, or by triggers), in a
        transaction of their own; returns how many."""
        with transaction(self.conn):
            return refresh_stale_story_rows(self.conn)

    def write_grouping(self, grouped: GroupedArticle) -> None:
        """Write one decision (inside begin_grouping ... end_grouping) with the batch: one statement per table
        for the batch's articles, one count update per distinct key, rather than 4 statements and some 20 count
        updates per article. Its look-up keys are written before a look-up that would find them (an article of
        the batch a later one may join: `_flush_keys_read_by`), else with the rest."""
        self._articles_grouped.append(grouped.id)
        pending = getattr(self, "_pending_grouping", None)
        if pending is None:  # outside begin_grouping: nothing would flush it
            pending = _PendingGrouping()
            pending.add(grouped)
            pending.write(self.conn, self.dialect)
        else:
            pending.add(grouped)

    def _flush_keys_read_by(self, ranges: Sequence[tuple[Sequence[str], int, int]]) -> None:
        """Write the batch's pending look-up keys if a read of `ranges` (keys, first day, last day) would find one
        of them: the read then sees every decision made before it, as if each had been written at once."""
        pending = getattr(self, "_pending_grouping", None)
        if pending is None or not pending.key_days:
            return
        days_of = pending.key_days.get
        for keys, first_day, last_day in ranges:
            for key in keys:
                days = days_of(key)
                if days and any(first_day <= day <= last_day for day in days):
                    pending.write_keys(self.conn, self.dialect)
                    return

    def _flush_grouping(self) -> None:
        """Make the batch's pending writes (before a read of what they change, and at commit)."""
        pending = getattr(self, "_pending_grouping", None)
        if pending is not None and pending.ids:
            pending.write(self.conn, self.dialect)
            self._pending_grouping = _PendingGrouping()


class _PendingGrouping:
    """The decisions of a grouping batch not written yet, but for their keys (StoryIndex.write_grouping)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.stories: list[tuple[int, int, int | None]] = []
        self.articles: list[tuple[int, int, int]] = []
        self.features: list[tuple[int, float, str, str, str, str, int, int]] = []
        self.counts: dict[str, int] = {}
        self.keys: list[tuple[str, int, int]] = []  # (key, day, article id): story_keys rows not written yet
        self.key_days: dict[str, list[int]] = {}  # the days of each key among them

    def add(self, grouped: GroupedArticle) -> None:
        self.ids.add(grouped.id)
        if grouped.new_story:
            self.stories.append((grouped.story, grouped.thread, grouped.related_seed))
        self.articles.append((grouped.story, grouped.thread, grouped.id))
        self.features.append(
            (
                grouped.id,
                grouped.at,
                grouped.lang,
                grouped.stems,
                grouped.anchors,
                grouped.sketch,
                grouped.story,
                grouped.thread,
            )
        )
        counts = self.counts
        for key in grouped.counted:
            counts[key] = counts.get(key, 0) + 1
        key_days = self.key_days
        for key, day in grouped.keys:
            self.keys.append((key, day, grouped.id))
            key_days.setdefault(key, []).append(day)

    def write_keys(self, conn: sqlite3.Connection, dialect: Dialect) -> None:
        """Write the pending look-up keys (story_keys), in one statement on PostgreSQL."""
        if not self.keys:
            return
        if dialect.is_sqlite:
            conn.executemany(
                "INSERT OR IGNORE INTO story_keys(key, day, article_id) VALUES (?, ?, ?)", self.keys
            )
        else:
            # An article's keys are written once, with its story: without ON CONFLICT (its check before each row was
            # a second search of the primary key, docs/BENCHMARKS.md section 42) nor a DELETE of its rows first (0.9 s
            # of a first poll's 6.3 s of grouping on the server, for no row: section 48). Only two groupings placing
            # one article (a client's seeds beside the service's poll) make the insert fail: it is then made again
            # after that DELETE, within a savepoint (the last decision written wins, as for the stories).
            rows = list(dict.fromkeys(self.keys))
            insert = (
                "INSERT INTO story_keys(key, day, article_id) SELECT * FROM unnest("
                "CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS bigint[]))"
            )
            columns = _columns(rows)
            conn.execute("SAVEPOINT story_keys")
            try:
                conn.execute(insert, columns)
            except Exception as exc:
                if getattr(exc, "sqlstate", None) != UNIQUE_VIOLATION:
                    raise
                conn.execute("ROLLBACK TO SAVEPOINT story_keys")
                ids = sorted(set(columns[2]))
                conn.execute("DELETE FROM story_keys WHERE article_id = ANY(CAST(? AS bigint[]))", [ids])
                conn.execute(insert, columns)
            conn.execute("RELEASE SAVEPOINT story_keys")
        self.keys = []
        self.key_days = {}

    def write(self, conn: sqlite3.Connection, dialect: Dialect) -> None:
        self.write_keys(conn, dialect)
        if not dialect.is_sqlite:
            self._write_arrays(conn)
            return
        conn.executemany(
            "INSERT OR REPLACE INTO stories(id, thread, related_seed) VALUES (?, ?, ?)", self.stories
        )
        conn.executemany("UPDATE articles SET story = ?, thread = ? WHERE id = ?", self.articles)
        conn.executemany(
            "INSERT OR REPLACE INTO story_features(article_id, at, lang, stems, anchors, sketch, story, thread)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.features,
        )
        conn.executemany(
            "INSERT INTO story_df(key, n) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET n = story_df.n + excluded.n",
            sorted(self.counts.items()),
        )

    def _write_arrays(self, conn: sqlite3.Connection) -> None:
        """PostgreSQL: each table's rows in one statement, as arrays (unnest). executemany sends an upsert or an
        UPDATE a row there (two rows of one key in one upsert are an error, and the adapter cannot know the keys
        differ): a first poll's story_df alone was some 600 statements a feed, each parsed and planned. Here the
        keys do differ (the last row of an id wins, as one statement a row would leave it)."""
        if self.stories:
            conn.execute(
                "INSERT INTO stories(id, thread, related_seed) SELECT * FROM unnest("
                "CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]))"
                " ON CONFLICT (id) DO UPDATE SET thread = excluded.thread, related_seed = excluded.related_seed",
                _columns(self.stories, key=0),
            )
        conn.execute(
            "UPDATE articles SET story = v.story, thread = v.thread FROM unnest("
            "CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[])) AS v(story, thread, id)"
            " WHERE articles.id = v.id",
            _columns(self.articles, key=2),
        )
        conn.execute(
            "INSERT INTO story_features(article_id, at, lang, stems, anchors, sketch, story, thread)"
            " SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS double precision[]), CAST(? AS text[]),"
            " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]))"
            " ON CONFLICT (article_id) DO UPDATE SET at = excluded.at, lang = excluded.lang,"
            " stems = excluded.stems, anchors = excluded.anchors, sketch = excluded.sketch,"
            " story = excluded.story, thread = excluded.thread",
            _columns(self.features, key=0),
        )
        if self.counts:
            keys = sorted(self.counts)
            conn.execute(
                "INSERT INTO story_df(key, n) SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS integer[]))"
                " ON CONFLICT (key) DO UPDATE SET n = story_df.n + excluded.n",
                [keys, [self.counts[key] for key in keys]],
            )


def _columns(rows: Sequence[tuple[Any, ...]], key: int | None = None) -> list[list[Any]]:
    """`rows` as one list per column, the arrays an unnest statement takes; with `key`, only the last row of each
    value of that column (one statement a row would leave that one)."""
    if key is not None:
        rows = list({row[key]: row for row in rows}.values())
    return [list(column) for column in zip(*rows, strict=True)]

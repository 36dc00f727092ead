"""Moving a local profile into the shared store (`vigie migrate --to URL`, issue 19).

Copies, from one store (the profile's SQLite file) into another (the team's PostgreSQL database):

- folders, by path (parent and title), and feeds, by URL, with their folder and the facts of their fetches (so
  the service's first poll of a copied feed is a conditional GET, not a re-download);
- articles, by their identity (source, dedup_key: the feed's URL and the item's dedup key, the store's own unique
  key), with their scores, highlights, matches, read, starred and judgement, their matched entries
  (article_entries; the pairs of entries follow by the target's triggers, the search vectors too), their
  versions (article_versions) and their stories (stories; ids shifted by an offset kept on the target, so a
  second run maps a story to the same row);
- the watchlist's fingerprint (meta watchlist_version) when the target has none, so a service scoring with the
  same watchlist does not re-score everything;
- the cases, with their items, notes and tags, into the case files of the analyst who runs the copy
  (case_copy.py): a case by its name, an item by its case and article.

Idempotent: a folder, feed or article already on the target is left as it is and counted as such, so running it
twice copies nothing twice. Articles go in batches, each batch with its entries and versions in one
transaction: an interrupted copy leaves whole articles only, and the next run goes on where it stopped. Into an
empty PostgreSQL store, COPY_WORKERS batches at once, sent with COPY, search indexes built after (pg_bulk.py).

With the articles go their story index (story features, look-up keys, key counts: the server's grouping finds
them) and the stories' list rows (the stories table's columns, and each story's outlets).

Not copied: the word-form and name indexes (the server keeps its own: search vectors, and the name index caught
up by emerging names), the alert log (a copied article is never a new alert: `alert` is cleared, `poll_id` is 0).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from monitor.core.storage import pg_bulk
from monitor.core.storage.case_copy import copy_cases
from monitor.core.storage.db import transaction
from monitor.core.storage.pg_bulk import Say
from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

BATCH = 500  # articles a transaction; with every column bound, below both engines' parameter limits
# Batches copied at once into an empty PostgreSQL store, each on its own connection: the server's work per article
# (its search vectors and word pairs, about 2 ms) runs on one core a session.
COPY_WORKERS = 3
_PROFILE_KEY = "profile_id"  # the source's meta: who this profile is, for the target's story offset
_STORY_OFFSET = "profile_copy_story_offset:"  # the target's meta, per source profile
# Never copied as they are: ids are the target's own; a copied article is no new alert of any poll there.
_ARTICLE_SKIP = {"id", "feed_id", "story", "thread", "alert", "poll_id"}
_FEED_SKIP = {"id", "folder_id"}


@dataclass
class Tally:
    """One kind of row: how many the source has, how many this run copied, how many were already there."""

    source: int = 0
    copied: int = 0
    present: int = 0

    @property
    def complete(self) -> bool:
        return self.copied + self.present == self.source


@dataclass
class CopyReport:
    folders: Tally = field(default_factory=Tally)
    feeds: Tally = field(default_factory=Tally)
    articles: Tally = field(default_factory=Tally)
    cases: Tally = field(default_factory=Tally)
    case_items: Tally = field(default_factory=Tally)
    analyst: str = ""  # whose case files the cases went to
    entries: int = 0  # matched entries of the articles copied
    versions: int = 0
    stories: int = 0
    read: int = 0  # of the articles copied
    starred: int = 0
    judged: int = 0
    missing: list[str] = field(default_factory=list)  # what the final check did not find on the target

    @property
    def ok(self) -> bool:
        tallies = (self.folders, self.feeds, self.articles, self.cases, self.case_items)
        return not self.missing and all(t.complete for t in tallies)

    def lines(self) -> list[str]:
        def line(name: str, t: Tally) -> str:
            return f"{name}: {t.source} in the profile, {t.copied} copied, {t.present} already there"

        return [
            line("folders", self.folders),
            line("feeds", self.feeds),
            line("articles", self.articles),
            f"with the articles copied: {self.entries} matched entries, {self.versions} versions, "
            f"{self.stories} stories; {self.read} read, {self.starred} starred, {self.judged} judged",
            f"{line('cases', self.cases)} (into {self.analyst}'s case files)",
            line("case items", self.case_items),
        ]


Progress = Callable[[int, int], None]


def columns(store: Store, table: str) -> list[str]:
    """The table's columns, in order, on either engine."""
    if store.dialect.is_sqlite:
        return [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]
    rows = store.conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [r[0] for r in rows]


def _shared(source: Store, target: Store, table: str, skip: set[str]) -> list[str]:
    there = set(columns(target, table))
    return [c for c in columns(source, table) if c in there and c not in skip]


def copy_profile(
    source: Store,
    target: Store,
    *,
    batch: int = BATCH,
    on_progress: Progress | None = None,
    say: Say = lambda _text: None,
) -> CopyReport:
    """Copy `source` into `target` (see the module's docstring); returns the counts, checked."""
    report = CopyReport()
    folders = _copy_folders(source, target, report.folders)
    feeds = _copy_feeds(source, target, folders, report.feeds)
    offset = _story_offset(source, target)
    workers = 1  # parallel for a move-in: into an empty store, or resumed with its indexes still to build
    if pg_bulk.can_defer(target) and target.conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None:
        workers = COPY_WORKERS
        if pg_bulk.defer_search_indexes(target):
            say("the target is empty: its search indexes are built once the articles are in")
    elif pg_bulk.pending_indexes(target):
        workers = COPY_WORKERS
        say("an earlier copy stopped before building the search indexes: they are built at the end")
    _copy_articles(source, target, feeds, offset, report, batch, on_progress, workers)
    pg_bulk.build_deferred_indexes(target, say)
    _copy_stories(source, target, offset, report)
    report.analyst = target.analyst
    copy_cases(source, target, report.cases, report.case_items, offset)
    version = source.get_meta("watchlist_version")
    if version and target.get_meta("watchlist_version") is None:
        target.set_meta("watchlist_version", version)
    report.missing = _check(source, target)
    return report


# -- folders and feeds ----------------------------------------------------------------------------------------


def _copy_folders(source: Store, target: Store, tally: Tally) -> dict[int, int]:
    """Source folder id -> target folder id, creating the missing ones parents first."""
    rows = source.conn.execute("SELECT id, parent_id, title, created FROM folders ORDER BY id").fetchall()
    tally.source = len(rows)
    pending = {r[0]: r for r in rows}
    mapped: dict[int, int] = {}
    with transaction(target.conn):
        while pending:
            ready = [r for r in pending.values() if r[1] is None or r[1] in mapped]
            if not ready:  # a cycle cannot be made by the store; refuse rather than loop
                raise ValueError(f"folders {sorted(pending)} have no reachable parent")
            for folder_id, parent, title, created in ready:
                del pending[folder_id]
                parent_there = mapped.get(parent) if parent is not None else None
                found = target.conn.execute(
                    "SELECT id FROM folders WHERE parent_id IS NOT DISTINCT FROM ? AND title = ?",
                    (parent_there, title),
                ).fetchone()
                if found:
                    mapped[folder_id] = int(found[0])
                    tally.present += 1
                    continue
                cur = target.conn.execute(
                    "INSERT INTO folders(parent_id, title, created) VALUES (?, ?, ?)",
                    (parent_there, title, created),
                )
                mapped[folder_id] = int(cur.lastrowid)  # type: ignore[arg-type]
                tally.copied += 1
    return mapped


def _copy_feeds(source: Store, target: Store, folders: dict[int, int], tally: Tally) -> dict[int, int]:
    """Source feed id -> target feed id, by URL; a feed already there keeps its own settings and folder."""
    names = _shared(source, target, "feeds", _FEED_SKIP)
    rows = source.conn.execute(f"SELECT id, folder_id, {', '.join(names)} FROM feeds ORDER BY id").fetchall()
    tally.source = len(rows)
    url_at = names.index("url")
    marks = ", ".join("?" * (len(names) + 1))
    insert = (
        f"INSERT INTO feeds({', '.join(names)}, folder_id) VALUES ({marks}) "
        "ON CONFLICT (url) DO NOTHING RETURNING id"
    )
    mapped: dict[int, int] = {}
    with transaction(target.conn):
        for row in rows:
            values = list(row[2:])
            folder = folders.get(row[1]) if row[1] is not None else None
            created = target.conn.execute(insert, (*values, folder)).fetchone()
            if created:
                mapped[row[0]] = int(created[0])
                tally.copied += 1
                continue
            there = target.conn.execute("SELECT id FROM feeds WHERE url = ?", (values[url_at],)).fetchone()
            mapped[row[0]] = int(there[0])
            tally.present += 1
    return mapped


# -- articles ---------------------------------------------------------------------------------------------------


def _story_offset(source: Store, target: Store) -> int:
    """What this profile's story ids are shifted by on the target: chosen at the first copy (past the target's
    last story), then read back, so every run maps a story to the same target row."""
    profile = source.get_meta(_PROFILE_KEY)
    if profile is None:
        profile = uuid.uuid4().hex
        source.set_meta(_PROFILE_KEY, profile)
    key = _STORY_OFFSET + profile
    with transaction(target.conn):
        known = target.get_meta(key)
        if known is not None:
            return int(known)
        row = target.conn.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()
        top = target.conn.execute(
            "SELECT coalesce(max(story), 0), coalesce(max(thread), 0) FROM articles"
        ).fetchone()
        offset = max(int(row[0]), int(top[0] or 0), int(top[1] or 0))
        target.set_meta(key, str(offset))
    return offset


def _copy_articles(
    source: Store,
    target: Store,
    feeds: dict[int, int],
    offset: int,
    report: CopyReport,
    batch: int,
    on_progress: Progress | None,
    workers: int = 1,
) -> None:
    # Batches of `batch` articles, each in one transaction with its children, `workers` at once (own connections).
    names = _shared(source, target, "articles", _ARTICLE_SKIP)
    story_cols = [
        c
        for c in ("story", "thread")
        if c in columns(source, "articles") and c in columns(target, "articles")
    ]
    report.articles.source = int(source.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    entry_cols = _shared(source, target, "article_entries", {"article_id"})
    version_cols = _shared(source, target, "article_versions", {"id", "article_id"})
    at = {name: i for i, name in enumerate(names)}
    per_analyst = bool(columns(target, "article_states"))  # team mode: the marks are each analyst's own
    index = bool(columns(source, "story_features")) and bool(columns(target, "story_features"))
    reads = ", ".join(["id", "feed_id", *story_cols, *names])
    lock = threading.Lock()

    def copy_batch(rows: Sequence[Any]) -> None:
        mine = CopyReport()
        with transaction(target.conn):
            new = _insert_articles(target, rows, names, story_cols, feeds, offset)
            for row in rows:
                if row[0] in new:
                    values = row[2 + len(story_cols) :]
                    mine.read += bool(values[at["read"]]) if "read" in at else 0
                    mine.starred += bool(values[at["starred"]]) if "starred" in at else 0
                    mine.judged += values[at["judgement"]] is not None if "judgement" in at else 0
            if new:
                if per_analyst:
                    _copy_states(target, rows, new, [at.get(c) for c in _STATES], 2 + len(story_cols))
                mine.entries += _copy_children(source, target, "article_entries", entry_cols, new)
                mine.versions += _copy_children(source, target, "article_versions", version_cols, new)
                if index:
                    _copy_story_index(source, target, new, offset)
        with lock:
            report.articles.copied += len(new)
            report.articles.present += len(rows) - len(new)
            for name in ("read", "starred", "judged", "entries", "versions"):
                setattr(report, name, getattr(report, name) + getattr(mine, name))

    def in_worker(rows: Sequence[Any]) -> None:
        try:
            copy_batch(rows)
        finally:  # each batch on the connection the pool lends (the next batch may run on another thread)
            target.release_thread()

    last = 0
    done = 0
    in_flight: deque[tuple[Future[None], int]] = deque()
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="profile-copy") as pool:
        while True:
            rows = source.conn.execute(
                f"SELECT {reads} FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if rows:
                last = int(rows[-1][0])
                if workers > 1:
                    in_flight.append((pool.submit(in_worker, rows), len(rows)))
                else:
                    copy_batch(rows)
                    done += len(rows)
                    if on_progress:
                        on_progress(done, report.articles.source)
            while in_flight and (len(in_flight) > workers or not rows):
                future, count = in_flight.popleft()
                future.result()
                done += count
                if on_progress:
                    on_progress(done, report.articles.source)
            if not rows:
                break


_STATES = ("read", "starred", "judgement")


def _copy_states(
    target: Store, rows: Sequence[Any], new: dict[int, int], at: list[int | None], first: int
) -> None:
    """The migrating analyst's read, starred and judgement of the newly copied articles, into article_states
    (a shared store reads each analyst's marks there, not on the article)."""
    states = []
    for row in rows:
        if row[0] not in new:
            continue
        read, starred, judgement = (None if i is None else row[first + i] for i in at)
        if read or starred or judgement is not None:
            states.append((target.analyst, new[row[0]], int(bool(read)), int(bool(starred)), judgement))
    if states:
        target.conn.executemany(
            "INSERT INTO article_states(analyst, article_id, read, starred, judgement) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (analyst, article_id) DO NOTHING",
            states,
        )


def _insert_articles(
    target: Store,
    rows: Sequence[Any],
    names: list[str],
    story_cols: list[str],
    feeds: dict[int, int],
    offset: int,
) -> dict[int, int]:
    """Insert the batch's articles the target lacks; returns source id -> target id of those inserted."""
    width = 1 + len(story_cols) + len(names)
    marks = "(" + ", ".join("?" * width) + ")"
    values: list[list[Any]] = []
    for row in rows:
        feed = feeds.get(row[1]) if row[1] is not None else None
        stories = [None if v is None else int(v) + offset for v in row[2 : 2 + len(story_cols)]]
        values.append([feed, *stories, *row[2 + len(story_cols) :]])
    if not target.dialect.is_sqlite:  # COPY: no statement of literals to parse (pg_bulk.py)
        inserted = pg_bulk.insert_articles(target, ["feed_id", *story_cols, *names], values)
    else:
        sql = (
            f"INSERT INTO articles(feed_id, {', '.join([*story_cols, *names])}) VALUES "
            f"{', '.join([marks] * len(rows))} ON CONFLICT (source, dedup_key) DO NOTHING "
            "RETURNING id, source, dedup_key"
        )
        flat = [v for row in values for v in row]
        inserted = {(r[1], r[2]): int(r[0]) for r in target.conn.execute(sql, flat).fetchall()}
    source_at, key_at = (
        2 + len(story_cols) + names.index("source"),
        2 + len(story_cols) + names.index("dedup_key"),
    )
    return {
        int(row[0]): inserted[(row[source_at], row[key_at])]
        for row in rows
        if (row[source_at], row[key_at]) in inserted
    }


def _copy_children(source: Store, target: Store, table: str, cols: list[str], new: dict[int, int]) -> int:
    """Copy the rows of `table` that belong to the newly copied articles, their article_id mapped."""
    ids = list(new)
    marks = ", ".join("?" * len(ids))
    order = " ORDER BY id" if table == "article_versions" else ""
    rows = source.conn.execute(
        f"SELECT article_id, {', '.join(cols)} FROM {table} WHERE article_id IN ({marks}){order}", ids
    ).fetchall()
    if not rows:
        return 0
    target.conn.executemany(
        f"INSERT INTO {table}(article_id, {', '.join(cols)}) VALUES ({', '.join('?' * (len(cols) + 1))})",
        [(new[r[0]], *r[1:]) for r in rows],
    )
    return len(rows)


def _copy_story_index(source: Store, target: Store, new: dict[int, int], offset: int) -> None:
    """The story index of the newly copied articles (their features, look-up keys and key counts), so the
    server's grouping finds them: a later report of a copied story joins it there, as it would have here."""
    ids = list(new)
    marks = ", ".join("?" * len(ids))
    features = source.conn.execute(
        "SELECT article_id, at, lang, stems, anchors, sketch, story, thread FROM story_features "
        f"WHERE article_id IN ({marks})",
        ids,
    ).fetchall()
    target.conn.executemany(
        "INSERT INTO story_features(article_id, at, lang, stems, anchors, sketch, story, thread) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING",
        [(new[r[0]], *r[1:6], int(r[6]) + offset, int(r[7]) + offset) for r in features],
    )
    keys = source.conn.execute(
        f"SELECT key, day, article_id FROM story_keys WHERE article_id IN ({marks})", ids
    ).fetchall()
    target.conn.executemany(
        "INSERT INTO story_keys(key, day, article_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(r[0], r[1], new[r[2]]) for r in keys],
    )
    counts: dict[str, int] = {}
    for row in features:  # a grouped article counts once for each of its anchors (StoryIndex's story_df)
        for anchor in filter(None, str(row[4]).split("\t")):
            counts[anchor] = counts.get(anchor, 0) + 1
    target.conn.executemany(
        "INSERT INTO story_df(key, n) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET n = story_df.n + excluded.n",
        sorted(counts.items()),
    )


def _copy_stories(source: Store, target: Store, offset: int, report: CopyReport) -> None:
    """The stories of the profile, ids shifted by `offset`; a related seed (an article id) found by identity."""
    cols = _shared(source, target, "stories", {"id", "thread", "related_seed"})
    rows = source.conn.execute(
        f"SELECT s.id, s.thread, r.source, r.dedup_key{''.join(', s.' + c for c in cols)} "
        "FROM stories s LEFT JOIN articles r ON r.id = s.related_seed ORDER BY s.id"
    ).fetchall()
    if not rows:
        return
    with transaction(target.conn):
        for row in rows:
            seed = None
            if row[2] is not None:
                found = target.conn.execute(
                    "SELECT id FROM articles WHERE source = ? AND dedup_key = ?", (row[2], row[3])
                ).fetchone()
                seed = int(found[0]) if found else None
            cur = target.conn.execute(
                f"INSERT INTO stories(id, thread, related_seed{''.join(', ' + c for c in cols)}) "
                f"VALUES ({', '.join('?' * (3 + len(cols)))}) ON CONFLICT (id) DO NOTHING",
                (int(row[0]) + offset, int(row[1]) + offset, seed, *row[4:]),
            )
            report.stories += max(0, cur.rowcount)
        # The rows' outlets (schema 24), so the target's grouping updates a copied story's row from its new reports.
        if columns(source, "story_outlets") and columns(target, "story_outlets"):
            outlets = source.conn.execute("SELECT story, host FROM story_outlets").fetchall()
            target.conn.executemany(
                "INSERT INTO story_outlets(story, host) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(int(story) + offset, host) for story, host in outlets],
            )
        if not target.dialect.is_sqlite:  # ids given by hand: the identity must start past them
            target.conn.execute(
                "SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT max(id) FROM stories))"
            )


# -- the check --------------------------------------------------------------------------------------------------


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    return (values[start : start + size] for start in range(0, len(values), size))


def _check(source: Store, target: Store) -> list[str]:
    """What of the profile the target does not hold after the copy (empty when everything is there): every feed
    by URL, and as many articles of each source as the profile has (their keys are the target's unique key)."""
    missing: list[str] = []
    urls = [r[0] for r in source.conn.execute("SELECT url FROM feeds")]
    found = 0
    for chunk in _chunks(urls):
        marks = ", ".join("?" * len(chunk))
        found += int(
            target.conn.execute(f"SELECT count(*) FROM feeds WHERE url IN ({marks})", chunk).fetchone()[0]
        )
    if found != len(urls):
        missing.append(f"{len(urls) - found} of the profile's {len(urls)} feeds are not on the target")
    counts = source.conn.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall()
    for name, count in counts:
        there = int(
            target.conn.execute("SELECT count(*) FROM articles WHERE source = ?", (name,)).fetchone()[0]
        )
        if there < count:
            missing.append(f"{name}: {count} articles in the profile, {there} on the target")
    return missing

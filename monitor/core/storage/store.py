"""The article and feed store: one SQLite file (WAL, FTS5), reached through this class only."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from monitor.core.errors import StoreError
from monitor.core.models import (
    SEED_SOURCE,
    Article,
    ArticleQuery,
    ArticleRow,
    Assessment,
    Feed,
    Match,
    ParsedItem,
)
from monitor.core.parsing.text import canonical_link, content_hash
from monitor.core.storage import db
from monitor.core.storage.db import transaction
from monitor.core.storage.searchsyntax import to_fts_query
from monitor.core.support.clock import iso, utc_now

log = logging.getLogger(__name__)

SOURCE_LABEL = "CASE WHEN a.source = 'seed' THEN 'Seeds' ELSE COALESCE(NULLIF(f.title, ''), a.source) END"
SORT_COLUMNS = {
    "starred": "a.starred",
    "score": "a.score",
    "title": "a.title COLLATE NOCASE",
    "source": f"{SOURCE_LABEL} COLLATE NOCASE",
    "published": "a.published",
}
# The indexes (db v3) that hold the articles in the order of a sort column. A search whose hits are a large part
# of the table walks one of them and stops at the page's end, instead of sorting every hit: 150 ms -> 15 ms for
# a word in 120,000 of 200,000 articles. A narrow search is faster the other way round (sort its few hits).
SORT_INDEXES = {
    "starred": "articles_starred",
    "score": "articles_score",
    "title": "articles_title",
    "published": "articles_published",
}
BROAD_SEARCH_HITS = 5_000


class Outcome(Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class PendingItem:
    """A parsed item with the dedup facts the poller needs before deciding to match it."""

    item: ParsedItem
    dedup_key: str
    content_hash: str
    existing_id: int | None = None
    existing_hash: str | None = None

    @property
    def outcome(self) -> Outcome:
        if self.existing_id is None:
            return Outcome.NEW
        return Outcome.UNCHANGED if self.existing_hash == self.content_hash else Outcome.UPDATED


@dataclass
class FeedState:
    """What one fetch did to a feed's bookkeeping."""

    status: int | None
    error: str | None
    etag: str | None = None
    last_modified: str | None = None
    next_poll: str | None = None
    consecutive_failures: int = 0
    title: str | None = None
    disabled_reason: str | None = None


def dedup_key(item: ParsedItem) -> str:
    """guid, else the canonical link (no tracking parameters), else a hash of the text."""
    if item.guid and item.guid.strip():
        return "guid:" + item.guid.strip()
    if item.link:
        return "link:" + canonical_link(item.link)
    return "hash:" + content_hash(item.title, item.summary, item.content)


class Store:
    """Feeds and articles. Safe to share between threads: each thread gets its own connection."""

    def __init__(self, path: Path, backups: Path | None = None) -> None:
        self.path = Path(path)
        self.backups = backups or self.path.parent / "backups"
        self._pool = db.ConnectionPool(self.path)

    # -- lifecycle ----------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, backups: Path | None = None) -> Store:
        """Open (creating if needed, readable by the user alone) and migrate. Raises StoreError in words."""
        store = cls(path, backups)
        try:
            if not store.path.exists():
                store.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(store.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            db.migrate(store.conn, store.backups)
        except StoreError:
            store.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            store.close()
            # SQLite says "disk I/O error" or "unable to open database file" for a full or read-only disk.
            hint = (
                " (is the disk full or the folder read-only?)"
                if isinstance(exc, sqlite3.OperationalError)
                else ""
            )
            raise StoreError(f"cannot open the database {store.path}: {exc}{hint}") from exc
        return store

    @property
    def conn(self) -> sqlite3.Connection:
        return self._pool.get()

    def close(self) -> None:
        self._pool.close_all()

    def release_thread(self) -> None:
        """Close this thread's connection (worker threads call it before they end)."""
        self._pool.close_current()

    # -- meta ---------------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_poll_id(self) -> int:
        with transaction(self.conn):
            value = int(self.get_meta("poll_counter", "0") or 0) + 1
            self.set_meta("poll_counter", str(value))
        return value

    # -- feeds --------------------------------------------------------------------------------------------

    def add_feed(self, url: str, title: str = "", interval_minutes: int = 15) -> tuple[Feed, bool]:
        """Subscribe; returns (feed, created). An existing URL is returned as is."""
        existing = self.feed_by_url(url)
        if existing:
            return existing, False
        now = iso(utc_now())
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO feeds(url, title, interval_minutes, created, next_poll) VALUES (?, ?, ?, ?, ?)",
                (url, title, max(1, int(interval_minutes)), now, now),
            )
        feed = self.get_feed(int(cur.lastrowid or 0))
        assert feed is not None
        return feed, True

    def add_feeds(self, feeds: Iterable[tuple[str, str]], interval_minutes: int = 15) -> int:
        """Subscribe to many at once, all or nothing; returns how many were new."""
        now = iso(utc_now())
        added = 0
        with transaction(self.conn):
            for url, title in feeds:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO feeds(url, title, interval_minutes, created, next_poll) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (url, title, interval_minutes, now, now),
                )
                added += cur.rowcount
        return added

    def get_feed(self, feed_id: int) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return _feed(row) if row else None

    def feed_by_url(self, url: str) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row) if row else None

    def list_feeds(self) -> list[Feed]:
        rows = self.conn.execute("SELECT * FROM feeds ORDER BY title COLLATE NOCASE, url").fetchall()
        return [_feed(r) for r in rows]

    def remove_feed(self, feed_id: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def update_feed_settings(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        interval_minutes: int | None = None,
        enabled: bool | None = None,
        muted: bool | None = None,
    ) -> None:
        sets: list[str] = []
        args: list[object] = []
        for column, value in (
            ("title", title),
            ("interval_minutes", None if interval_minutes is None else max(1, int(interval_minutes))),
            ("enabled", None if enabled is None else int(enabled)),
            ("muted", None if muted is None else int(muted)),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                args.append(value)
        if enabled:
            sets.append("disabled_reason = NULL")
            sets.append("consecutive_failures = 0")
        if not sets:
            return
        with transaction(self.conn):
            self.conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", (*args, feed_id))

    def record_fetch(self, feed_id: int, state: FeedState, fetched_at: str) -> None:
        """Store what a poll learnt about a feed: status, error, validators, failures, next poll time."""
        with transaction(self.conn):
            self.conn.execute(
                """UPDATE feeds SET last_status = ?, last_error = ?, last_fetched = ?,
                       etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                       consecutive_failures = ?, next_poll = ?,
                       title = CASE WHEN title = '' AND ? IS NOT NULL THEN ? ELSE title END,
                       enabled = CASE WHEN ? IS NOT NULL THEN 0 ELSE enabled END,
                       disabled_reason = COALESCE(?, disabled_reason)
                   WHERE id = ?""",
                (
                    state.status,
                    state.error,
                    fetched_at,
                    state.etag,
                    state.last_modified,
                    state.consecutive_failures,
                    state.next_poll,
                    state.title,
                    state.title,
                    state.disabled_reason,
                    state.disabled_reason,
                    feed_id,
                ),
            )

    # -- ingest -------------------------------------------------------------------------------------------

    def prepare(self, source: str, items: Sequence[ParsedItem]) -> list[PendingItem]:
        """Dedup keys and hashes for parsed items, with what the store already holds under those keys.

        Items repeated inside one fetch collapse to the first one.
        """
        pending: dict[str, PendingItem] = {}
        for item in items:
            key = dedup_key(item)
            if key not in pending:
                pending[key] = PendingItem(item, key, content_hash(item.title, item.summary, item.content))
        keys = list(pending)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT id, dedup_key, content_hash FROM articles WHERE source = ? AND dedup_key IN ({marks})",
                (source, *chunk),
            ):
                entry = pending[row["dedup_key"]]
                entry.existing_id = row["id"]
                entry.existing_hash = row["content_hash"]
        return list(pending.values())

    def save_items(
        self,
        *,
        source: str,
        feed_id: int | None,
        items: Sequence[tuple[PendingItem, Assessment]],
        fetched_at: str,
        poll_id: int,
    ) -> dict[Outcome, int]:
        """Insert new items and update changed ones in place (first_seen kept), in one short transaction."""
        counts = {outcome: 0 for outcome in Outcome}
        indexed: list[tuple[int, str, str, str]] = []  # new articles for the full-text index
        with transaction(self.conn):
            for pending, assessment in items:
                outcome = pending.outcome
                counts[outcome] += 1
                if outcome is Outcome.UNCHANGED:
                    continue
                item = pending.item
                matches_json = encode_matches(assessment.matches)
                values = (
                    item.guid,
                    item.link,
                    item.title,
                    item.summary,
                    item.content,
                    item.content_html,
                    item.published,
                    int(item.published_estimated),
                    fetched_at,
                    item.lang,
                    pending.content_hash,
                    fetched_at,
                    assessment.score,
                    int(assessment.highlighted),
                    matches_json,
                )
                if outcome is Outcome.NEW:
                    cur = self.conn.execute(
                        """INSERT INTO articles(guid, link, title, summary, content, content_html, published,
                               published_estimated, fetched, lang, content_hash, last_updated, score, highlighted,
                               matches, source, feed_id, dedup_key, first_seen, poll_id, alert)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        (
                            *values,
                            source,
                            feed_id,
                            pending.dedup_key,
                            fetched_at,
                            poll_id,
                            int(assessment.highlighted and source != SEED_SOURCE),
                        ),
                    )
                    article_id = int(cur.lastrowid or 0)
                    indexed.append((article_id, item.title, item.summary, item.content))
                else:
                    article_id = int(pending.existing_id or 0)
                    self.conn.execute(
                        """UPDATE articles SET guid = ?, link = ?, title = ?, summary = ?, content = ?,
                               content_html = ?, published = ?, published_estimated = ?, fetched = ?, lang = ?,
                               content_hash = ?, last_updated = ?, score = ?, highlighted = ?, matches = ?,
                               alert = alert AND ?
                           WHERE id = ?""",
                        (*values, int(assessment.highlighted), article_id),
                    )
                self._write_entries(article_id, assessment.matches, new=outcome is Outcome.NEW)
            # One statement for the batch (see db._V5); updates are re-indexed by the articles_fts_update trigger.
            self.conn.executemany(
                "INSERT INTO articles_fts(rowid, title, summary, content) VALUES (?, ?, ?, ?)", indexed
            )
        return counts

    def _write_entries(self, article_id: int, matches: Iterable[Match], *, new: bool = False) -> None:
        if not new:
            self.conn.execute("DELETE FROM article_entries WHERE article_id = ?", (article_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO article_entries(article_id, entry) VALUES (?, ?)",
            [(article_id, name) for name in {m.entry for m in matches}],
        )

    def clear_alerts(self, feed_ids: Sequence[int] | None = None) -> None:
        """A new poll starts: what the previous one flagged is no longer new."""
        with transaction(self.conn):
            if feed_ids is None:
                self.conn.execute("UPDATE articles SET alert = 0 WHERE alert = 1")
            else:
                marks = ",".join("?" * len(feed_ids))
                self.conn.execute(
                    f"UPDATE articles SET alert = 0 WHERE alert = 1 AND feed_id IN ({marks})", tuple(feed_ids)
                )

    # -- re-scoring ---------------------------------------------------------------------------------------

    def apply_assessments(self, assessed: Sequence[tuple[int, Assessment]]) -> None:
        """Store new scores; an alert can only be withdrawn (re-scoring never makes an item new)."""
        with transaction(self.conn):
            for article_id, assessment in assessed:
                self.conn.execute(
                    "UPDATE articles SET score = ?, highlighted = ?, matches = ?, alert = alert AND ? WHERE id = ?",
                    (
                        assessment.score,
                        int(assessment.highlighted),
                        encode_matches(assessment.matches),
                        int(assessment.highlighted),
                        article_id,
                    ),
                )
                self._write_entries(article_id, assessment.matches)

    def count_all(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- reading ------------------------------------------------------------------------------------------

    def _where(self, query: ArticleQuery) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        if query.view == "new":
            clauses.append("a.read = 0")
        elif query.view == "highlighted":
            clauses.append("a.highlighted = 1")
        elif query.view == "starred":
            clauses.append("a.starred = 1")
        elif query.view == "seeds":
            clauses.append("a.source = ?")
            args.append(SEED_SOURCE)
        elif query.view == "feed":
            clauses.append("a.feed_id = ?")
            args.append(query.feed_id)
        if query.entry:
            clauses.append("a.id IN (SELECT article_id FROM article_entries WHERE entry = ?)")
            args.append(query.entry)
        if query.highlighted_only:
            clauses.append("a.highlighted = 1")
        if query.unread_only:
            clauses.append("a.read = 0")
        if query.since:
            clauses.append("a.published >= ?")
            args.append(query.since)
        if query.until:
            clauses.append("a.published < ?")
            args.append(query.until)
        if query.search and query.search.strip():
            fts = to_fts_query(query.search)
            if fts:
                clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
                args.append(fts)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    _ROW_COLUMNS = f"""a.id, a.title, a.source, a.published, a.score, a.highlighted, a.alert, a.read, a.starred,
        a.link, {SOURCE_LABEL} AS source_label"""

    def _search_alone(self, query: ArticleQuery) -> str | None:
        """The FTS5 query when a search is the list's only condition (the common case the fast plans cover)."""
        fts = to_fts_query(query.search) if query.search else ""
        if not fts or self._where(replace(query, search=None))[0]:
            return None
        return fts

    def _search_hits(self, fts: str) -> int:
        """How many articles an FTS5 query finds, from the index alone (a few milliseconds at 200,000 articles)."""
        row = self.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (fts,)
        ).fetchone()
        return int(row[0])

    def count(self, query: ArticleQuery) -> int:
        try:
            fts = self._search_alone(query)
            if fts:
                return self._search_hits(fts)
            where, args = self._where(query)
            return int(self.conn.execute(f"SELECT count(*) FROM articles a{where}", args).fetchone()[0])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc

    def rows(self, query: ArticleQuery, offset: int = 0, limit: int = 200) -> list[ArticleRow]:
        where, args = self._where(query)
        order = SORT_COLUMNS.get(query.sort, "a.published")
        direction = "DESC" if query.descending else "ASC"
        order_by = f"ORDER BY {order} {direction}, a.id {direction}"
        joined = "articles a{} LEFT JOIN feeds f ON f.id = a.feed_id"
        try:
            fts = self._search_alone(query)
            if fts and query.sort in SORT_INDEXES and self._search_hits(fts) > BROAD_SEARCH_HITS:
                joined = joined.format(f" INDEXED BY {SORT_INDEXES[query.sort]}")
            else:
                joined = joined.format("")
            if query.sort == "source":
                # Sort the ids on the small articles_source index, then read the page's rows: sorting whole rows
                # reads the full text of every article.
                sql = (
                    f"SELECT {self._ROW_COLUMNS} FROM {joined} WHERE a.id IN "
                    f"(SELECT a.id FROM {joined}{where} {order_by} LIMIT ? OFFSET ?) {order_by}"
                )
            else:
                sql = f"SELECT {self._ROW_COLUMNS} FROM {joined}{where} {order_by} LIMIT ? OFFSET ?"
            rows = self.conn.execute(sql, (*args, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc
        return [
            ArticleRow(
                id=r["id"],
                title=r["title"],
                source=r["source"],
                source_label=r["source_label"],
                published=r["published"],
                score=r["score"],
                highlighted=bool(r["highlighted"]),
                alert=bool(r["alert"]),
                read=bool(r["read"]),
                starred=bool(r["starred"]),
                link=r["link"],
            )
            for r in rows
        ]

    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def articles(self, query: ArticleQuery, batch: int = 500) -> Iterator[Article]:
        """Every article a query selects, whole, in the query's order (for export)."""
        where, args = self._where(query)
        order = SORT_COLUMNS.get(query.sort, "a.published").replace(SOURCE_LABEL, "a.source")
        direction = "DESC" if query.descending else "ASC"
        offset = 0
        while True:
            rows = self.conn.execute(
                f"SELECT a.* FROM articles a{where} ORDER BY {order} {direction}, a.id {direction} LIMIT ? OFFSET ?",
                (*args, batch, offset),
            ).fetchall()
            if not rows:
                return
            offset += len(rows)
            yield from (_article(r) for r in rows)

    def set_read(self, article_ids: Sequence[int], read: bool = True) -> None:
        with transaction(self.conn):
            self.conn.executemany(
                "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
            )

    def set_starred(self, article_id: int, starred: bool) -> None:
        with transaction(self.conn):
            self.conn.execute("UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id))

    def mark_all_read(self, query: ArticleQuery) -> int:
        where, args = self._where(query)
        extra = " AND a.read = 0" if where else " WHERE a.read = 0"
        with transaction(self.conn):
            cur = self.conn.execute(
                f"UPDATE articles SET read = 1 WHERE id IN (SELECT a.id FROM articles a{where}{extra})", args
            )
        return cur.rowcount

    def unread_by_feed(self) -> dict[int | None, int]:
        """Unread articles per feed id (None for the seeds)."""
        rows = self.conn.execute("SELECT feed_id, count(*) FROM articles WHERE read = 0 GROUP BY feed_id")
        return {r[0]: r[1] for r in rows}

    def view_counts(self) -> dict[str, int]:
        """Unread counts for the sidebar's fixed views."""
        row = self.conn.execute(
            """SELECT count(*), coalesce(sum(read = 0), 0), coalesce(sum(highlighted AND read = 0), 0),
                      coalesce(sum(starred), 0), coalesce(sum(source = 'seed' AND read = 0), 0),
                      coalesce(sum(alert AND read = 0), 0), coalesce(sum(highlighted), 0)
               FROM articles"""
        ).fetchone()
        return {
            "all": row[1],
            "total": row[0],
            "new": row[1],
            "highlighted": row[2],
            "starred": row[3],
            "seeds": row[4],
            "alerts": row[5],
            "highlighted_total": row[6],
        }

    def unread_by_entry(self) -> dict[str, int]:
        # IN over the unread ids (read from the covering articles_counts index) rather than a join that looks
        # every matched article up in the large articles table: 1.2 s -> 0.1 s at 200,000 articles.
        rows = self.conn.execute(
            """SELECT entry, count(*) FROM article_entries
               WHERE article_id IN (SELECT id FROM articles WHERE read = 0) GROUP BY entry"""
        )
        return {r[0]: r[1] for r in rows}

    def alert_ids(self, poll_id: int) -> list[int]:
        """The articles a poll alerted on, best score first (ids only: a large first poll alerts on thousands)."""
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE alert = 1 AND poll_id = ? ORDER BY score DESC", (poll_id,)
        )
        return [r[0] for r in rows]

    def alert_articles(self, poll_id: int) -> list[Article]:
        rows = self.conn.execute(
            "SELECT * FROM articles WHERE alert = 1 AND poll_id = ? ORDER BY score DESC", (poll_id,)
        ).fetchall()
        return [_article(r) for r in rows]


def encode_matches(matches: Iterable[Match]) -> str:
    """The matches column: JSON, the same text for the same matches (re-scoring compares it to skip writes)."""
    return json.dumps([m.to_dict() for m in matches], ensure_ascii=False)


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        interval_minutes=row["interval_minutes"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        last_fetched=row["last_fetched"],
        consecutive_failures=row["consecutive_failures"],
        next_poll=row["next_poll"],
        enabled=bool(row["enabled"]),
        muted=bool(row["muted"]),
        disabled_reason=row["disabled_reason"],
    )


def _article(row: sqlite3.Row) -> Article:
    try:
        matches = [Match(**m) for m in json.loads(row["matches"] or "[]")]
    except (ValueError, TypeError):
        log.warning("article %s has unreadable matches; showing none", row["id"])
        matches = []
    return Article(
        id=row["id"],
        source=row["source"],
        feed_id=row["feed_id"],
        guid=row["guid"],
        link=row["link"],
        title=row["title"],
        summary=row["summary"],
        content=row["content"],
        content_html=row["content_html"],
        published=row["published"],
        published_estimated=bool(row["published_estimated"]),
        fetched=row["fetched"],
        lang=row["lang"],
        content_hash=row["content_hash"],
        first_seen=row["first_seen"],
        last_updated=row["last_updated"],
        score=row["score"],
        highlighted=bool(row["highlighted"]),
        alert=bool(row["alert"]),
        read=bool(row["read"]),
        starred=bool(row["starred"]),
        matches=matches,
    )

"""The article and feed store: one SQLite file (WAL, FTS5), or a PostgreSQL database (team mode, pg.py), reached
through this class only.

Store is put together from the tables' parts: feed records (feed_records.py), ingest writes (ingest.py) and the
query planner (queries.py); rows become dataclasses in rows.py.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from monitor.core.errors import StoreError
from monitor.core.models import ArticleQuery
from monitor.core.storage import db, pg
from monitor.core.storage.cases import CaseRecords
from monitor.core.storage.db import transaction
from monitor.core.storage.engine import (
    POSTGRESQL,
    SQLITE,
    Dialect,
    check_analyst,
    check_database_url,
    default_analyst,
)
from monitor.core.storage.feed_records import FeedRecords
from monitor.core.storage.ingest import IngestWrites
from monitor.core.storage.queries import ArticleQueries
from monitor.core.storage.story_index import StoryIndex
from monitor.core.storage.story_pages import StoryPages
from monitor.core.storage.story_reads import StoryReads
from monitor.core.storage.team import TeamRecords
from monitor.core.storage.versions import FullTextRecords

log = logging.getLogger(__name__)

JUDGEMENTS = ("relevant", "not-relevant", None)


class Store(
    FeedRecords,
    IngestWrites,
    StoryPages,
    ArticleQueries,
    CaseRecords,
    StoryIndex,
    StoryReads,
    FullTextRecords,
    TeamRecords,
):
    """Feeds and articles. Safe to share between threads: each thread gets its own connection.

    `database`, a postgresql:// URL, puts the store on that server instead of the SQLite file at `path`; there,
    read, starred and judgements are `analyst`'s (default: the OS user name), the others' are not seen.
    """

    def __init__(
        self,
        path: Path,
        backups: Path | None = None,
        *,
        database: str | None = None,
        analyst: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.backups = backups or self.path.parent / "backups"
        self.database = database
        # A local profile has one analyst: the name is only checked (and used) on a shared database.
        self.analyst = check_analyst(analyst) if analyst and database else default_analyst()
        self.dialect: Dialect = POSTGRESQL if database else SQLITE
        self._pool: db.ConnectionPool | pg.PgPool = (
            pg.PgPool(database, self.analyst) if database else db.ConnectionPool(self.path)
        )

    # -- lifecycle ----------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        backups: Path | None = None,
        *,
        database: str | None = None,
        analyst: str | None = None,
    ) -> Store:
        """Open (creating if needed, readable by the user alone) and migrate. Raises StoreError in words.

        With `database`, the PostgreSQL server at that URL: checked and migrated first, over one connection,
        so that a server down or a refused login is one line before any pool starts."""
        if database:
            pg.open_database(check_database_url(database))
            return cls(path, backups, database=database, analyst=analyst)
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
        # On PostgreSQL a pg.PgConnection, which answers the part of sqlite3.Connection the store uses.
        return self._pool.get()  # type: ignore[return-value]

    def close(self) -> None:
        self._pool.close_all()

    def ping(self) -> None:
        """Check that the store answers; raises StoreError in words. On PostgreSQL over a new connection, so
        that a server down answers at once (the pool would wait for one of its own)."""
        if self.database:
            pg.connect(self.database).close()
            try:
                self.conn.execute("SELECT 1").fetchone()
            except StoreError:  # this thread's connection died with the server: the pool gives a new one
                self.conn.execute("SELECT 1").fetchone()
            return
        self.conn.execute("SELECT 1").fetchone()

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

    # -- the analyst's states -----------------------------------------------------------------------------

    def set_read(self, article_ids: Sequence[int], read: bool = True) -> None:
        if not self.dialect.is_sqlite:
            self._set_state("read", [(int(read), i) for i in article_ids])
            return
        with transaction(self.conn):
            self.conn.executemany(
                "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
            )

    def set_starred(self, article_id: int, starred: bool) -> None:
        if not self.dialect.is_sqlite:
            self._set_state("starred", [(int(starred), article_id)])
            return
        with transaction(self.conn):
            self.conn.execute("UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id))

    def set_judgement(self, article_id: int, judgement: str | None, scored_highlight: bool) -> bool:
        """Store the analyst's judgement ("relevant", "not-relevant" or None to withdraw it) and the highlight it
        imposes; `scored_highlight` is the watchlist's own, which a withdrawn judgement gives back. A
        not-relevant judgement also withdraws a pending alert. False when no article has that id."""
        if judgement not in JUDGEMENTS:
            raise ValueError(f"judgement must be one of {JUDGEMENTS}, not {judgement!r}")
        if not self.dialect.is_sqlite:  # the analyst's own: the view derives the highlight and alert from it
            return self._set_state("judgement", [(judgement, article_id)]) == 1
        highlighted = scored_highlight if judgement is None else judgement == "relevant"
        with transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE articles SET judgement = ?, highlighted = ?, alert = alert * ? WHERE id = ?",
                (judgement, int(highlighted), int(highlighted), article_id),
            )
        return cur.rowcount == 1

    def unread_ids(self, article_ids: Sequence[int]) -> set[int]:
        """Which of `article_ids` are stored and unread: one primary-key lookup per id, in one query."""
        ids = list(dict.fromkeys(article_ids))
        found: set[int] = set()
        for start in range(0, len(ids), 500):  # below SQLite's host-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(f"SELECT id FROM articles WHERE read = 0 AND id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def mark_all_read(self, query: ArticleQuery) -> int:
        where, args = self._where(query)
        if not self.dialect.is_sqlite:
            return self._mark_all_read_pg(where, args)
        extra = " AND a.read = 0" if where else " WHERE a.read = 0"
        with transaction(self.conn):
            cur = self.conn.execute(
                f"UPDATE articles SET read = 1 WHERE id IN (SELECT a.id FROM articles a{where}{extra})", args
            )
        return cur.rowcount

"""SQLite plumbing: connections (WAL, foreign keys, busy timeout), transactions and schema migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from monitor.core.errors import StoreError
from monitor.core.storage import schema_steps, story_rows, wordform_index

# A migration is SQL, or a function that runs in the migration's transaction (for steps SQL cannot do alone).
Migration = str | Callable[[sqlite3.Connection], None]

log = logging.getLogger(__name__)


class NewerSchemaError(StoreError):
    """The database was written by a newer Vigie; we refuse to touch it."""


BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 65_536  # the page cache of each connection, at most (SQLite's default: 2,000 KiB)

_V1 = """
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT NOT NULL UNIQUE,
    title                TEXT NOT NULL DEFAULT '',
    interval_minutes     INTEGER NOT NULL DEFAULT 15,
    etag                 TEXT,
    last_modified        TEXT,
    last_status          INTEGER,
    last_error           TEXT,
    last_fetched         TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll            TEXT,
    enabled              INTEGER NOT NULL DEFAULT 1,
    disabled_reason      TEXT,
    created              TEXT NOT NULL
);

CREATE TABLE articles (
    id                  INTEGER PRIMARY KEY,
    feed_id             INTEGER REFERENCES feeds(id) ON DELETE CASCADE,
    source              TEXT NOT NULL,
    dedup_key           TEXT NOT NULL,
    guid                TEXT,
    link                TEXT,
    title               TEXT NOT NULL DEFAULT '',
    summary             TEXT NOT NULL DEFAULT '',
    content             TEXT NOT NULL DEFAULT '',
    content_html        TEXT NOT NULL DEFAULT '',
    published           TEXT,
    published_estimated INTEGER NOT NULL DEFAULT 0,
    fetched             TEXT NOT NULL,
    lang                TEXT,
    content_hash        TEXT NOT NULL,
    first_seen          TEXT NOT NULL,
    last_updated        TEXT NOT NULL,
    poll_id             INTEGER NOT NULL DEFAULT 0,
    score               REAL NOT NULL DEFAULT 0,
    highlighted         INTEGER NOT NULL DEFAULT 0,
    alert               INTEGER NOT NULL DEFAULT 0,
    matches             TEXT NOT NULL DEFAULT '[]',
    read                INTEGER NOT NULL DEFAULT 0,
    starred             INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, dedup_key)
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_feed ON articles(feed_id, published);
CREATE INDEX articles_highlighted ON articles(highlighted, published);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, content,
    content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.id, new.title, new.summary, new.content);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary, old.content);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, content ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary, old.content);
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.id, new.title, new.summary, new.content);
END;
"""

# v2: which watchlist entries each article matched (sidebar counts and entry filters without parsing JSON at
# 200,000 rows), the per-feed mute of alerts, and a covering index for the unread counts.
_V2 = """
CREATE TABLE article_entries (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entry      TEXT NOT NULL,
    PRIMARY KEY (entry, article_id)
) WITHOUT ROWID;
CREATE INDEX article_entries_article ON article_entries(article_id);
ALTER TABLE feeds ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_unread ON articles(feed_id, read);
"""

# v3: indexes for the list at 200,000 articles (bench/window.py): sorting by score, title or star without sorting
# the whole table, the starred view, and a covering index for the sidebar's counts (view_counts and the unread
# counts per entry), which otherwise read every row of the (large) articles table.
_V3 = """
CREATE INDEX articles_score ON articles(score);
CREATE INDEX articles_title ON articles(title COLLATE NOCASE);
CREATE INDEX articles_starred ON articles(starred);
CREATE INDEX articles_counts ON articles(read, highlighted, starred, alert, source);
"""

# v4: sorting by source reads feed_id and source from this small index instead of the wide rows (figures in
# docs/BENCHMARKS.md).
_V4 = """
CREATE INDEX articles_source ON articles(feed_id, source);
"""

# v5: new articles are indexed by Store.save_items with one INSERT for the whole batch. Through the trigger, each
# article's INSERT ran as its own statement, and FTS5 writes its pending terms to disk at every statement's
# savepoint: a new index segment per article, merged again and again (figures in docs/BENCHMARKS.md). Updates
# and deletes keep their triggers. And the articles a poll alerted on are found without reading
# the whole table: each poll clears the last one's alerts and lists its own.
_V5 = """
DROP TRIGGER articles_fts_insert;
CREATE INDEX articles_alerts ON articles(poll_id) WHERE alert = 1;
"""

# v6: the store keeps facts about each feed's fetches, not a plan: the scheduler's jobs are the plan, armed from
# those facts by one rule (monitor.core.polling.due). next_poll goes; the deadline a server gave in Retry-After is
# kept as a fact. A failing feed keeps what the old plan promised it as its not-before time, so a feed that was
# backing off (or told by its server to wait) is not polled early after the upgrade.
_V6 = """
ALTER TABLE feeds ADD COLUMN retry_not_before TEXT;
UPDATE feeds SET retry_not_before = next_poll WHERE consecutive_failures > 0 AND next_poll IS NOT NULL;
ALTER TABLE feeds DROP COLUMN next_poll;
"""

# v7: folders, nested as the analyst's OPML has them (issue 20). A folder is one row per (parent, title): the
# unique index makes two folders of the same path one folder. A feed is in at most one folder; removing a
# folder never removes its feeds (they go to the top level). site_url keeps the OPML htmlUrl for the export.
_V7 = """
CREATE TABLE folders (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    title     TEXT NOT NULL CHECK (title <> ''),
    created   TEXT NOT NULL
);
CREATE UNIQUE INDEX folders_path ON folders(COALESCE(parent_id, 0), title);
ALTER TABLE feeds ADD COLUMN folder_id INTEGER REFERENCES folders(id) ON DELETE SET NULL;
ALTER TABLE feeds ADD COLUMN site_url TEXT;
CREATE INDEX feeds_folder ON feeds(folder_id);
"""

# v8: feed health (issue 20). last_fetched is the last attempt; last_success is the last attempt that worked (a
# feed whose last attempt worked gets that attempt). articles_feed gains highlighted, so the health view's figures
# (items per feed and day, highlighted share) come from this index alone, never from the wide rows.
_V8 = """
ALTER TABLE feeds ADD COLUMN last_success TEXT;
UPDATE feeds SET last_success = last_fetched WHERE consecutive_failures = 0;
DROP INDEX articles_feed;
CREATE INDEX articles_feed ON articles(feed_id, published, highlighted);
"""

# v9: the analyst's judgement of an item (issue 15): 'relevant', 'not-relevant' or NULL. It overrides the
# watchlist's highlight wherever a highlight is written (ingest.py, apply_scores), so re-scoring keeps it.
_V9 = """
ALTER TABLE articles ADD COLUMN judgement TEXT CHECK (judgement IN ('relevant', 'not-relevant'));
UPDATE articles SET highlighted = 1 WHERE judgement = 'relevant';
"""

# v10 is the word-form index (wordform_index.migrate_v10).

# v11-v16 and v18 (stories, cases, signals, revisions, entry pairs, names, the revisions index) are SQL scripts
# in schema_steps.py.

MIGRATIONS: list[Migration] = [
    _V1,
    _V2,
    _V3,
    _V4,
    _V5,
    _V6,
    _V7,
    _V8,
    _V9,
    wordform_index.migrate_v10,
    schema_steps.V11,
    schema_steps.V12,
    schema_steps.V13,
    schema_steps.V14,
    schema_steps.V15,
    schema_steps.V16,
    story_rows.migrate_v17,
    schema_steps.V18,
    # Team mode (issue 19): its tables are PostgreSQL's (pg_team_schema.py); one analyst on SQLite needs none.
    "SELECT 1",
    # Cases on PostgreSQL, each analyst's own (pg_team_schema.CASES_SQL); SQLite's v12 tables are one analyst's.
    "SELECT 1",
    # The name index on PostgreSQL (pg_schema v21): SQLite's is v16.
    "SELECT 1",
    # The word pairs' index for phrases is PostgreSQL's (pg_schema v22); FTS5 keeps positions in its own index.
    "SELECT 1",
    # Stories on PostgreSQL (pg_schema's v23: SQLite's v17 story rows there); SQLite has them since v17.
    "SELECT 1",
    story_rows.migrate_v24,  # each story's outlets, so grouping updates story rows from the new reports alone
    # The word pairs' index keyed by hashes on PostgreSQL (pg_schema v25); FTS5 keeps positions in its own index.
    "SELECT 1",
    # No planner statistics for PostgreSQL's pairs' index expression (pg_schema v26); nothing on SQLite.
    "SELECT 1",
    # PostgreSQL's stems by the article's language (pg_schema v27): SQLite's word-form index has done so since v10.
    "SELECT 1",
    # PostgreSQL's story_keys without their foreign key (pg_schema v28); SQLite's foreign keys cost no query.
    "SELECT 1",
    # PostgreSQL's pairs' keys computed in PL/pgSQL (pg_schema v29); SQLite has no pairs' index.
    "SELECT 1",
    schema_steps.V30,  # the days that have grouped articles (grouping's key reads skip the others)
    # PostgreSQL's poll makes its search vectors on another connection (pg_schema v31); FTS5 writes in the
    # transaction, in this process.
    "SELECT 1",
]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection with the pragmas every Vigie connection uses."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        log.warning("SQLite refused WAL mode (got %s) for %s", mode, path)
    conn.execute("PRAGMA synchronous = NORMAL")
    # SQLite's default page cache is 2 MB a connection: a first poll's writes to the articles' indexes and the
    # story keys (a store of some 200 MB after it) then read most pages back from the OS, page by page, and spill
    # dirty ones mid-transaction. Pages are taken as they are used, so a connection that reads little holds little.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN ... COMMIT, rolled back on any exception. Immediate by default so writers queue on busy_timeout."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup_database(conn: sqlite3.Connection, folder: Path, version: int) -> Path:
    """Copy the live database (consistently, through SQLite's backup API) before a migration touches it."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"vigie-schema{version}-{stamp}.sqlite3"
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    target.chmod(0o600)
    return target


def migrate(
    conn: sqlite3.Connection,
    backups: Path,
    migrations: list[Migration] | None = None,
    on_backup: Callable[[Path], None] | None = None,
) -> int:
    """Bring the schema to the newest version; returns the version reached.

    Raises NewerSchemaError for a database from a newer Vigie. An existing database is backed up first.
    """
    steps = MIGRATIONS if migrations is None else migrations
    current = schema_version(conn)
    target = len(steps)
    if current > target:
        raise NewerSchemaError(
            f"this database was written by a newer version of Vigie (schema {current}; this version knows "
            f"up to {target}). Upgrade Vigie, or point --data-dir at another folder."
        )
    if current == target:
        return current
    if current > 0:
        saved = backup_database(conn, backups, current)
        log.info("backed up schema %d database to %s before migrating", current, saved)
        if on_backup:
            on_backup(saved)
    for version in range(current + 1, target + 1):
        log.info("migrating database to schema %d", version)
        step = steps[version - 1]
        started = time.perf_counter()
        with transaction(conn):
            if callable(step):
                step(conn)
            else:
                for statement in _split_sql(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        log.info("schema %d reached in %.1f s", version, time.perf_counter() - started)
    return target


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole (executescript would COMMIT for us)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


class ConnectionPool:
    """One connection per thread: each thread gets its own, and `close_all` closes them at shutdown."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close_current(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                self._all.remove(conn)
            conn.close()

    def close_all(self) -> None:
        """Close every connection; only safe once no other thread uses the store any more."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

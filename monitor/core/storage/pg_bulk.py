"""PostgreSQL's side of a large `vigie migrate` (profile_copy.py): the articles sent with COPY, and, into an empty
store, the search indexes built once after the copy rather than row by row during it.

Why: the copy's cost on the server was each article's search-index work. Every stored article updates the GIN
indexes of `articles_search` (the words, the two stems' vectors, the word pairs: about 140 keys an article for the
pairs alone), one article at a time, and each batch's multi-row INSERT was a statement of 500 rows of literals to
parse. Into an empty store, the copy now drops the vectors' indexes first (the pairs' index, an expression,
stays: built after, it took longer than kept row by row; docs/BENCHMARKS.md section 32), fills the tables, then
builds each index in one pass over the table (a sorted build, with a larger `maintenance_work_mem`), which is
several times faster.
The per-row trigger that computes the search vectors still runs: its SQL is the schema's, so whatever a later
schema step makes it compute, the copy stores the same.

Interrupted copies: the dropped indexes' definitions are kept in the target's meta (DEFERRED_KEY) in the same
transaction that drops them, and the next `vigie migrate` builds them (whether or not it has articles to copy).
Until then the server answers searches without them (the same results, slower)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from monitor.core.storage.db import transaction
from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

DEFERRED_KEY = "profile_copy_deferred_indexes"  # the target's meta: [[name, definition], ...] to build
DEFERRED_TABLES = ("articles_search",)  # whose GIN indexes a copy into an empty store defers
BUILD_MEMORY = "512MB"  # maintenance_work_mem of each session that builds one (a limit, not an allocation)
BUILDERS = (
    2  # indexes built at once, each on its own connection (PostgreSQL 15 builds a GIN index on one core)
)
_STAGING = "vigie_copy_articles"

Say = Callable[[str], None]  # a step of the copy, in words (the CLI prints it)


def can_defer(target: Store) -> bool:
    """Whether the copy may drop and build the search indexes: PostgreSQL, and the session owns the tables."""
    if target.dialect.is_sqlite:
        return False
    marks = ", ".join("?" * len(DEFERRED_TABLES))
    owned = target.conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN "
        f"({marks}) AND pg_has_role(current_user, tableowner, 'MEMBER')",
        DEFERRED_TABLES,
    ).fetchone()[0]
    return int(owned) == len(DEFERRED_TABLES)


def defer_search_indexes(target: Store) -> list[str]:
    """Drop the GIN indexes of the search tables' columns, their definitions kept in meta (one transaction); the
    names. An index on an expression stays: its function's cost per article (the word pairs': about a millisecond)
    is the same built after or kept row by row, and kept, it runs in each of the copy's sessions, where PostgreSQL
    15 builds an index on one core (section 31 of docs/BENCHMARKS.md: 601 s of 1,120 at 200,000 articles)."""
    marks = ", ".join("?" * len(DEFERRED_TABLES))
    with transaction(target.conn):
        rows = target.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_index x ON x.indexrelid = "
            "to_regclass(quote_ident(i.indexname)) WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({marks}) AND i.indexdef LIKE '% USING gin %' AND x.indexprs IS NULL "
            "ORDER BY i.indexname",
            DEFERRED_TABLES,
        ).fetchall()
        if not rows:
            return []
        kept = json.loads(target.get_meta(DEFERRED_KEY) or "[]")
        kept += [[str(r[0]), str(r[1])] for r in rows]
        target.set_meta(DEFERRED_KEY, json.dumps(kept))
        for row in rows:
            target.conn.execute(f'DROP INDEX "{row[0]}"')
    log.info("the copy builds %d search indexes after its rows: %s", len(rows), [r[0] for r in rows])
    return [str(r[0]) for r in rows]


def pending_indexes(target: Store) -> list[str]:
    """The names of the indexes a copy dropped and has not built yet (an interrupted copy's)."""
    if target.dialect.is_sqlite:
        return []
    return [name for name, _ in json.loads(target.get_meta(DEFERRED_KEY) or "[]")]


def build_deferred_indexes(target: Store, say: Say | None = None) -> int:
    """Build the indexes a copy dropped (each in one pass, BUILDERS at a time on their own connections, each
    forgotten from meta once built), then refresh the planner's statistics; returns how many were built."""
    kept = json.loads(target.get_meta(DEFERRED_KEY) or "[]") if not target.dialect.is_sqlite else []
    if not kept:
        return 0
    lock = threading.Lock()

    def build(at: int, name: str, definition: str) -> None:
        conn = target.conn  # this thread's own connection
        try:
            if say:
                say(f"building the search index {name} ({at} of {len(kept)})")
            started = time.perf_counter()
            conn.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
            conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            log.info("built %s in %.0f s", name, time.perf_counter() - started)
            with lock, transaction(conn):  # forget it at once: an interruption now builds only the rest
                left = [k for k in json.loads(target.get_meta(DEFERRED_KEY) or "[]") if k[0] != name]
                if left:
                    target.set_meta(DEFERRED_KEY, json.dumps(left))
                else:
                    conn.execute("DELETE FROM meta WHERE key = ?", (DEFERRED_KEY,))
            conn.execute("RESET maintenance_work_mem")
        finally:
            target.release_thread()

    with ThreadPoolExecutor(BUILDERS, thread_name_prefix="index-build") as pool:
        for future in [
            pool.submit(build, at, name, definition) for at, (name, definition) in enumerate(kept, 1)
        ]:
            future.result()
    target.conn.execute("ANALYZE articles")
    for table in DEFERRED_TABLES:
        target.conn.execute(f"ANALYZE {table}")
    return len(kept)


def insert_articles(
    target: Store, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[tuple[str, str], int]:
    """Insert `rows` (values of `columns`, which name `source` and `dedup_key`) into articles, those whose
    (source, dedup_key) the target lacks: sent with COPY into a temporary table, then one INSERT ... SELECT.
    Runs in the caller's transaction; returns (source, dedup_key) -> new id of the rows inserted."""
    raw = target.conn.raw  # type: ignore[attr-defined]
    names = ", ".join(columns)
    raw.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} AS "
        f"SELECT 0::bigint AS copy_order, {names} FROM articles WITH NO DATA"
    )
    raw.execute(f"TRUNCATE {_STAGING}")
    with raw.cursor().copy(f"COPY {_STAGING} (copy_order, {names}) FROM STDIN") as copy:
        for order, row in enumerate(rows):
            copy.write_row((order, *row))
    cursor = raw.execute(
        f"INSERT INTO articles ({names}) SELECT {names} FROM {_STAGING} ORDER BY copy_order "
        "ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id, source, dedup_key"
    )
    return {(r[1], r[2]): int(r[0]) for r in cursor.fetchall()}

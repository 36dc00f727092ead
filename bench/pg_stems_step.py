"""The time of PostgreSQL's schema step 27 (each article's stems in its own language only) on a store written before
it: N articles with both stems' vectors, then the step run as an upgrade runs it (pg_schema.migrate), its wall, the
server backend's CPU, the rows it rewrote and the search table's size before and after.

Run from the repository root: ``.venv/bin/python bench/pg_stems_step.py [--articles 50000]``. The articles are
bench/pg_ingest_costs.py's (60 % tagged French, 40 % English): 2,000 saved as a poll saves them, the rest copies of
those made by the server (INSERT ... SELECT, each copy's vectors computed by the search trigger of schemas 22-26).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
from _pgcpu import backend_cpu_seconds
from pg_ingest_costs import items

from monitor.core.storage import pg_schema
from monitor.core.storage.pg_schema_steps import V22_SQL
from monitor.core.storage.store import Store
from tests.pg_server import throwaway_server

BASE = 2_000
_SIZE = (
    "SELECT pg_total_relation_size('articles_search'), (SELECT count(*) FROM articles_search"
    " WHERE french <> '' AND english <> '')"
)


def _copies(store: Store, total: int) -> None:
    """Copies of the first BASE articles, made by the server, until the store holds `total`."""
    columns = [
        r[0]
        for r in store.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
            " AND column_name NOT IN ('id', 'guid', 'link', 'dedup_key') ORDER BY ordinal_position"
        ).fetchall()
    ]
    listed = ", ".join(columns)
    held = BASE
    copy = 0
    while held < total:
        copy += 1
        n = min(BASE, total - held)
        store.conn.execute(
            f"INSERT INTO articles(guid, link, dedup_key, {listed})"
            f" SELECT guid || '-{copy}', link || '-{copy}', dedup_key || '-{copy}', {listed}"
            f" FROM articles WHERE id IN (SELECT id FROM articles ORDER BY id LIMIT {n})"
        )
        held += n


def _rebuilt(store: Store) -> None:
    """Step 27 with the search table's GIN indexes dropped before the rewrite and built again after it."""
    indexes = store.conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_search' AND indexdef LIKE '%gin%'"
    ).fetchall()
    step = pg_schema.PG_MIGRATIONS[27]
    store.conn.execute("BEGIN")
    store.conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, _ in indexes:
        store.conn.execute(f"DROP INDEX {name}")
    store.conn.execute(step)
    for _, definition in indexes:
        store.conn.execute(definition)
    store.conn.execute("ALTER INDEX articles_search_pair_keys ALTER COLUMN 1 SET STATISTICS 0")
    store.conn.execute("INSERT INTO vigie_schema(version) VALUES (27)")
    store.conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="the search table's GIN indexes dropped before the rows' rewrite, built after",
    )
    args = parser.parse_args()
    print(f"machine: {fx.machine()}")
    with throwaway_server() as url:
        store = Store.open(Path(tempfile.mkdtemp()) / "unused.sqlite3", database=url)
        store.conn.execute(V22_SQL[: V22_SQL.index("CREATE FUNCTION vigie_pairs")])  # the trigger before 27
        store.add_feeds([("http://news.invalid/feed", "")], 60)
        feed_id = int(store.conn.execute("SELECT id FROM feeds").fetchone()[0])
        batch = items(BASE)
        started = time.perf_counter()
        for start in range(0, BASE, 40):
            store.save_items(
                source="http://news.invalid/feed",
                feed_id=feed_id,
                items=batch[start : start + 40],
                fetched_at="2026-12-06T22:00:00+00:00",
                poll_id=1,
            )
        _copies(store, args.articles)
        store.conn.execute("VACUUM ANALYZE")
        store.conn.execute("DELETE FROM vigie_schema WHERE version = 27")
        size, both = store.conn.execute(_SIZE).fetchone()
        langs = {
            r[0]: r[1]
            for r in store.conn.execute("SELECT coalesce(lang, 'none'), count(*) FROM articles GROUP BY 1")
        }
        print(
            f"{args.articles:,} articles ({langs}) written in {time.perf_counter() - started:.0f} s;"
            f" {both:,} with both stems' vectors; articles_search and its indexes {size / 1e6:,.0f} MB"
        )
        cpu, wall = backend_cpu_seconds(store.conn), time.perf_counter()
        if args.rebuild:
            _rebuilt(store)
        else:
            pg_schema.migrate(store.conn)
        took, cpu = time.perf_counter() - wall, backend_cpu_seconds(store.conn) - cpu
        size_after, both_after = store.conn.execute(_SIZE).fetchone()
        print(
            f"step 27: {took:.1f} s wall, server backend CPU {cpu:.1f} s ({cpu * 1000 / args.articles:.2f} ms an"
            f" article); {both_after:,} with both vectors after; articles_search and its indexes"
            f" {size_after / 1e6:,.0f} MB (before VACUUM)"
        )
        started = time.perf_counter()
        store.conn.execute("VACUUM articles_search")
        size_vacuumed = store.conn.execute(_SIZE).fetchone()[0]
        print(
            f"VACUUM articles_search: {time.perf_counter() - started:.1f} s, then {size_vacuumed / 1e6:,.0f} MB"
        )
        store.close()
    print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()

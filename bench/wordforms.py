"""Stemmed search and language (issue 15): the migration to schema 10 on 200,000 articles, the index's size, and
the searches of bench/window.py with their word forms, straight on the store (no window).

Run from the repository root: ``.venv/bin/python bench/wordforms.py [--articles 200000] [--untagged]``.
Works on a private copy of the cached profile (bench/_fixtures.py), taken back to schema 9 (the word-form table,
its triggers and the Lang index dropped, each article's language as a schema-9 store kept it: "fr" or "en" as
the feed declared). ``--untagged`` forgets every article's language first (a store whose feeds never declared
one): the migration then indexes each article under both stemmers. It also times the detector on 2,000 of the
articles, which the migration leaves out (monitor/core/storage/wordform_index.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
from window import SEARCHES

from monitor.core.models import ArticleQuery
from monitor.core.parsing import language
from monitor.core.storage import db, wordform_index
from monitor.core.storage.store import Store


def index_sizes(conn: sqlite3.Connection) -> dict[str, float]:
    """MB of the database, the text index (articles_fts*) and the word-form index (articles_stems*)."""
    sizes = {"database": 0.0, "articles_fts": 0.0, "articles_stems": 0.0}
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        sizes["database"] += size / 1e6
        for prefix in ("articles_fts", "articles_stems"):
            if name.startswith(prefix):
                sizes[prefix] += size / 1e6
    return sizes


def back_to_schema_9(path: Path, untagged: bool) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("DROP TRIGGER articles_stems_delete")
    conn.execute("DROP TRIGGER articles_stems_update")
    conn.execute("DROP TABLE articles_stems")
    conn.execute("DROP INDEX articles_lang")
    if untagged:
        conn.execute("UPDATE articles SET lang = NULL")
    conn.execute("PRAGMA user_version = 9")
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=fx.N_ARTICLES)
    parser.add_argument(
        "--untagged", action="store_true", help="no stored language: the migration detects all"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each search")
    parser.add_argument("--sequential", action="store_true", help="the migration stems in this process alone")
    args = parser.parse_args()
    if args.sequential:
        wordform_index.PARALLEL_ARTICLES = sys.maxsize
    logging.basicConfig(level=logging.INFO, format="  %(message)s")
    print(f"machine: {fx.machine()}")
    source = fx.profile(args.articles)
    work = fx.copy_profile(source, fx.BENCH_DIR / "wordforms")
    path = work / "vigie.sqlite3"
    conn = sqlite3.connect(path)
    built = index_sizes(conn)
    conn.close()
    print(
        f"{args.articles:,} articles: database {built['database']:,.0f} MB, "
        f"text index {built['articles_fts']:,.0f} MB, word-form index {built['articles_stems']:,.0f} MB "
        f"(+{100 * built['articles_stems'] / (built['database'] - built['articles_stems']):.0f}% of the database)"
    )

    back_to_schema_9(path, args.untagged)
    conn = db.connect(path)
    before = index_sizes(conn)["database"]
    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    db.migrate(conn, work / "backups")
    total = time.perf_counter() - started
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = mine.ru_utime + mine.ru_stime - cpu[0].ru_utime - cpu[0].ru_stime
    workers = children.ru_utime + children.ru_stime - cpu[1].ru_utime - cpu[1].ru_stime
    print(
        f"  CPU during the migration: this process {own:.1f} s, worker processes {workers:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    conn.close()
    print(
        f"MIGRATION 9 -> 10 ({'every language detected' if args.untagged else 'languages as stored'}): "
        f"{total:.1f} s including the backup of the {before:,.0f} MB database (the step's own time is logged "
        "above as 'schema 10 reached')"
    )
    shutil.rmtree(work / "backups", ignore_errors=True)

    conn = sqlite3.connect(path)
    samples = [
        language.sample(*row)
        for row in conn.execute("SELECT title, summary, content FROM articles LIMIT 2000")
    ]
    conn.close()
    language.detect("chargement du détecteur de langue")  # its models load once per process
    started = time.perf_counter()
    for text in samples:
        language.detect(text)
    per_item = (time.perf_counter() - started) / len(samples) * 1e3
    print(
        f"DETECTION: {per_item:.2f} ms an article on its {language.SAMPLE_CHARS}-character sample "
        f"({per_item * args.articles / 1e3:.0f} s of CPU for {args.articles:,} articles)"
    )

    store = Store.open(path, work / "backups")
    per: list[tuple[str, float, int]] = []
    for q in [*SEARCHES, "menace", "menacées", "arrest", "arrested", "enquête"]:
        query = ArticleQuery(search=q)
        times = []
        for _ in range(args.repeat):
            store.conn.execute("PRAGMA shrink_memory")
            t = time.perf_counter()
            hits = store.count(query)
            store.rows(query, 0, 40)
            times.append((time.perf_counter() - t) * 1e3)
            store._query_cache = {}  # type: ignore[attr-defined]  # each run counts again, as a new search does
        per.append((q, fx.median(times), hits))
    store.close()
    ms = [p[1] for p in per]
    print(
        f"SEARCH on the store (count + first page of 40, median of {args.repeat} runs each, {len(per)} queries): "
        f"median {fx.median(ms):.1f} ms, p95 {fx.percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms"
    )
    for q, t, hits in per:
        print(f"  search {q!r:<28} {t:7.1f} ms  {hits:>9,} hits")


if __name__ == "__main__":
    main()

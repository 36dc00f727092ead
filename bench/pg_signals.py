"""Signals on PostgreSQL (issue 19, team mode): the timeline, co-occurrence, spike check and emerging names at
200,000 articles on a throwaway server, each the median of a few runs.

Run from the repository root: ``.venv/bin/python bench/pg_signals.py [--articles 200000] [--repeat 5]``. The
server is started for the run (tests/pg_server.py, fsync off). The articles are written by SQL on the server
(short texts, spread over 200 days; the search vectors by the schema's trigger); each default watchlist entry
is linked as in bench/signals.py (three entries in one article of five, the others in one of fifty), an entry
spikes in the last hour, and one article in three of the newest 2,000 is highlighted and names a new name.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from signals import timed  # noqa: E402  (bench/signals.py: median ms of repeated calls, and the last result)

from monitor.core.matching.watchlist import load_default_watchlist  # noqa: E402
from monitor.core.service import VigieCore  # noqa: E402
from monitor.core.storage.store import Store  # noqa: E402
from monitor.paths import AppPaths  # noqa: E402
from tests.pg_server import throwaway_server  # noqa: E402

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PLANTED = (
    "Karim Zeroual, the lawyer of Amine Kessaci, spoke to the Office anti-stupéfiants (OFAST) in Marseille."
)


def fill(url: str, articles: int) -> None:
    """The articles, their entries, the spike and the planted name, written on the server."""
    import psycopg

    stamp = '\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\''
    span = 200 * 24 * 3600 // articles  # seconds between two articles
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO feeds(url, created) VALUES ('http://bench.invalid/rss', '2026-01-01T00:00:00+00:00')"
        )
        conn.execute(
            f"""INSERT INTO articles(feed_id, source, dedup_key, title, content, published, fetched, content_hash,
                   first_seen, last_updated)
                SELECT 1, 'http://bench.invalid/rss', 'k' || g, 'Article ' || g, 'Text of article ' || g,
                       to_char(timestamp '{NOW:%Y-%m-%d %H:%M:%S}' - g * interval '{span} seconds', {stamp}),
                       '2026-12-06T12:00:00+00:00', 'h' || g, '2026-12-06T12:00:00+00:00',
                       '2026-12-06T12:00:00+00:00'
                FROM generate_series(1, {articles}) g"""
        )
        for k, entry in enumerate(load_default_watchlist().entries):
            share = 5 if k < 3 else 50
            conn.execute(
                "INSERT INTO article_entries(article_id, entry) SELECT id, %s FROM articles "
                "WHERE (id * 7919 + %s) %% %s = 0 ON CONFLICT DO NOTHING",
                (entry.name, k, share),
            )
        conn.execute(
            "INSERT INTO article_entries(article_id, entry) SELECT id, 'PNACO' FROM articles "
            "WHERE id <= 8 ON CONFLICT DO NOTHING"
        )
        conn.execute(
            "UPDATE articles SET highlighted = 1, content = %s || ' ' || content WHERE id <= 2000 AND id %% 3 = 0",
            (PLANTED,),
        )
        conn.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, throwaway_server() as url:
        Store.open(Path(folder) / "unused.sqlite3", database=url).close()  # the schema
        t0 = time.perf_counter()
        fill(url, args.articles)
        print(f"{args.articles:,} articles written on the server in {time.perf_counter() - t0:.0f} s")
        core = VigieCore(AppPaths(Path(folder) / "profile"), database=url, clock=lambda: NOW)
        try:
            counts = core.store.conn.execute(
                "SELECT entry, count(*) FROM article_entries GROUP BY entry ORDER BY 2 DESC"
            ).fetchall()
            busiest = counts[0][0]
            print(
                f"article_entries rows: {sum(c for _, c in counts):,}; busiest {busiest!r}: {counts[0][1]:,}"
            )
            for by in ("hour", "day", "week"):
                ms, rows = timed(lambda by=by: core.signals.timeline([busiest], by=by), args.repeat)
                print(f"timeline {busiest!r} by {by}, all time: {ms:.1f} ms ({len(rows)} periods)")
            five = [c[0] for c in counts[:5]]
            ms, rows = timed(lambda: core.signals.timeline(five, by="day"), args.repeat)
            print(f"timeline of the 5 busiest entries by day, all time: {ms:.1f} ms ({len(rows)} rows)")
            since = (NOW - timedelta(days=30)).isoformat()
            for label, start in (("all time", None), ("last 30 days", since)):
                ms, found = timed(lambda start=start: core.signals.cooccurrence(since=start), args.repeat)
                print(f"co-occurrence, {label}: {ms:.1f} ms ({len(found.pairs)} pairs)")
            ms, _ = timed(core.signals.check_spikes, args.repeat)
            print(f"spike check after a poll (detection + memory): {ms:.1f} ms")
            t0 = time.perf_counter()
            names = core.signals.emerging(since="2026-11-01")
            first = time.perf_counter() - t0
            indexed = core.store.conn.execute("SELECT count(*) FROM names_indexed").fetchone()[0]
            print(f"emerging names, first (catching up {indexed:,} articles): {first:.2f} s")
            ms, names = timed(lambda: core.signals.emerging(since="2026-11-01"), args.repeat)
            top = names[0].name if names else None
            print(f"emerging names, indexed: {ms:.1f} ms ({len(names)} names; first {top!r})")
        finally:
            core.close()


if __name__ == "__main__":
    main()

"""Signals at 200,000 articles (issue 17): the timeline query, spike detection, emerging names, co-occurrence.

Run from the repository root: ``.venv/bin/python bench/signals.py [--articles 200000] [--repeat 7]``. Works on a
private copy of the cached profile (bench/_fixtures.py) in which each default watchlist entry is linked to about
2% of the articles (article_entries, as a re-score would; a few entries far more, as a story's names are), and
in which one article in three of the newest 2,000 is highlighted and names a planted new name next to a watched
entry, and an entry spikes in the last hour. Prints
medians (and the one-off catch-up of the name index); the figures go in docs/BENCHMARKS.md, section Signals.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.support.clock import parse_iso
from monitor.paths import AppPaths

PLANTED = (
    "Karim Zeroual, the lawyer of Amine Kessaci, spoke to the Office anti-stupéfiants (OFAST) in Marseille."
)


def setup_copy(work: Path) -> str:
    """Link the entries to articles (dates copied beside them, as the schema-14 trigger does), plant a new name
    in the newest articles; returns the newest article's date."""
    conn = sqlite3.connect(work / "vigie.sqlite3", isolation_level=None)
    conn.execute("BEGIN")
    for k, entry in enumerate(load_default_watchlist().entries):
        share = 5 if k < 3 else 50  # three entries in one article out of five, the others in one out of fifty
        conn.execute(
            "INSERT OR IGNORE INTO article_entries(article_id, entry, published) "
            "SELECT id, ?, published FROM articles WHERE (id * 7919 + ?) % ? = 0",
            (entry.name, k, share),
        )
    bench = (
        "source LIKE 'http://bench.invalid/%'"  # not the seeds, whose dates lie outside the fixture's span
    )
    newest = conn.execute(f"SELECT max(published) FROM articles WHERE {bench}").fetchone()[0]
    ids = [
        r[0]
        for r in conn.execute(f"SELECT id FROM articles WHERE {bench} ORDER BY published DESC LIMIT 2000")
    ]
    # A planted spike: eight articles of the last hour name an entry usually named a few times a day.
    spike = [
        r[0] for r in conn.execute(f"SELECT id FROM articles WHERE {bench} ORDER BY published DESC LIMIT 8")
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO article_entries(article_id, entry, published) VALUES (?, 'PNACO', ?)",
        [(i, newest) for i in spike],
    )
    conn.executemany(
        "UPDATE articles SET highlighted = 1, content = ? || ' ' || content WHERE id = ?",
        [(PLANTED, i) for i in ids[::3]],
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return newest


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return fx.median(times) * 1000, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=fx.N_ARTICLES)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    source = fx.profile(args.articles)
    with tempfile.TemporaryDirectory(prefix="vigie-signals-") as tmp:
        work = fx.copy_profile(source, Path(tmp) / "profile")
        newest = setup_copy(work)
        now = (parse_iso(newest) or parse_iso("2026-01-01")) + timedelta(minutes=5)  # type: ignore[operator]
        core = VigieCore(AppPaths(work), clock=lambda: now)
        try:
            entries = [e.name for e in core.watchlist.entries]
            counts = core.store.conn.execute(
                "SELECT entry, count(*) FROM article_entries GROUP BY entry ORDER BY 2 DESC"
            ).fetchall()
            print(
                f"{args.articles:,} articles; {len(entries)} entries; article_entries rows: "
                f"{sum(c for _, c in counts):,}; busiest entry {counts[0][0]!r}: {counts[0][1]:,} articles"
            )
            print(fx.machine())
            busiest = counts[0][0]
            for by in ("hour", "day", "week"):
                ms, rows = timed(lambda by=by: core.signals.timeline([busiest], by=by), args.repeat)
                print(f"timeline {busiest!r} by {by}, all time: {ms:.1f} ms ({len(rows)} periods)")
            # Stories: the fixture's articles are not grouped; here each run of 50 ids of the busiest entry's
            # articles is one story (what grouping stores: the story's first article id), the rest stay ungrouped.
            core.store.conn.execute(
                "UPDATE articles SET story = id - id % 50 WHERE id IN "
                "(SELECT article_id FROM article_entries WHERE entry = ?)",
                (busiest,),
            )
            for by in ("day", "week"):
                ms, rows = timed(
                    lambda by=by: core.signals.timeline([busiest], by=by, unit="stories"), args.repeat
                )
                print(
                    f"timeline {busiest!r} counting stories, by {by}, all time: {ms:.1f} ms ({len(rows)} periods, "
                    f"{sum(r.count for r in rows):,} story-periods)"
                )
            five = [c[0] for c in counts[:5]]
            ms, rows = timed(lambda: core.signals.timeline(five, by="day"), args.repeat)
            print(f"timeline of the 5 busiest entries by day, all time: {ms:.1f} ms ({len(rows)} rows)")
            since = (now - timedelta(days=30)).isoformat()
            ms, rows = timed(lambda: core.signals.timeline(five, by="day", since=since), args.repeat)
            print(f"timeline of the 5 busiest entries by day, last 30 days: {ms:.1f} ms ({len(rows)} rows)")
            pairs = core.store.conn.execute("SELECT count(*) FROM article_entry_pairs").fetchone()[0]
            for label, start in (("all time", None), ("last 30 days", since)):
                ms, found = timed(lambda start=start: core.signals.cooccurrence(since=start), args.repeat)
                print(
                    f"co-occurrence, {label}: {ms:.1f} ms ({len(found.mentions)} entries, {len(found.pairs)} "
                    f"pairs; article_entry_pairs rows: {pairs:,})"
                )
            top = found.pairs[0]
            both = ArticleQuery(entries_all=(top.a, top.b))
            ms, count = timed(lambda: core.store.count(both), args.repeat)
            print(f"list filter 'names both' {top.a!r} + {top.b!r}: count {ms:.1f} ms ({count} articles)")
            ms, page = timed(lambda: core.store.rows(both, 0, 200), args.repeat)
            print(f"list filter 'names both': first page of 200 rows {ms:.1f} ms ({len(page)} rows)")
            ms, spikes = timed(lambda: core.signals.spikes.current_spikes(now), args.repeat)
            print(f"spike detection over {len(entries)} entries: {ms:.1f} ms ({len(spikes)} spiking)")
            ms, _ = timed(core.signals.check_spikes, args.repeat)
            print(f"spike check after a poll (detection + memory): {ms:.1f} ms")
            read = core.store.conn.execute(
                "SELECT count(*) FROM articles WHERE highlighted = 1 AND published >= ?",
                ((now - timedelta(weeks=4)).isoformat(),),
            ).fetchone()[0]
            # The name index (schema 16) is written at ingest; this copy's highlighted articles were made by SQL
            # around the store, as those of a profile from before schema 16 are: the background catch-up indexes
            # them once (the window runs it on its task runner after opening the profile).
            missing = core.signals.names_to_index()
            t0 = time.perf_counter()
            core.signals.index_names()
            catch_up = time.perf_counter() - t0
            rows = core.store.conn.execute("SELECT count(*) FROM article_names").fetchone()[0]
            print(
                f"name index catch-up: {missing:,} highlighted articles in {catch_up:.1f} s "
                f"({catch_up / max(1, missing) * 1000:.2f} ms each; {rows:,} article_names rows)"
            )
            ms, names = timed(core.signals.emerging, args.repeat)
            top = ", ".join(f"{n.name} ({n.articles})" for n in names[:3])
            print(
                f"emerging names over {min(read, 3000):,} highlighted articles of 4 weeks: {ms:.0f} ms "
                f"({len(names)} names); top: {top}"
            )
        finally:
            core.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

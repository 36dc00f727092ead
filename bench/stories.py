"""Stories: grouping 2,000 new items into a 200,000-article store, and the story list at that size.

Run from the repository root: ``.venv/bin/python bench/stories.py [--new 2000] [--repeat 3] [--offered]
[--postgresql]`` (``--offered``: the story features made before the timing, as the parser processes of a large
poll make them; ``--postgresql``: the prepared store moved into a throwaway PostgreSQL by `vigie migrate`'s copy,
story index included, and the runs timed there: tests/pg_server.py, fsync off).

A private copy of the cached 200,000-article profile (bench/_fixtures.py) gets its stories first: the articles of
the last `--indexed-days` days (150 by default: more than any look-up reaches back, 120 days for a thread) are
grouped through the real code, the older ones are made stories of one report each without index rows (on this
2-core machine under load, grouping all 200,000 would take most of an hour: the first polls after the upgrade
do it 25,000 at a time). Then each run inserts `--new` items published over the store's last three days (where
candidates are densest), times `group_new_articles` on them, and deletes them again. Also prints the time of
`VigieCore.stories()` at that size: the last 7 days (what the story view opens on) and everything.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

from monitor.core.models import ArticleQuery, ParsedItem, StoryQuery
from monitor.core.service import VigieCore
from monitor.core.storage.db import transaction
from monitor.core.storage.profile_copy import copy_profile
from monitor.core.storage.store import Store
from monitor.core.stories.grouping import Grouper, group_new_articles
from monitor.core.stories.text import story_features
from monitor.paths import AppPaths
from tests.pg_server import empty_database, throwaway_server


def new_items(n: int, seed: int, last: datetime) -> list[ParsedItem]:
    """`n` items like the profile's, published over the three days before `last`; one in four is a reprint of an
    earlier one of the batch (a new headline, the same text) so that some join a story."""
    wl = fx.bench_watchlist()
    gen = fx.TextGenerator(seed, fx.watchlist_terms(wl), term_rate=1 / 200)
    rng = random.Random(seed)
    items: list[ParsedItem] = []
    for i in range(n):
        lang = "fr" if rng.random() < 0.6 else "en"
        if items and rng.random() < 0.25:
            source = rng.choice(items)
            summary, content = source.summary, source.content
        else:
            summary, content = gen.words(rng.randint(30, 60), lang), gen.text(rng.randint(600, 1400), lang)
        published = last - timedelta(seconds=rng.randrange(3 * 24 * 3600))
        items.append(
            ParsedItem(
                guid=f"new-{seed}-{i}",
                link=f"http://new{i % 50}.bench.invalid/a/{seed}/{i}",
                title=gen.words(rng.randint(6, 14), lang),
                summary=summary,
                content=content,
                content_html="",
                published=published.isoformat(timespec="seconds"),
                lang=lang,
            )
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--indexed-days", type=int, default=150)
    parser.add_argument(
        "--offered",
        action="store_true",
        help="the items' story features made before the timing, as a poll's parser processes make them",
    )
    parser.add_argument("--postgresql", action="store_true", help="time the runs on a throwaway PostgreSQL")
    args = parser.parse_args()
    print(f"machine: {fx.machine()}")
    with throwaway_server() if args.postgresql else contextlib.nullcontext() as url:
        run(args, url)


def run(args: argparse.Namespace, url: str | None) -> None:
    folder = fx.copy_profile(fx.profile_200k(), fx.BENCH_DIR / "stories-200k")
    core = VigieCore(AppPaths(folder))
    store = core.store
    total = store.count_all()
    last = datetime.fromisoformat(store.conn.execute("SELECT max(published) FROM articles").fetchone()[0])
    cutoff = (last - timedelta(days=args.indexed_days)).isoformat(timespec="seconds")
    with transaction(store.conn):
        store.conn.execute(
            "UPDATE articles SET story = id, thread = id WHERE story IS NULL AND published < ?", (cutoff,)
        )
    t, cpu = time.perf_counter(), time.process_time()
    done = group_new_articles(store)
    print(
        f"grouping the {done.grouped:,} articles of the last {args.indexed_days} days of the {total:,}-article "
        f"store: {time.perf_counter() - t:.1f} s ({time.process_time() - cpu:.1f} s of CPU; "
        f"{done.new_stories:,} stories)",
        flush=True,
    )
    if url is not None:  # the prepared store moved in, as `vigie migrate --to URL` moves a profile
        Store.open(folder / "unused.sqlite3", database=url).close()
        target = Store.open(folder / "unused.sqlite3", database=empty_database(url))
        t = time.perf_counter()
        report = copy_profile(store, target)
        target.conn.execute("ANALYZE")
        target.close()
        core.close()
        core = VigieCore(AppPaths(folder), database=url, rescore_at_start=False)
        store = core.store
        print(
            f"moved into PostgreSQL in {time.perf_counter() - t:.0f} s ({report.articles.copied:,} articles, "
            f"{report.stories:,} stories, check {'ok' if report.ok else report.missing})",
            flush=True,
        )
    runs: list[float] = []
    cpus: list[float] = []
    for run in range(args.repeat):
        items = new_items(args.new, 1000 + run, last.astimezone(UTC))
        pending = store.prepare("http://new.bench.invalid/feed.xml", items)
        store.save_items(
            source="http://new.bench.invalid/feed.xml",
            feed_id=None,
            items=[(p, core.matcher.assess(p.item.title, p.item.summary, p.item.content)) for p in pending],
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            poll_id=10_000 + run,
        )
        grouper = Grouper(store)
        if args.offered:  # what the parser processes of a poll of PARALLEL_FEEDS feeds or more hand over
            grouper.offer(
                (
                    i.title,
                    i.summary,
                    i.content,
                    i.lang,
                    story_features(i.title, i.summary, i.content, lang_hint=i.lang),
                )
                for i in items
            )
        t, cpu = time.perf_counter(), time.process_time()
        grouped = group_new_articles(store, grouper=grouper)
        runs.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
        print(
            f"  run {run + 1}: {grouped.grouped:,} new items grouped in {runs[-1]:.2f} s ({cpus[-1]:.2f} s CPU) "
            f"({grouped.new_stories:,} new stories; features made here for {grouper.made_here:,}) into "
            f"{store.count_all():,} articles",
            flush=True,
        )
        store.conn.execute("DELETE FROM articles WHERE source = 'http://new.bench.invalid/feed.xml'")
    print(
        f"grouping {args.new:,} new items into {total:,} articles: median {fx.median(runs):.2f} s, "
        f"{fx.median(cpus):.2f} s of CPU (target < 2 s; load average {os.getloadavg()[0]:.1f})"
    )
    week = (last - timedelta(days=7)).isoformat(timespec="seconds")
    lists = fx.timed(lambda: core.stories(since=week), 3)
    print(
        f"the story list of the last 7 days (what the story view opens on): median {fx.median(lists):.2f} s"
    )
    lists = fx.timed(lambda: core.stories(), 3)
    print(f"the whole story list (VigieCore.stories) at {total:,} articles: median {fx.median(lists):.2f} s")
    for name, query in [
        ("the story view's first page", StoryQuery()),
        ("sorted by reports", StoryQuery(sort="reports")),
        ("unread only", StoryQuery(ArticleQuery(unread_only=True))),
        ("the highlighted view", StoryQuery(ArticleQuery(view="highlighted"))),
        ("a search (police)", StoryQuery(ArticleQuery(search="police"))),
    ]:
        pages = fx.timed(lambda q=query: (core.story_count(q), core.story_rows(q, 0, 200)), 3)  # type: ignore[misc]
        print(f"{name} (count + 200 story rows): median {fx.median(pages) * 1000:.0f} ms", flush=True)
    core.close()
    print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()

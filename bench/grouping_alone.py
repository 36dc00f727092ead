"""Grouping alone, as a first poll does it: the articles of a first poll stored once without grouping, then grouped
in a copy of that profile feed by feed (`--per-call` articles per call of group_new_articles, one Grouper, the
story rows left to a later call as the poll's feeds do), timed in CPU of this process; optionally profiled, and
the stories and threads written out so that two runs (two PYTHONHASHSEED values) can be compared.

Run from the repository root: ``.venv/bin/python bench/grouping_alone.py [--feeds 500] [--items 40]
[--dev DIR] [--offered] [--profile N] [--dump FILE] [--batched N] [--skip-grouping] [--no-decisions]``.
``--offered`` makes the story features beforehand and offers them, as a large poll's parser processes do.
``--batched N`` groups the calls' feeds as the poll does (polling/story_batches.py: in one transaction once they
bring N articles). ``--dev`` stores the labelled feeds of the stories dev set instead of the bench's synthetic
feeds. ``--skip-grouping`` does all but the grouping (the baseline of bench/grouping_instructions.py).
``--no-decisions`` groups without looking up or comparing (bench/_no_decisions.py: each article a story of its
own): grouping's CPU but its decisions. The stored profile is kept in $VIGIE_BENCH_DIR and reused.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
import _no_decisions
from _feedserver import FeedFarm

from monitor.core.polling.story_batches import group_feeds, landed_articles
from monitor.core.service import VigieCore
from monitor.core.storage.store import Store
from monitor.core.stories.grouping import Grouper, group_new_articles
from monitor.core.stories.text import story_features
from monitor.core.support.collector import tune_collector
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths


def stored_poll(folder: Path, feeds: int, items: int, dev: Path | None) -> None:
    """A profile with one first poll stored, its articles without a story (the poll's grouping skipped)."""
    if (folder / "done").exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    settings = FetchSettings(per_host_delay=0, max_concurrency=8)
    if dev is not None:
        from monitor.evaluate import serve

        server, base = serve(dev / "feeds")
        try:
            core = VigieCore(AppPaths(folder), fetch_settings=settings)
            for path in sorted((dev / "feeds").glob("*.xml")):
                core.add_feed(f"{base}/{path.name}")
            core.poll(stories=False)
            core.close()
        finally:
            server.shutdown()
            server.server_close()
    else:
        with FeedFarm(feeds, items, 8) as farm:
            core = VigieCore(AppPaths(folder), fetch_settings=settings)
            core.store.add_feeds([(u, "") for u in farm.urls], 60)
            core.poll(stories=False)
            core.close()
    (folder / "done").write_text("stored\n")


def group_as_a_poll(store: Store, grouper: Grouper, args: argparse.Namespace) -> tuple[int, int]:
    """Every ungrouped article grouped as a poll's feeds group them: (articles grouped, new stories)."""
    grouped = stories = 0
    while True:
        if args.batched:
            feeds = [args.per_call] * max(1, args.batched // args.per_call)
            result = group_feeds(store, grouper, feeds, landed_articles(store, feeds), rows_lag=200)
        else:
            result = group_new_articles(store, limit=args.per_call, grouper=grouper, rows_lag=200)
        if not result.grouped:
            break
        grouped += result.grouped
        stories += result.new_stories
    group_new_articles(store, grouper=grouper)  # the poll's last call: no row left stale
    return grouped, stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--per-call", type=int, default=40, help="articles per call (a feed's new items)")
    parser.add_argument("--dev", type=Path, default=None, help="the stories dev set's folder")
    parser.add_argument("--profile", type=int, default=0, help="print the N largest cumulative costs")
    parser.add_argument("--offered", action="store_true", help="features made beforehand, as in a poll")
    parser.add_argument("--dump", type=Path, default=None, help="write each article's story and thread")
    parser.add_argument(
        "--batched",
        type=int,
        default=0,
        help="group the calls' feeds in one transaction once they bring this many articles (the poll's way)",
    )
    parser.add_argument(
        "--skip-grouping",
        action="store_true",
        help="everything but the grouping calls (bench/grouping_instructions.py subtracts this run's count)",
    )
    _no_decisions.add_option(parser)
    args = parser.parse_args()
    _no_decisions.apply_if_asked(args)
    tune_collector()  # as `vigie` and `vigie serve` do (monitor/core/support/collector.py)
    fx.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    name = "dev" if args.dev else f"{args.feeds}x{args.items}"
    stored = fx.BENCH_DIR / f"grouping-alone-{name}"
    stored_poll(stored, args.feeds, args.items, args.dev)
    work = Path(tempfile.mkdtemp(prefix="vigie-grouping-", dir=fx.BENCH_DIR))
    try:
        shutil.copytree(stored, work, dirs_exist_ok=True)
        core = VigieCore(AppPaths(work), rescore_at_start=False)
        store = core.store
        waiting = store.ungrouped(1_000_000)
        grouper = Grouper(store)
        if args.offered:  # what the parser processes of a poll hand over
            grouper.offer(
                (
                    a.title,
                    a.summary,
                    a.content,
                    a.lang,
                    story_features(a.title, a.summary, a.content, lang_hint=a.lang),
                )
                for a in waiting
            )
        # Profiled in CPU time: on the shared machine, wall time would mostly measure the other processes.
        prof = cProfile.Profile(time.process_time) if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if prof:
            prof.enable()
        grouped, stories = (0, 0) if args.skip_grouping else group_as_a_poll(store, grouper, args)
        if prof:
            prof.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{name}: grouped {grouped} of {len(waiting)} articles into {stories} new stories, "
            f"{args.per_call} per call: "
            f"CPU {cpu:.2f} s, wall {wall:.2f} s ({cpu / max(grouped, 1) * 1000:.2f} ms of CPU an article; "
            f"features made here for {grouper.made_here})"
        )
        if args.dump:
            rows = store.conn.execute(
                """SELECT a.link, s.link, t.link FROM articles a JOIN articles s ON s.id = a.story
                   JOIN articles t ON t.id = a.thread WHERE a.link IS NOT NULL ORDER BY a.link"""
            ).fetchall()
            args.dump.write_text(json.dumps([list(r) for r in rows]))
            print(f"wrote {len(rows)} articles' story and thread to {args.dump}")
        core.close()
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Ingest: a first 500-feed poll end to end vs feedparser alone on the same bytes, and the all-304 second poll.

Run from the repository root: ``/work/venv/bin/python bench/ingest.py [--feeds 500] [--items 40] [--repeat 3]
[--hosts 8] [--concurrency 8] [--per-host N] [--profile] [--no-scope] [--dump FILE] [--stories on|off|both]
[--no-decisions]``.

``--no-scope`` polls with the shipped watchlist less its scope: the matching cost of the scope (the gazetteer,
built once per process, and the place pass over items with a topic or keyword) is the difference.

``--no-decisions`` makes the polls with stories group without deciding (bench/_no_decisions.py: every article a
story of its own, no look-up, no comparison): what stories cost but their decisions, the floor of the ratio.

Every feed is served by a child process on 127.0.0.1 .. 127.0.0.<hosts> (ThreadingHTTPServer, ETag; a request
with the current ETag gets 304). The Fetcher's per-host politeness (per_host_concurrency, 2 by default) applies
to each address, so 8 addresses allow 16 requests in flight; --per-host overrides it. Each round also prints the
CPU time the first poll took in the poll's process, its parser processes and the feed server: when their sum is
close to the cores' time, the poll is bound by the CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
import _no_decisions
import feedparser
from _feedserver import FeedFarm, feed_bytes
from _store_dump import dump_store

from monitor.core.matching.article_names import article_names
from monitor.core.service import VigieCore
from monitor.core.support.collector import tune_collector
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths


def feedparser_alone(docs: list[bytes]) -> float:
    t = time.perf_counter()
    for doc in docs:
        parsed = feedparser.parse(doc)
        assert parsed.entries
    return time.perf_counter() - t


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time: of this process (None), or of another live process read from /proc."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of the child processes that have ended (the poll's parser processes, once it is over)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_round(
    urls: list[str],
    settings: FetchSettings,
    profile: bool,
    server_pid: int,
    scope: bool = True,
    stories: bool = True,
    dump: Path | None = None,
) -> tuple[float, float, dict[str, int]]:
    """A fresh profile subscribed to every URL: (first poll s, second poll s, facts). `stories=False` polls
    without grouping the new articles into stories (nor making their story features in the parser processes).
    `dump` receives what the first poll stored (bench/_store_dump.py)."""
    folder = Path(tempfile.mkdtemp(prefix="vigie-ingest-", dir=fx.BENCH_DIR))
    try:
        core = VigieCore(AppPaths(folder), fetch_settings=settings)
        if not scope:
            core.replace_watchlist(core.watchlist.with_scope(()))
        core.store.add_feeds([(u, "") for u in urls], 60)
        prof = cProfile.Profile() if profile else None
        cpu = (cpu_seconds(), children_cpu_seconds(), cpu_seconds(server_pid))
        t = time.perf_counter()
        if prof:
            prof.enable()
        first = core.poll(stories=stories)
        if prof:
            prof.disable()
        t1 = time.perf_counter() - t
        cpu = (cpu_seconds() - cpu[0], children_cpu_seconds() - cpu[1], cpu_seconds(server_pid) - cpu[2])
        if dump is not None:
            print(
                f"  the first poll's store: {dump_store(core.store.conn, dump):,} lines in {dump}",
                flush=True,
            )
        t = time.perf_counter()
        spikes = core.signals.check_spikes()
        t_spikes = time.perf_counter() - t
        t = time.perf_counter()
        emerging = core.signals.emerging(since="2000-01-01")
        t_emerging = time.perf_counter() - t
        highlighted = core.store.conn.execute(
            "SELECT count(*) FROM articles WHERE highlighted = 1"
        ).fetchone()[0]
        print(
            f"  signals after the first poll: spike check {t_spikes * 1000:.1f} ms ({len(spikes)} spikes), emerging"
            f" names {t_emerging * 1000:.0f} ms ({len(emerging)} names from {highlighted:,} highlighted articles)",
            flush=True,
        )
        texts = core.store.conn.execute(
            "SELECT title, summary, content FROM articles WHERE highlighted = 1 AND source <> 'seed'"
        ).fetchall()
        # CPU, not wall time: on a loaded machine the wall time says nothing of the cost.
        t = time.process_time()
        for row in texts:
            article_names(*row)
        naming = time.process_time() - t
        print(
            f"  the name index's share of the parser processes' work: {naming:.2f} s of CPU for the "
            f"{len(texts):,} highlighted new items ({naming / max(1, len(texts)) * 1000:.2f} ms each)",
            flush=True,
        )
        t = time.perf_counter()
        second = core.poll(stories=stories)
        t2 = time.perf_counter() - t
        facts = {
            "new": first.new,
            "errors": sum(r.status == "error" for r in first.reports),
            "not_modified": sum(r.status == "not_modified" for r in second.reports),
            "second_new": second.new,
        }
        print(
            f"  CPU during the first poll: poll's process {cpu[0]:.2f} s, parser processes {cpu[1]:.2f} s, "
            f"feed server {cpu[2]:.2f} s; {sum(cpu):.2f} s of the {os.cpu_count()} x {t1:.2f} s the cores had",
            flush=True,
        )
        core.close()
        if prof:
            print("\ncProfile of the first poll, poll thread only (top 15 by own time):")
            pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return t1, t2, facts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=8, help="loopback addresses 127.0.0.1..127.0.0.N")
    parser.add_argument("--concurrency", type=int, default=8, help="FetchSettings.max_concurrency")
    parser.add_argument("--per-host", type=int, default=None, help="FetchSettings.per_host_concurrency")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--undeclared-language", action="store_true", help="feeds without <language>: every item is detected"
    )
    parser.add_argument("--no-scope", action="store_true", help="the shipped watchlist without its scope")
    parser.add_argument(
        "--dump", type=Path, help="write what the first round's first poll stored to this file"
    )
    parser.add_argument(
        "--stories",
        choices=["on", "off", "both"],
        default="on",
        help="group the new articles into stories during the poll; both: each round with and without, in turn first",
    )
    _no_decisions.add_option(parser)
    args = parser.parse_args()
    _no_decisions.apply_if_asked(args)
    tune_collector()  # as `vigie` and `vigie serve` do (monitor/core/support/collector.py)
    if args.undeclared_language:
        os.environ["VIGIE_BENCH_UNDECLARED_LANGUAGE"] = "1"  # read by the feed farm's child process too
    fx.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"machine: {fx.machine()}, feedparser {feedparser.__version__}")
    print("watchlist: the shipped one " + ("without its scope" if args.no_scope else "with its scope"))
    docs = feed_bytes(args.feeds, args.items)
    total_mb = sum(map(len, docs)) / 1e6
    settings = FetchSettings(per_host_delay=0, max_concurrency=args.concurrency)
    if args.per_host is not None:
        settings = FetchSettings(
            per_host_delay=0, max_concurrency=args.concurrency, per_host_concurrency=args.per_host
        )
    print(
        f"{args.feeds} feeds x {args.items} items, {total_mb:.1f} MB of RSS, served on {args.hosts} loopback "
        f"address(es) 127.0.0.1..127.0.0.{args.hosts}; FetchSettings(max_concurrency={settings.max_concurrency}, "
        f"per_host_concurrency={settings.per_host_concurrency}, per_host_delay=0) -> at most "
        f"{min(settings.max_concurrency, settings.per_host_concurrency * args.hosts)} requests in flight"
    )
    with FeedFarm(args.feeds, args.items, args.hosts) as farm:
        fp_runs, first_runs, second_runs, plain_runs = [], [], [], []
        facts: dict[str, int] = {}

        def without_stories(i: int) -> None:
            t0, _, _ = one_round(
                farm.urls, settings, False, farm.process.pid, stories=False, scope=not args.no_scope
            )
            plain_runs.append(t0)
            print(f"  run {i + 1}: first poll without stories {t0:.2f} s", flush=True)

        for i in range(args.repeat):
            fp_runs.append(feedparser_alone(docs))
            # With --stories both, the rounds alternate which of the two polls comes first, so that whatever the
            # first poll of a round leaves behind (the page cache, the machine's other load) weighs on both alike.
            plain_first = args.stories == "both" and i % 2 == 0
            if plain_first:
                without_stories(i)
            t1, t2, facts = one_round(
                farm.urls,
                settings,
                args.profile and i == 0,
                farm.process.pid,
                scope=not args.no_scope,
                stories=args.stories != "off",
                dump=args.dump if i == 0 else None,
            )
            first_runs.append(t1)
            second_runs.append(t2)
            print(
                f"  run {i + 1}: feedparser alone {fp_runs[-1]:.2f} s | first poll {t1:.2f} s "
                f"({facts['new']:,} new articles, {facts['errors']} feed errors) | second poll {t2:.3f} s "
                f"({facts['not_modified']} x 304, {facts['second_new']} new)",
                flush=True,
            )
            if args.stories == "both" and not plain_first:
                without_stories(i)
    fp, first, second = fx.median(fp_runs), fx.median(first_runs), fx.median(second_runs)
    n = args.feeds * args.items
    print(f"feedparser.parse alone on the same bytes, one process: median {fp:.2f} s ({n / fp:,.0f} items/s)")
    print(
        f"first poll end to end (VigieCore.poll: fetch, parse, clean, match, store): median {first:.2f} s "
        f"({n / first:,.0f} items/s)"
    )
    print(f"RATIO first poll / feedparser alone: {first / fp:.2f}x (target <= 1.5x)")
    if plain_runs:
        plain = fx.median(plain_runs)
        print(f"first poll without stories: median {plain:.2f} s; with stories {first:.2f} s")
        print(f"RATIO first poll with stories / without: {first / plain:.2f}x (target <= 1.2x)")
        ratios = [a / b for a, b in zip(first_runs, plain_runs, strict=True)]
        print(
            f"  each round's ratio: {', '.join(f'{r:.2f}' for r in ratios)} (median {fx.median(ratios):.2f}x; "
            "odd rounds polled without stories first, even rounds with stories first)"
        )
    print(f"second poll, every feed 304: median {second:.3f} s")
    print(f"RATIO first poll / second poll: {first / second:.1f}x faster (target >= 10x)")
    print(
        f"(medians of {args.repeat} runs, each poll on a fresh profile; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )


if __name__ == "__main__":
    main()

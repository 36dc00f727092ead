"""Team mode at scale (issue 19): the cached N-article SQLite profile (bench/_fixtures.py) moved into PostgreSQL
with `vigie migrate`'s copy, then the window's first page and searches on both engines (median and p95), and the
500-feed first poll on each engine.

Run from the repository root: ``.venv/bin/python bench/team.py [--articles 200000] [--database URL]
[--keep-server DIR] [--repeat 5] [--skip-poll] [--skip-costs] [--only-migrate] [--only-poll [--poll-rounds N]]``.
Without --database the PostgreSQL side is a throwaway server started for the run (tests/pg_server.py: Debian's
postgresql package on a Unix socket, fsync off as in the tests, so its writes are a lower bound for a real
server's). With --database, the database named is emptied first: give it a scratch one. With --keep-server DIR,
the server's data directory stays in DIR (bench/_pgserver.py): the first run moves the profile in, later runs find
it there and only read.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
from _feedserver import FeedFarm
from _pgcpu import postmaster_pid, server_cpu_seconds
from _pgserver import kept_server

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.storage import pg_bulk
from monitor.core.storage.profile_copy import copy_profile
from monitor.core.storage.store import Store
from monitor.core.support.collector import tune_collector
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths
from tests.pg_server import empty_database, throwaway_server

# Words of the fixture's vocabulary at several frequencies, a prefix, a phrase, OR and an exclusion.
SEARCHES = [
    "police",
    "fusillade",
    "préfecture",
    "douane",
    "trafi*",
    '"la police"',
    "maire OR préfet",
    "enquête -drogue",
    "cocaïne saisie",
]
PAGE = 200


def _timings(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm: the first run reads the pages from disk into the cache
    return [t * 1000 for t in fx.timed(action, repeat)]


def reads(store: Store, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per run: the window's first page (count + 200 rows, newest first) and each search (its count
    capped at SEARCH_COUNT_CAP, as the window's list and `vigie search` count it, + 200 rows)."""
    figures: dict[str, list[float]] = {}
    first = ArticleQuery()
    figures["first page (count + 200 rows)"] = _timings(
        lambda: (store.count(first), store.rows(first, 0, PAGE)), repeat
    )
    figures["first page, highlighted"] = _timings(
        lambda: store.rows(ArticleQuery(highlighted_only=True), 0, PAGE), repeat
    )
    for text in SEARCHES:  # counted as the window counts a search: up to SEARCH_COUNT_CAP (section 22)
        query = ArticleQuery(search=text)
        figures[f"search {text}"] = _timings(
            lambda q=query: (store.count_capped(q), store.rows(q, 0, PAGE)), repeat
        )
    return figures


def search_costs(store: Store, repeat: int) -> dict[str, list[float]]:
    """Where a PostgreSQL search's time goes, on the SQL the store runs (pg_search.search_condition): the page of
    200 rows alone, the count alone, the count on articles_search without the join, and a count capped at 1,001."""
    from monitor.core.storage.pg_search import search_condition

    figures: dict[str, list[float]] = {}
    for text in SEARCHES:
        where, args = search_condition(text) or ("TRUE", ())
        inner = where.removeprefix("a.id IN (").removesuffix(")")
        query = ArticleQuery(search=text)
        runs = {
            "page": lambda q=query: store.rows(q, 0, PAGE),
            "count": lambda w=where, a=args: store.conn.execute(
                f"SELECT count(*) FROM articles a WHERE {w}", a
            ),
            "count, no join": lambda i=inner, a=args: store.conn.execute(f"SELECT count(*) FROM ({i}) x", a),
            "count <= 1001": lambda i=inner, a=args: store.conn.execute(
                f"SELECT count(*) FROM ({i} LIMIT 1001) x", a
            ),
        }
        for name, action in runs.items():
            figures.setdefault(name, []).extend(_timings(action, repeat))
    return figures


@contextlib.contextmanager
def server(url: str | None, keep: Path | None = None) -> Iterator[str]:
    if url:
        yield empty_database(url)
        return
    if keep:
        with kept_server(keep) as kept:
            yield kept
        return
    with throwaway_server() as fresh:
        yield fresh


@dataclass
class PollFigures:
    """A first poll: wall seconds, new items, and CPU seconds of the poll's process, of its parser processes (the
    ended children) and of the PostgreSQL server's processes (0 on SQLite)."""

    wall: float
    new: int
    poll_cpu: float
    parsers_cpu: float
    server_cpu: float

    def line(self) -> str:
        return (
            f"{self.wall:6.1f} s wall ({self.new:,} new); CPU: poll process {self.poll_cpu:5.1f} s, parser processes"
            f" {self.parsers_cpu:5.1f} s, PostgreSQL server {self.server_cpu:5.1f} s"
        )


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def first_poll(urls: list[str], database: str | None, stories: bool = True) -> PollFigures:
    """A fresh profile (or the emptied database) subscribed to every URL: the first poll's figures.
    `stories=False` polls without grouping the new articles into stories (a poll on PostgreSQL groups them too, since
    schema 20)."""
    folder = Path(tempfile.mkdtemp(prefix="vigie-team-", dir=fx.BENCH_DIR))
    try:
        if database:
            empty_database(database)
        core = VigieCore(
            AppPaths(folder),
            database=database,
            fetch_settings=FetchSettings(per_host_delay=0, max_concurrency=8),
        )
        core.store.add_feeds([(u, "") for u in urls], 60)
        postmaster = postmaster_pid(core.store.conn) if database else None
        cpu = (_cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), server_cpu_seconds(postmaster))
        started = time.perf_counter()
        result = core.poll(stories=stories)
        took = time.perf_counter() - started
        server = server_cpu_seconds(postmaster) - cpu[2]
        core.close()
        return PollFigures(
            took,
            result.new,
            _cpu(resource.RUSAGE_SELF) - cpu[0],
            _cpu(resource.RUSAGE_CHILDREN) - cpu[1],
            server,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def migrate(lite: Store, pg: Store) -> None:
    """`vigie migrate`'s copy, timed, with its steps; a kept server that holds the profile already is not copied
    into again (the copy would find every article there, after reading them all)."""
    articles = int(lite.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    there = int(pg.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    if there >= articles:
        print(f"migrate: the server holds {there:,} articles already (the profile {articles:,}): not copied")
        return
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"  [{time.perf_counter() - started:6.0f} s] {text}", flush=True)

    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= 100_000 or done == total:
            say(f"{done:,} of {total:,} articles copied or found")
            shown[0] = done

    report = copy_profile(lite, pg, on_progress=progress, say=say)
    took = time.perf_counter() - started
    print(f"migrate: {took:.0f} s ({report.articles.copied / took:,.0f} articles/s); ok={report.ok}")
    for line in report.lines():
        print(f"  {line}")
    pg.conn.execute("ANALYZE")


def polls(url: str, only_postgresql: bool = False, with_stories: bool = True, rounds: int = 1) -> None:
    """The 500-feed first poll on each engine, with stories and without, and the ratios; with several `rounds`,
    odd rounds poll SQLite first and even rounds PostgreSQL first, and the rounds' ratios are printed with their
    median (the VM's speed moves within minutes, so a single round's ratio says little)."""
    engines = ([] if only_postgresql else [("SQLite", None)]) + [("PostgreSQL", url)]
    ratios: list[tuple[float, float]] = []
    with FeedFarm(500, 40, 8) as farm:
        for index in range(rounds):
            runs: dict[str, PollFigures] = {}
            for engine, database in engines if index % 2 == 0 else engines[::-1]:
                for stories in (True, False) if with_stories else (False,):
                    name = f"{engine}{'' if stories else ', no stories'}"
                    print(f"  {datetime.now(UTC):%H:%M:%S} UTC {name}...", flush=True)
                    runs[name] = first_poll(farm.urls, database, stories=stories)
            print(f"\n500-feed first poll (20,000 items), round {index + 1} of {rounds}:")
            for name, figures in runs.items():
                print(f"  {name:25} {figures.line()}")
            if not only_postgresql and with_stories:
                pg, lite = runs["PostgreSQL"], runs["SQLite"]
                pg_plain, lite_plain = runs["PostgreSQL, no stories"], runs["SQLite, no stories"]
                ratios.append((pg.wall / lite.wall, pg_plain.wall / lite_plain.wall))
                print(
                    f"PostgreSQL {ratios[-1][0]:.2f}x SQLite's time, {ratios[-1][1]:.2f}x without stories on both "
                    "(target <= 1.5x)",
                    flush=True,
                )
    if len(ratios) > 1:
        with_, without = [r for r, _ in ratios], [r for _, r in ratios]
        print(
            f"rounds' ratios: {', '.join(f'{r:.2f}' for r in with_)} (median {fx.median(with_):.2f}x); without "
            f"stories {', '.join(f'{r:.2f}' for r in without)} (median {fx.median(without):.2f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=fx.N_ARTICLES)
    parser.add_argument("--database", metavar="URL", help="a scratch PostgreSQL database (emptied first)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each read")
    parser.add_argument("--skip-poll", action="store_true", help="leave out the 500-feed first polls")
    parser.add_argument("--skip-costs", action="store_true", help="leave out the split of a search's time")
    parser.add_argument(
        "--keep-server",
        metavar="DIR",
        type=Path,
        help="a PostgreSQL whose data directory stays in DIR: moved in at the first run, only read after",
    )
    parser.add_argument("--only-migrate", action="store_true", help="time the copy only, no reads or polls")
    parser.add_argument(
        "--only-postgresql",
        action="store_true",
        help="leave out SQLite's side (its reads; its polls with --only-poll)",
    )
    parser.add_argument(
        "--no-copy",
        action="store_true",
        help="with --keep-server: read the server as it is (a copy stopped part way: its search indexes built first)",
    )
    parser.add_argument(
        "--only-poll", action="store_true", help="only the first polls (no profile, no migrate, no reads)"
    )
    parser.add_argument(
        "--without-stories", action="store_true", help="with --only-poll: the polls without stories"
    )
    parser.add_argument(
        "--poll-rounds",
        type=int,
        default=1,
        help="with --only-poll: rounds of the polls, alternating which engine polls first",
    )
    args = parser.parse_args()
    tune_collector()  # as `vigie` and `vigie serve` do (monitor/core/support/collector.py)
    fx.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"machine: {fx.machine()}")
    if args.only_poll:
        with server(args.database) as url:
            polls(
                url,
                only_postgresql=args.only_postgresql,
                with_stories=not args.without_stories,
                rounds=args.poll_rounds,
            )
        print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
        return
    folder = fx.profile(args.articles)
    with server(args.database, args.keep_server) as url:
        lite = Store.open(AppPaths(folder).database)
        pg = Store.open(folder / "unused.sqlite3", database=url)
        if args.no_copy:
            pg_bulk.build_deferred_indexes(pg, lambda text: print(f"  {text}", flush=True))
        else:
            migrate(lite, pg)
        if args.only_migrate:
            lite.close()
            pg.close()
            return
        size = pg.conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        held = int(pg.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        print(
            f"PostgreSQL database: {size}, {held:,} articles; SQLite file: "
            f"{AppPaths(folder).database.stat().st_size / 1e6:,.0f} MB ({datetime.now(UTC):%H:%M:%S} UTC)"
        )
        results = {} if args.only_postgresql else {"SQLite": reads(lite, args.repeat)}
        results["PostgreSQL"] = reads(pg, args.repeat)
        costs = {} if args.skip_costs else search_costs(pg, args.repeat)
        lite.close()
        pg.close()
        print(f"\n{held:,} articles on PostgreSQL; ms, median / p95 of {args.repeat} runs after a warm-up")
        print(f"{'':36}" + "".join(f" {e:>17}" for e in results))
        for key in results["PostgreSQL"]:
            cells = [
                f"{fx.median(results[e][key]):8.1f} / {fx.percentile(results[e][key], 95):6.1f}"
                for e in results
            ]
            print(f"{key:36}" + "".join(f" {c:>17}" for c in cells))
        for engine, figures in results.items():
            runs = [t for k, v in figures.items() if k.startswith("search") for t in v]
            print(
                f"all searches on {engine}: median {fx.median(runs):.1f} ms, p95 {fx.percentile(runs, 95):.1f} ms "
                f"({len(runs)} runs)"
            )
        if costs:
            print("\nPostgreSQL, where a search's time goes (all searches): ms, median / p95")
        for name, runs in costs.items():
            print(f"  {name:20} {fx.median(runs):8.1f} / {fx.percentile(runs, 95):7.1f}")
        if not args.skip_poll:
            polls(url)
    print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()

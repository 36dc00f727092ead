"""Where the PostgreSQL server's time goes in a real first poll (issue 19 item 8): the 500-feed first poll of
bench/team.py on a throwaway server (tests/pg_server.py) started with pg_stat_statements (track = all, so the
statements the triggers run are counted too) and track_functions = all, and every autovacuum run logged with its
CPU (log_autovacuum_min_duration = 0: autovacuum runs in the server's processes, so its work is in the server's
CPU, not in any statement's time).

Run from the repository root: ``.venv/bin/python bench/pg_poll_profile.py [--feeds 500] [--without-stories]
[--top 30]``. Statement times are elapsed times, which the machine's load inflates: read them as shares.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import team
from _feedserver import FeedFarm

import tests.pg_server as pg_server
from monitor.core.polling import grouping_stage

SETTINGS = (
    "shared_preload_libraries=pg_stat_statements",
    "pg_stat_statements.track=all",
    "pg_stat_statements.max=10000",
    "track_functions=all",
    "log_autovacuum_min_duration=0",
)
# "automatic vacuum of table "vigie_test.public.articles": index scans: 1 ... system usage: CPU: user: 0.10 s,
# system: 0.01 s, elapsed: 0.20 s"; an analyze's entry has the same CPU line.
_AUTO = re.compile(r'automatic (vacuum|analyze) of table "[^"]*?\.([^".]+)"')
_CPU = re.compile(r"CPU: user: ([\d.]+) s, system: ([\d.]+) s")


def _with_settings(start_command):  # type: ignore[no-untyped-def]
    def start(bindir: Path, folder: Path, *settings: str) -> list[str]:
        return start_command(bindir, folder, *settings, *SETTINGS)

    return start


_TICK = os.sysconf("SC_CLK_TCK")


class ServerSampler:
    """The CPU of each of the server's processes, read from /proc twice a second while the poll runs (a process
    that ends keeps its last reading: up to half a second of its work is missed), sorted into kinds: the grouping
    thread's backend, the other client backends, autovacuum's workers, the server's own helpers."""

    def __init__(self, postmaster: int) -> None:
        self.postmaster = str(postmaster)
        self.seen: dict[int, tuple[str, int]] = {}  # pid: (command line, CPU ticks)
        self.grouping: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ServerSampler:
        self._read()
        self.start = dict(self.seen)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._read()

    def _read(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[1] != self.postmaster:
                    continue
                command = (entry / "cmdline").read_text().replace("\0", " ").strip()
            except (OSError, IndexError):
                continue
            self.seen[int(entry.name)] = (command, int(fields[11]) + int(fields[12]))

    def kinds(self) -> dict[str, float]:
        found: dict[str, float] = defaultdict(float)
        for pid, (command, ticks) in self.seen.items():
            ticks -= self.start.get(pid, ("", 0))[1]
            if pid in self.grouping:
                kind = "grouping's backend"
            elif "autovacuum" in command:
                kind = "autovacuum launcher and workers"
            elif "[local]" in command:
                kind = "other client backends"
            else:
                kind = command.removeprefix("postgres: ")
            found[kind] += ticks / _TICK
        return dict(sorted(found.items(), key=lambda item: -item[1]))


def autovacuum_cpu(log: str) -> dict[tuple[str, str], list[float]]:
    """{(vacuum or analyze, table): [runs, CPU seconds]} from the server's log."""
    found: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    current: tuple[str, str] | None = None
    for line in log.splitlines():
        match = _AUTO.search(line)
        if match:
            current = (match.group(1), match.group(2))
            found[current][0] += 1
        cpu = _CPU.search(line)
        if cpu and current is not None:
            found[current][1] += float(cpu.group(1)) + float(cpu.group(2))
            current = None
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--without-stories", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    pg_server.start_command = _with_settings(pg_server.start_command)
    import psycopg

    with pg_server.throwaway_server() as url, FeedFarm(args.feeds, 40, 8) as farm:
        folder = Path(url.split("host=", 1)[1])
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        with psycopg.connect(url, autocommit=True) as conn:
            postmaster = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
            postmaster = int(Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()[1])
        group = grouping_stage._group
        sampler = ServerSampler(postmaster)

        def grouping_noted(store, grouper, *rest, **named):  # type: ignore[no-untyped-def]
            sampler.grouping.add(int(store.conn.execute("SELECT pg_backend_pid()").fetchone()[0]))
            return group(store, grouper, *rest, **named)

        grouping_stage._group = grouping_noted
        with sampler:
            print(team.first_poll(farm.urls, url, stories=not args.without_stories).line(), flush=True)
        grouping_stage._group = group
        print("\nthe server's CPU by process (s)")
        for kind, seconds in sampler.kinds().items():
            print(f"  {seconds:6.2f}  {kind}")
        with psycopg.connect(url, autocommit=True) as conn:
            total = conn.execute("SELECT sum(total_exec_time) / 1000 FROM pg_stat_statements").fetchone()[0]
            print(f"\nstatements (elapsed s, calls, rows; toplevel or run by a trigger), all: {total:.1f} s")
            for seconds, calls, rows, top, query in conn.execute(
                "SELECT total_exec_time / 1000, calls, rows, toplevel, query FROM pg_stat_statements"
                " ORDER BY total_exec_time DESC LIMIT %s",
                (args.top,),
            ):
                text = re.sub(r"\s+", " ", query)[:150]
                print(f"{seconds:8.2f} s {calls:8,} {rows:9,} {'top' if top else 'in'}  {text}")
            print("\nfunctions (total / self elapsed s, calls)")
            for name, calls, total_s, self_s in conn.execute(
                "SELECT funcname, calls, total_time / 1000, self_time / 1000 FROM pg_stat_user_functions"
                " ORDER BY total_time DESC LIMIT 15"
            ):
                print(f"{total_s:8.2f} / {self_s:7.2f} s {calls:8,}  {name}")
            print("\ntables (inserted, updated, HOT updated, dead rows left, autovacuums, autoanalyzes)")
            for row in conn.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, autovacuum_count,"
                " autoanalyze_count, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables"
                " WHERE n_tup_ins + n_tup_upd > 0 ORDER BY n_tup_ins + n_tup_upd DESC"
            ):
                print("  {:24} {:>8,} {:>8,} {:>8,} {:>8,} {:>3} {:>3} {:>9}".format(*row))
        print("\nautovacuum (runs, CPU s, from the server's log)")
        runs = autovacuum_cpu((folder / "log").read_text(errors="replace"))
        for (kind, table), (count, cpu) in sorted(runs.items(), key=lambda item: -item[1][1]):
            print(f"  {kind:8} {table:24} {int(count):4} {cpu:7.2f} s")
        print(f"  all: {sum(cpu for _, cpu in runs.values()):.2f} s")


if __name__ == "__main__":
    main()

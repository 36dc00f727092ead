"""The statements a first poll sends to PostgreSQL (issue 19 item 8): how many of each and the client's wall time
in them (round trip, the server's parse, plan and run, psycopg's work), by statement text with its lists of
placeholders folded, for N feeds of 40 items polled into a throwaway server (tests/pg_server.py), stories on.

Run from the repository root: ``.venv/bin/python bench/pg_poll_statements.py [--feeds 250] [--top 25]``. The
statement times include the wait for a core: on a loaded machine they grow with the load, their counts do not.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import team
from _feedserver import FeedFarm

from monitor.core.storage import pg
from tests.pg_server import throwaway_server

_ROWS = re.compile(r"\(\?(, \?)*\)(, \(\?(, \?)*\))*")
_MARKS = re.compile(r"\?(,\s*\?)+")


def _shape(sql: str) -> str:
    text = re.sub(r"\s+", " ", sql).strip()
    return _MARKS.sub("?..", _ROWS.sub("(..)", text))[:110]


def count_statements() -> dict[str, list[float]]:
    """Wrap the adapter's execute and executemany: {statement's shape: [calls, seconds]}."""
    seen: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    execute, executemany = pg.PgConnection.execute, pg.PgConnection.executemany

    def timed_execute(self: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
        started = time.perf_counter()
        try:
            return execute(self, sql, params)
        finally:
            figures = seen[_shape(sql)]
            figures[0] += 1
            figures[1] += time.perf_counter() - started

    def timed_executemany(self: Any, sql: str, rows: Iterable[Any]) -> Any:
        started = time.perf_counter()
        try:
            return executemany(self, sql, rows)
        finally:
            figures = seen["many: " + _shape(sql)]
            figures[0] += 1
            figures[1] += time.perf_counter() - started

    pg.PgConnection.execute = timed_execute  # type: ignore[method-assign]
    pg.PgConnection.executemany = timed_executemany  # type: ignore[method-assign]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=250)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    seen = count_statements()
    with throwaway_server() as url, FeedFarm(args.feeds, 40, 8) as farm:
        print(team.first_poll(farm.urls, url, stories=True).line())
    print(
        f"{sum(int(n) for n, _ in seen.values()):,} statements, {sum(t for _, t in seen.values()):.1f} s in them"
    )
    for shape, (calls, seconds) in sorted(seen.items(), key=lambda item: -item[1][1])[: args.top]:
        print(f"{seconds:7.2f} s {int(calls):7,}  {shape}")


if __name__ == "__main__":
    main()

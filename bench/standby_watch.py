"""What a window standing by on the poller lease costs the store (issue 19): its watch reads the newest
article's id, the newest poll that flagged alerts (VigieCore.store_mark, STORE_MARK_SQL) and the last poll's end
every 10 s, on the task runner. Timed here on the cached SQLite profiles of bench/_fixtures.py (200,000 and
1,000,000 articles), read-only.

Run from the repository root: ``.venv/bin/python bench/standby_watch.py [--sizes 200000,1000000] [--reads 500]``.
A profile not cached yet is built first (minutes; see bench/_fixtures.py).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import _fixtures as fx  # noqa: E402
from monitor.core.service import STORE_MARK_SQL  # noqa: E402


def time_watch(database: Path, reads: int) -> list[float]:
    """Milliseconds per look (the mark's query and the last poll's meta read), on a read-only connection."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + STORE_MARK_SQL)]
        print(f"  plan: {'; '.join(plan)}")
        times = []
        for _ in range(reads):
            start = time.perf_counter()
            conn.execute(STORE_MARK_SQL).fetchone()
            conn.execute("SELECT value FROM meta WHERE key = 'last_poll'").fetchone()
            times.append((time.perf_counter() - start) * 1e3)
        return times
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="200000,1000000", help="profile sizes, in articles")
    parser.add_argument("--reads", type=int, default=500, help="looks timed per profile")
    args = parser.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; {load}")
    for size in (int(s) for s in args.sizes.split(",")):
        folder = fx.profile_dir(size)
        if not (folder / "vigie.sqlite3").exists():  # built once; a cached one is read as it is (read-only)
            folder = fx.profile(size)
        stamp = folder / "bench-fixture.txt"
        version = stamp.read_text().strip() if stamp.exists() else "?"
        print(f"{size:,} articles ({folder}, fixture {version}):")
        times = sorted(time_watch(folder / "vigie.sqlite3", args.reads))
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"  one look: median {statistics.median(times):.3f} ms, p95 {p95:.3f} ms, max {times[-1]:.3f} ms "
            f"({len(times)} looks)"
        )


if __name__ == "__main__":
    main()

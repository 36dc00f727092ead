"""OPML import and export at the sizes of large subscription lists: parse, store, list and export times, memory.

Generates files shaped like a reader's export (folders of 50 feeds, titles with accents, htmlUrl, a description)
of 5, 10 and 15.5 MB, just under the 16 MB limit, and prints the median of three runs of each step.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from monitor.core.models import Subscription
from monitor.core.parsing.opml import parse_opml, write_opml
from monitor.core.storage.store import Store


def make_opml(size: int) -> bytes:
    """An OPML 2.0 file of about `size` bytes: folders of 50 feeds, each outline about 330 bytes."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>big</title></head><body>'
    ]
    written = i = 0
    while written < size:
        if i % 50 == 0:
            if i:
                parts.append("</outline>")
            parts.append(f'<outline text="Dossier {i // 50}" title="Dossier {i // 50}">')
        line = (
            f'<outline type="rss" text="Journal régional {i} - Actualités" title="Journal régional {i} - '
            f'Actualités" xmlUrl="https://www.site{i}.example.fr/rss/actualites/une.xml" '
            f'htmlUrl="https://www.site{i}.example.fr/" description="Les dernières nouvelles de la région {i}, '
            'faits divers et politique locale"/>\n'
        )
        parts.append(line)
        written += len(line.encode())
        i += 1
    parts.append("</outline></body></opml>")
    return "".join(parts).encode()


def timed(step: Callable[[], object], runs: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for megabytes in (5, 10, 15.5):
        data = make_opml(int(megabytes * 1024 * 1024))
        parse_s, parsed = timed(lambda data=data: parse_opml(data), args.runs)
        result = parsed  # type: ignore[assignment]
        folder = Path(tempfile.mkdtemp())

        def store_all(folder: Path = folder, result=result) -> Store:  # type: ignore[no-untyped-def]
            path = folder / f"v{time.perf_counter_ns()}.sqlite3"
            store = Store.open(path)
            store.import_subscriptions(result.feeds, 15, folders=result.folders)
            return store

        import_s, store = timed(store_all, args.runs)
        list_s, feeds = timed(lambda store=store: store.list_feeds(order="id"), args.runs)  # type: ignore[attr-defined]
        export_s, _ = timed(
            lambda feeds=feeds: write_opml(
                Subscription(f.url, f.title, f.folder, f.site_url, f.interval_minutes, f.muted) for f in feeds
            ),
            args.runs,
        )
        store.close()  # type: ignore[attr-defined]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{len(data) / 1e6:5.1f} MB, {len(result.feeds):6d} feeds in {len(result.folders)} folders: "
            f"parse {parse_s:.2f} s, store {import_s:.2f} s, list {list_s:.2f} s, export {export_s:.2f} s; "
            f"peak RSS so far {rss:.0f} MB"
        )


if __name__ == "__main__":
    main()

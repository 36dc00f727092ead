"""The list's revised items at scale (issue 18): the Revised view's count and first page, the Rev. column's sort,
and what the Revised count adds to the sidebar's counts, over the 200,000-article profile.

Run from the repository root: ``.venv/bin/python bench/revised.py [--share 0.05] [--repeat 5]``. Works on a copy of
the cached profile (bench/_fixtures.py), where a share of the articles is marked revised (1 to 3 revisions).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fixtures as fx

from monitor.core.models import ArticleQuery
from monitor.core.storage.store import Store


def cold(store: Store, fn):  # type: ignore[no-untyped-def]
    """`fn` with the store's remembered counts forgotten (as after any write)."""

    def run() -> object:
        store.__dict__.pop("_query_cache", None)
        return fn()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.05, help="share of the articles marked revised")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--without-index",
        action="store_true",
        help="drop schema 18's articles_revisions first (before/after)",
    )
    args = parser.parse_args()
    print(fx.machine(), f"load {os.getloadavg()[0]:.1f}")
    source = fx.profile_200k()
    with tempfile.TemporaryDirectory(prefix="vigie-revised-bench-") as tmp:
        work = fx.copy_profile(source, Path(tmp) / "profile")
        store = Store.open(work / "vigie.sqlite3")
        try:
            every = max(1, round(1 / args.share))
            store.conn.execute(
                "UPDATE articles SET revisions = 1 + abs(random()) % 3 WHERE id % ? = 0", (every,)
            )
            if args.without_index:
                store.conn.execute("DROP INDEX articles_revisions")
            total = store.count(ArticleQuery())
            revised = ArticleQuery(view="revised")
            figures = {
                "Revised view: count": cold(store, lambda: store.count(revised)),
                "Revised view: first page (200 rows, newest first)": cold(
                    store, lambda: store.rows(revised, 0, 200)
                ),
                "Revised view: first page by Rev. (most revised first)": cold(
                    store, lambda: store.rows(ArticleQuery(view="revised", sort="revisions"), 0, 200)
                ),
                "All articles by Rev.: first page": cold(
                    store, lambda: store.rows(ArticleQuery(sort="revisions"), 0, 200)
                ),
                "All articles by Rev.: page at row 100,000": cold(
                    store, lambda: store.rows(ArticleQuery(sort="revisions"), 100_000, 200)
                ),
                "All articles: first page (with the Rev. column)": cold(
                    store, lambda: store.rows(ArticleQuery(), 0, 200)
                ),
                "sidebar view counts (with Revised)": lambda: store.view_counts(),
                "  of which the Revised count": lambda: store.conn.execute(
                    "SELECT count(*) FROM articles WHERE revisions > 0"
                ).fetchone(),
            }
            count = store.count(revised)
            print(
                f"{count:,} revised articles of {total:,}"
                + (" (no articles_revisions)" if args.without_index else "")
            )
            for label, fn in figures.items():
                timings = fx.timed(fn, args.repeat)
                print(f"{label}: median {fx.median(timings) * 1000:.1f} ms (max {max(timings) * 1000:.1f})")
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Do removed watchlist people come back as emerging names? On the dev feeds (../shared/eval/dev), for each
person of the default watchlist: take it off the list, ingest the feeds, and print the rank at which the
emerging names propose it again (or that they do not). Not a test: it prints figures (docs/BENCHMARKS.md).

    .venv/bin/python -m bench.emerging_dev [--dev DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.core.matching.folding import fold_key
from monitor.core.matching.watchlist import Watchlist, load_default_watchlist
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.support.clock import parse_iso
from monitor.evaluate import DEFAULT_DEV, serve
from monitor.paths import AppPaths


class _Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _without(watchlist: Watchlist, name: str) -> Watchlist:
    """The watchlist without `name`, the other entries' context rules forgetting it."""
    kept = [
        replace(e, context=tuple(c for c in e.context if c != name))
        for e in watchlist.entries
        if e.name != name
    ]
    return Watchlist(tuple(kept), watchlist.version)


def comes_back(dev: Path, name: str, base: str) -> tuple[int | None, int, list[str]]:
    """(rank of `name` among the emerging names once it is off the watchlist, how many names, the top 5)."""
    clock = _Clock()
    with tempfile.TemporaryDirectory(prefix="vigie-emerging-") as tmp:
        core = VigieCore(AppPaths(Path(tmp)), clock=clock)
        try:
            core.replace_watchlist(_without(core.watchlist, name))
            for path in sorted((dev / "feeds").glob("*.xml")):
                core.add_feed(f"{base}/{path.name}")
            core.poll()
            dates = [parse_iso(a.published) for a in core.store.articles(ArticleQuery()) if a.published]
            clock.now = max(d for d in dates if d) + timedelta(hours=1)  # "this week" is the feeds' last week
            names = core.signals.emerging(since="2000-01-01")
        finally:
            core.close()
    entry = load_default_watchlist().get(name)
    forms = {fold_key(t) for t in (name, *(entry.terms() if entry else ()))}
    rank = next(
        (i for i, n in enumerate(names, 1) if forms & {fold_key(f) for f in (n.name, *n.aliases)}),
        None,
    )
    return rank, len(names), [n.name for n in names[:5]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    args = parser.parse_args(argv)
    server, base = serve(args.dev / "feeds")
    try:
        people = [e.name for e in load_default_watchlist().entries if e.kind == "person"]
        found = 0
        for name in people:
            rank, total, top = comes_back(args.dev, name, base)
            found += rank is not None
            where = f"rank {rank} of {total}" if rank else f"not proposed ({total} names)"
            print(f"{name}: {where}; top: {', '.join(top)}")
        print(f"{found} of {len(people)} removed people come back")
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

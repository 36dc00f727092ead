"""Screenshots of the three signals views (issue 17) on the dev feeds: the timeline, emerging names and who appears
with whom, offscreen, for the README (docs/signals-*.png with --readme).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/signals_screenshots.py [--out DIR] [--readme]

The dev feeds are polled into a fresh profile whose watchlist lacks three of its people (so that emerging names
has something to propose: they come back), with the clock an hour after the newest item (the views' periods
count back from it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication

from monitor.app import build_window, setup_application
from monitor.core.matching.watchlist import Watchlist
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.support.clock import parse_iso, utc_now
from monitor.paths import AppPaths
from monitor.ui.tasks import ImmediateRunner
from screenshots import DEV_FEEDS, REPO, save_small, serve

TAKEN_OFF = ("Mohamed Amra", "Jérôme Durain", "Benoît Payan")


class _Clock:
    now = utc_now()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def _without(watchlist: Watchlist, names: tuple[str, ...]) -> Watchlist:
    kept = [
        replace(e, context=tuple(c for c in e.context if c not in names))
        for e in watchlist.entries
        if e.name not in names
    ]
    return Watchlist(tuple(kept), watchlist.version)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "vigie-screenshots")
    parser.add_argument("--readme", action="store_true", help="write docs/signals-*.png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)  # type: ignore[arg-type]
    server, base = serve(DEV_FEEDS)
    clock = _Clock()
    core = VigieCore(AppPaths(Path(tempfile.mkdtemp(prefix="vigie-signals-shots-"))), clock=clock)
    try:
        core.replace_watchlist(_without(core.watchlist, TAKEN_OFF))
        for path in sorted(DEV_FEEDS.glob("*.xml")):
            core.add_feed(f"{base}/{path.name}")
        core.poll()
        dates = [parse_iso(a.published) for a in core.store.articles(ArticleQuery()) if a.published]
        clock.now = max(d for d in dates if d) + timedelta(hours=1)
        window = build_window(core, ImmediateRunner(), confirm=lambda _q: True)
        window.show()
        shots = []
        timeline = window.signals.open_timeline("Amine Kessaci")
        timeline.set_entries([e.name for e in core.watchlist.entries], ["Amine Kessaci", "Mehdi Kessaci"])
        timeline.span.setCurrentIndex(timeline.span.count() - 1)  # all time
        timeline.by.setCurrentText("week")
        shots.append((timeline, "signals-timeline.png"))
        emerging = window.signals.open_emerging()
        emerging.span.setCurrentIndex(emerging.span.count() - 1)  # all time: the dev items span a year
        emerging.table.selectRow(0)
        shots.append((emerging, "signals-emerging.png"))
        together = window.signals.open_cooccurrence()
        together.span.setCurrentIndex(together.span.count() - 1)
        shots.append((together, "signals-cooccurrence.png"))
        for widget, name in shots:
            app.processEvents()
            save_small(widget, args.out / name)
            if args.readme:
                save_small(widget, REPO / "docs" / name)
        window.close()
    finally:
        core.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

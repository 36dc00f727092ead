#!/usr/bin/env python3
"""Screenshots of the window with the seeds and the dev feeds loaded, for looking at and for the README.

Builds a throw-away profile, serves ../shared/eval/dev/feeds on 127.0.0.1, subscribes to them and polls them
through the core, then opens the window offscreen and saves PNGs:

    python scripts/screenshots.py [--out DIR] [--readme]

--readme also writes docs/screenshot.png (the main window with a highlighted article selected) and
docs/case-view.png (a case of highlighted dev articles). A PDF report of that case is written to DIR too
(case-report.pdf); docs/case-report.png is its first two pages, rendered with pypdfium2 outside the project.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
from array import array
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from monitor.app import build_window, setup_application  # noqa: E402
from monitor.core.service import VigieCore  # noqa: E402
from monitor.paths import AppPaths  # noqa: E402
from monitor.ui.article_model import ROW_ROLE  # noqa: E402
from monitor.ui.main_window import MainWindow  # noqa: E402
from monitor.ui.sidebar import Target  # noqa: E402
from monitor.ui.sidebar_rows import folder_target  # noqa: E402
from monitor.ui.tasks import ImmediateRunner  # noqa: E402

DEV_FEEDS = REPO.parent / "shared" / "eval" / "dev" / "feeds"
SIZE = (1400, 860)
# The dev feeds filed in folders as an analyst would, so the sidebar shows its folder tree.
FOLDERS = {
    "courrier-phoceen.xml": ("Presse locale", "Marseille"),
    "provence-matin-latin1.xml": ("Presse locale", "Marseille"),
    "revue-mediterranee.xml": ("Presse locale",),
    "continental-post.atom.xml": ("International",),
    "eurowire.rdf.xml": ("International", "Agences"),
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        name = str(path)
        if name.endswith(".xml"):
            return "application/atom+xml" if "atom" in name else "application/rss+xml"
        return super().guess_type(path)


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def save_small(widget: QWidget, path: Path) -> None:
    """A PNG with the 256 commonest colours: a third of the size, and a UI has few colours anyway."""
    QApplication.processEvents()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = array("I", bytes(image.constBits())[: image.width() * image.height() * 4])
    palette = [colour | 0xFF000000 for colour, _ in Counter(pixels).most_common(256)]
    small = image.convertToFormat(QImage.Format.Format_Indexed8, palette, Qt.ImageConversionFlag.AvoidDither)
    small.save(str(path), "PNG", 0)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def pick_article(window: MainWindow) -> int:
    """A highlighted feed article with several kinds of matches: the most telling one to show."""
    best, best_row = -1.0, 0
    for row in range(min(18, window.model.rowCount())):  # near the top, so the list shows its newest rows
        found = window.model.index(row, 0).data(ROW_ROLE)
        if found is None or not found.highlighted or found.source == "seed":
            continue
        article = window.core.store.article(found.id)
        kinds = len({m.kind for m in article.matches}) if article else 0
        value = kinds * 10 + min(found.score, 30) / 10
        if value > best:
            best, best_row = value, row
    return best_row


def case_shots(window: MainWindow, out: Path, readme: bool) -> None:
    """A case of the most highlighted dev articles, with notes: the case view and its PDF report."""
    from monitor.reports.render import render_report
    from monitor.ui.case_view import show_case_view

    core = window.core
    rows = core.store.conn.execute(
        "SELECT id FROM articles WHERE source <> 'seed' AND highlighted = 1 ORDER BY score DESC LIMIT 6"
    ).fetchall()
    ids = [r[0] for r in rows]
    core.add_to_case("Menaces contre Amine Kessaci", ids[:2], note="Threats reported before the hearing.",
                     tags=["threats", "Conscience"])  # fmt: skip
    core.add_to_case("Menaces contre Amine Kessaci", ids[2:], tags=["context"])
    case = core.case_named("Menaces contre Amine Kessaci")
    core.update_case(case.id, note="What the press reported of the threats against Amine Kessaci and the "
                     "association Conscience, November 2025: for the lawyer's file.")  # fmt: skip
    view = show_case_view(window)
    view.resize(1180, 760)
    view.items.setCurrentItem(view.items.topLevelItem(1))
    save(view, out / "case-view.png")
    if readme:
        save_small(view, REPO / "docs" / "case-view.png")
    render_report(core.case_report_html(case.id), "pdf", out / "case-report.pdf", f"Case report: {case.name}")
    view.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "vigie-screenshots")
    parser.add_argument("--readme", action="store_true", help="also write docs/screenshot.png")
    args = parser.parse_args()
    if not DEV_FEEDS.is_dir():
        print(f"no dev feeds at {DEV_FEEDS}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)  # type: ignore[arg-type]
    profile = Path(tempfile.mkdtemp(prefix="vigie-shots-"))
    server, base = serve(DEV_FEEDS)
    core = VigieCore(AppPaths(profile))
    try:
        for path in sorted(DEV_FEEDS.glob("*.xml")):
            core.add_feed(f"{base}/{path.name}", folder=FOLDERS.get(path.name, ()))
        result = core.poll()
        print(result.summary())
        window = build_window(core, ImmediateRunner(), confirm=lambda _q: True)
        window.resize(*SIZE)
        window.show()
        save(window, args.out / "main-start.png")
        window.select_row(pick_article(window))
        save(window, args.out / "main.png")
        if args.readme:
            (REPO / "docs").mkdir(exist_ok=True)
            save_small(window, REPO / "docs" / "screenshot.png")
        window.sidebar.select(Target("view", view="highlighted"))
        window.select_row(1)
        save(window, args.out / "main-highlighted-view.png")
        window.sidebar.item_for(folder_target(("International",))).setExpanded(False)
        window.sidebar.select(folder_target(("Presse locale",)))
        save(window, args.out / "main-folder.png")
        window.sidebar.select(Target("view", view="all"))
        window.filters.search.setText("zzznothing")
        window.filters.flush()
        save(window, args.out / "main-empty.png")
        window.filters.clear()
        window.select_row(pick_article(window))
        editor = window.show_watchlist_editor()
        editor.select("Mehdi Kessaci")
        editor.test_selected_article()
        save(editor, args.out / "watchlist-editor.png")
        editor.close()
        dialog = window.show_feeds_dialog()
        dialog.table.selectRow(0)
        save(dialog, args.out / "feeds-dialog.png")
        dialog.close()
        case_shots(window, args.out, args.readme)
        window.close()
    finally:
        core.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

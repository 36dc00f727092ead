#!/usr/bin/env python3
"""Screenshots of the window with the seeds and the dev feeds loaded, for looking at and for the README.

Builds a throw-away profile, serves ../shared/eval/dev/feeds on 127.0.0.1, subscribes to them and polls them
through the core, then opens the window offscreen and saves PNGs:

    python scripts/screenshots.py [--out DIR] [--readme]

The feeds are served from a copy: after the first poll, one highlighted item's title is rewritten in its feed
and the feeds polled again, so the list has a revised article (the Revised view, the Rev. column).

--readme also writes docs/screenshot.png (the main window with a highlighted article selected),
docs/revised.png (the Revised view), docs/case-view.png (a case of highlighted dev articles and a story's
reports) and docs/case-report.png, the first two pages of the case's PDF report (written to DIR as
case-report.pdf), rendered with pypdfium2 when it is installed (a tool outside the project: `pip install
--target DIR pypdfium2`, then PYTHONPATH=DIR).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import threading
from array import array
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
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
    save_image_small(widget.grab().toImage(), path)


def save_image_small(image: QImage, path: Path) -> None:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
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


def revise_one(core: VigieCore, folder: Path) -> int | None:
    """Rewrite the title of the best-scored highlighted item whose title its (served) feed file holds once, as an
    outlet updating a headline does; returns the article's id (None when no title could be found)."""
    rows = core.store.conn.execute(
        "SELECT id, title, source FROM articles WHERE source <> 'seed' AND highlighted = 1 ORDER BY score DESC"
    ).fetchall()
    for article_id, title, source in rows:
        path = folder / source.rsplit("/", 1)[-1]
        data = path.read_bytes()
        for encoding in ("utf-8", "latin-1"):
            old = xml_escape(title).encode(encoding, "ignore")
            if old and data.count(old) == 1:
                path.write_bytes(data.replace(old, xml_escape(f"{title} (updated)").encode(encoding)))
                return int(article_id)
    return None


def first_pdf_pages(pdf: Path, png: Path, pages: int = 2) -> None:
    """The report's first pages side by side on grey, as a PNG (pypdfium2, a tool outside the project; skipped
    when it is missing)."""
    try:
        import pypdfium2  # type: ignore[import-not-found]
    except ImportError:
        print("pypdfium2 is not installed: docs/case-report.png left as it was", file=sys.stderr)
        return
    document = pypdfium2.PdfDocument(str(pdf))
    shown = []
    for number in range(min(pages, len(document))):
        bitmap = document[number].render(scale=1.25, rev_byteorder=True)  # RGB, 90 dpi
        data = bytes(bitmap.buffer)
        shown.append(
            QImage(data, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888).copy()
        )
    gap = 12
    sheet = QImage(
        sum(i.width() for i in shown) + gap * (len(shown) + 1),
        max(i.height() for i in shown) + 2 * gap,
        QImage.Format.Format_RGB32,
    )
    sheet.fill(QColor("#c8c8c8"))
    painter, x = QPainter(sheet), gap
    for image in shown:
        painter.drawImage(x, gap, image)
        x += image.width() + gap
    painter.end()
    save_image_small(sheet, png)


def case_shots(window: MainWindow, out: Path, readme: bool) -> None:
    """A case of the most highlighted dev articles and of a story's reports, with notes: the case view and the
    first page of its PDF report."""
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
    story = core.store.conn.execute(  # the highlighted story with the most reports: pinned whole
        "SELECT story FROM articles WHERE story IS NOT NULL AND highlighted = 1 AND source <> 'seed' "
        "GROUP BY story ORDER BY count(*) DESC, story LIMIT 1"
    ).fetchone()
    if story is not None:
        core.add_story_to_case("Menaces contre Amine Kessaci", story[0], note="Every report of this story.",
                               tags=["story"])  # fmt: skip
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
    if readme:
        first_pdf_pages(out / "case-report.pdf", REPO / "docs" / "case-report.png")
    view.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "vigie-screenshots")
    parser.add_argument("--readme", action="store_true", help="also write docs/screenshot.png")
    parser.add_argument("--feeds", type=Path, default=DEV_FEEDS, help="the dev feeds (shared/eval/dev/feeds)")
    args = parser.parse_args()
    if not args.feeds.is_dir():
        print(f"no dev feeds at {args.feeds} (--feeds DIR)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)  # type: ignore[arg-type]
    profile = Path(tempfile.mkdtemp(prefix="vigie-shots-"))
    served = Path(shutil.copytree(args.feeds, profile / "feeds"))  # a copy: one item gets revised
    server, base = serve(served)
    core = VigieCore(AppPaths(profile))
    try:
        for path in sorted(args.feeds.glob("*.xml")):
            core.add_feed(f"{base}/{path.name}", folder=FOLDERS.get(path.name, ()))
        result = core.poll()
        print(result.summary())
        revised = revise_one(core, served)
        print(core.poll().summary(), f"(article {revised} revised)")
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
        window.sidebar.select(Target("view", view="revised"))
        window.select_row(0)
        save(window, args.out / "main-revised.png")
        if args.readme:
            save_small(window, REPO / "docs" / "revised.png")
        window.sidebar.select(Target("view", view="all"))
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

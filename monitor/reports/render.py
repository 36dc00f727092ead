"""Write a case report's HTML as PDF (PDF/A-1b, Qt's QPdfWriter), ODT (QTextDocumentWriter) or HTML."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt, QThread
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
    QTextDocumentWriter,
)

from monitor import __version__
from monitor.core.errors import UserError
from monitor.core.support.files import atomic_write

log = logging.getLogger(__name__)

FORMATS = ("pdf", "odt", "html")
PDF_RESOLUTION = 300  # dots per inch: text is vector anyway; this sets the layout's unit
_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


def ensure_gui_application() -> None:
    """Fonts and text layout need a QGuiApplication. Make one if the process has none (the CLI), on the
    offscreen platform when there is no display, so a report renders on a server or over SSH."""
    global _app
    existing = QCoreApplication.instance()
    if existing is not None:
        if not isinstance(existing, QGuiApplication):
            raise UserError("PDF and ODT reports need a Qt GUI application; this process has a core one")
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith(
        "linux"
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["vigie"])


def render_report(html: str, fmt: str, output: Path, title: str) -> Path:
    """Write the report to `output` (replaced all or nothing) in `fmt`: "pdf", "odt" or "html"."""
    output = Path(output)
    if fmt not in FORMATS:
        raise UserError(f"unknown report format {fmt!r} ({', '.join(FORMATS)})")
    if not output.parent.is_dir():
        raise UserError(f"cannot write {output}: the folder {output.parent} does not exist")
    if output.is_dir():
        raise UserError(f"cannot write {output}: it is a folder; give the report a file name")
    if fmt == "html":
        with atomic_write(output) as out:
            out.write(html)
        return output
    ensure_gui_application()
    _in_qt_thread(lambda: _render(html, fmt, output, title))
    log.info("wrote the %s report %s", fmt, output)
    return output


def _render(html: str, fmt: str, output: Path, title: str) -> None:
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.setHtml(html)
    part = output.with_name(f".{output.name}.part")
    try:
        if fmt == "pdf":
            _write_pdf(document, part, title)
        else:
            writer = QTextDocumentWriter(str(part), b"odf")
            if not writer.write(document):
                raise UserError(
                    f"could not write {output}: {writer.device().errorString() or 'ODF writer failed'}"
                )
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)


class _QtWorker(QThread):
    """Runs one call on a thread Qt started. Text layout and Qt's per-thread font cache use timers, which only
    a QThread can arm; on the window's task runner (Python threads) they would warn and leak."""

    def __init__(self, call: Callable[[], None]) -> None:
        super().__init__()
        self.call = call
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.call()
        except BaseException as exc:  # handed back to the caller's thread
            self.error = exc


def _in_qt_thread(call: Callable[[], None]) -> None:
    if threading.current_thread() is threading.main_thread():
        call()
        return
    worker = _QtWorker(call)
    worker.start()
    worker.wait()
    if worker.error is not None:
        raise worker.error


def _write_pdf(document: QTextDocument, path: Path, title: str) -> None:
    writer = QPdfWriter(str(path))
    # PDF/A-1b: fonts embedded, no external content, metadata in XMP, for the long keeping evidence needs.
    writer.setPdfVersion(QPagedPaintDevice.PdfVersion.PdfVersion_A1b)
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(title)
    writer.setCreator(f"Vigie {__version__}")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 18, 18, 18),
            QPageLayout.Unit.Millimeter,
        )
    )
    # Lay the document out on the writer's own page (at its resolution; print_'s default page shrinks the
    # column to two thirds of A4) less a footer line, and paint page by page to number the pages.
    document.documentLayout().setPaintDevice(writer)
    paint = writer.pageLayout().paintRectPixels(writer.resolution())
    footer = writer.resolution() * 0.35  # about 9 mm
    body = QSizeF(paint.width(), paint.height() - footer)
    document.setPageSize(body)
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise UserError(f"could not write the PDF {path}")
    try:
        font = QFont(document.defaultFont())
        font.setPointSizeF(8)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body.height())
            document.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setFont(font)
            painter.setPen(QColor("#666666"))
            painter.drawText(
                QRectF(0, body.height(), body.width(), footer),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                f"{title} · page {page + 1} of {pages}",
            )
    finally:
        painter.end()

"""Write a case report's HTML as PDF (PDF/A-1b, Qt's QPdfWriter), ODT (QTextDocumentWriter) or HTML."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF
from PySide6.QtGui import (
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
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
    if fmt == "html":
        with atomic_write(output) as out:
            out.write(html)
        return output
    ensure_gui_application()
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
    log.info("wrote the %s report %s", fmt, output)
    return output


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
    document.print_(writer)

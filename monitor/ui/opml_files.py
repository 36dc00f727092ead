"""Asking for an OPML file to import or a place to export to; the work itself runs through the bridge."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from monitor.ui.bridge import Bridge


def import_opml(parent: QWidget, bridge: Bridge, path: Path | None = None) -> None:
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import feeds from OPML", str(Path.home()), "OPML files (*.opml *.xml);;All files (*)"
        )
        if not name:
            return
        path = Path(name)
    bridge.import_opml(path)


def export_opml(parent: QWidget, bridge: Bridge, path: Path | None = None) -> None:
    if path is None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Export feeds as OPML", str(Path.home() / "vigie-feeds.opml"), "OPML files (*.opml)"
        )
        if not name:
            return
        path = Path(name)
    bridge.export_opml(path)

"""Small icons drawn at run time (health dots, kind dots) and the app icon from resources/icons."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from monitor.paths import resources_dir

log = logging.getLogger(__name__)


@cache
def dot_icon(colour: str, hollow: bool = False, size: int = 12) -> QIcon:
    """A filled (or outlined) circle: feed health and watchlist kinds in the sidebar."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(2, 2, size - 4, size - 4)
    if hollow:
        painter.setPen(QPen(QColor(colour), 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
    painter.drawEllipse(rect)
    painter.end()
    return QIcon(pixmap)


def app_icon() -> QIcon:
    """The window icon (resources/icons/vigie.svg), or an empty icon when it is missing."""
    path = resources_dir() / "icons" / "vigie.svg"
    if not path.exists():
        log.warning("no app icon at %s", path)
        return QIcon()
    return QIcon(str(path))

"""The article list's view: the table, its score badges, and a message when a filter leaves it empty."""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from monitor.ui.article_model import (
    COL_LANG,
    COL_PUBLISHED,
    COL_REVISIONS,
    COL_SCORE,
    COL_SOURCE,
    COL_STAR,
    COL_TITLE,
    ROW_ROLE,
)
from monitor.ui.style import BADGE_BG, BADGE_FG, BADGE_HOT_BG, BADGE_HOT_FG, TEXT_MUTED, format_score

log = logging.getLogger(__name__)

DEFAULT_WIDTHS = {
    COL_STAR: 30,
    COL_SCORE: 54,
    COL_SOURCE: 130,
    COL_PUBLISHED: 108,
    COL_LANG: 48,
    COL_REVISIONS: 44,
}


class ScoreBadgeDelegate(QStyledItemDelegate):
    """The score as a rounded badge: orange for a highlighted article, grey below the threshold."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row = index.data(ROW_ROLE)
        # The cell itself (selection, row tint) as usual, without text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if row is None or not row.score:
            return
        text = format_score(row.score)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = max(metrics.horizontalAdvance(text) + 12, 26)
        height = min(option.rect.height() - 6, metrics.height() + 4)
        rect = QRectF(
            option.rect.center().x() - width / 2 + 1, option.rect.center().y() - height / 2 + 1, width, height
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BADGE_HOT_BG if row.highlighted else BADGE_BG))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor(BADGE_HOT_FG if row.highlighted else BADGE_FG))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class ArticleView(QTableView):
    """The article table. Clicking the star cell toggles the star; an empty list says why it is empty."""

    star_clicked = Signal(int)  # row
    open_requested = Signal()  # Enter: open the current article's link

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_message = "No articles here."
        self.setObjectName("articleList")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(max(26, self.fontMetrics().height() + 10))
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setItemDelegateForColumn(COL_SCORE, ScoreBadgeDelegate(self))
        self.clicked.connect(self._on_clicked)

    def setup_columns(self) -> None:
        """Column sizes once a model is set: the title stretches, the others keep sensible widths."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setMinimumSectionSize(26)
        for column, width in DEFAULT_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_STAR, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_STAR:
            self.star_clicked.emit(index.row())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(TEXT_MUTED))
            rect: QRect = self.viewport().rect().adjusted(24, 40, -24, -24)
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                self.empty_message,
            )
            painter.end()

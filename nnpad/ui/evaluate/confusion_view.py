"""A confusion matrix you can click: rows are true digits, columns readings."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.ui import style


class ConfusionView(QWidget):
    """Counts of (true digit, reading); clicking a cell selects it.

    Diagonal cells are shaded green by their row's share, the others red by theirs,
    so that rare mistakes still show.
    """

    cell_clicked = Signal(int, int)  # true digit, reading

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.setAccessibleName("Confusion matrix")
        self.setToolTip(
            "Rows: the true digit; columns: what the network read. Click a cell"
            " to see its images, the surest first."
        )
        self.setMinimumSize(260, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._counts = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
        self._selected: tuple[int, int] | None = None

    def counts(self) -> np.ndarray:
        """The matrix shown."""
        return self._counts.copy()

    def selected(self) -> tuple[int, int] | None:
        """The selected (true digit, reading)."""
        return self._selected

    def set_counts(self, counts: np.ndarray | None) -> None:
        """Show a (10, 10) confusion matrix (None: empty) and clear the selection."""
        self._counts = (
            np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
            if counts is None
            else np.asarray(counts, dtype=np.int64)
        )
        self._selected = None
        self.update()

    def select(self, true: int, predicted: int) -> None:
        """Select a cell and say so."""
        self._selected = (true, predicted)
        self.update()
        self.cell_clicked.emit(true, predicted)

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(360, 360)

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        """Where a cell is drawn, in widget pixels."""
        grid = self._grid()
        side = grid.width() / NUM_CLASSES
        return QRectF(
            grid.left() + predicted * side, grid.top() + true * side, side, side
        )

    def _grid(self) -> QRectF:
        label = self.fontMetrics().height() + 6
        side = max(10.0, min(self.width(), self.height()) - label - 4)
        return QRectF(label + 2, label + 2, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        grid = self._grid()
        totals = np.maximum(self._counts.sum(axis=1, keepdims=True), 1)
        shares = self._counts / totals
        small = self.font()
        small.setPointSizeF(max(6.0, grid.width() / NUM_CLASSES / 3.6))
        for true in range(NUM_CLASSES):
            for predicted in range(NUM_CLASSES):
                rect = self.cell_rect(true, predicted)
                count = int(self._counts[true, predicted])
                share = float(shares[true, predicted])
                base = style.RIGHT if true == predicted else style.WRONG
                # Off the diagonal even one mistake in a hundred should be seen.
                strength = share if true == predicted else min(1.0, 0.25 + 4 * share)
                empty = style.EMPTY_CELL
                colour = empty if count == 0 else _mix(empty, base, strength)
                painter.fillRect(rect, colour)
                painter.setPen(QPen(style.LIGHT_GRID, 0))
                painter.drawRect(rect)
                if count:
                    painter.setFont(small)
                    dark = strength > 0.6
                    painter.setPen(style.TEXT_ON_DARK if dark else style.TEXT_ON_LIGHT)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.setFont(self.font())
        painter.setPen(self.palette().text().color())
        for digit in range(NUM_CLASSES):
            column = self.cell_rect(0, digit)
            painter.drawText(
                QRectF(column.left(), 0, column.width(), grid.top()),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
            row = self.cell_rect(digit, 0)
            painter.drawText(
                QRectF(0, row.top(), grid.left(), row.height()),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
        if self._selected is not None:
            painter.setPen(QPen(style.SELECTED_CELL, 3))
            painter.drawRect(self.cell_rect(*self._selected).adjusted(1, 1, -1, -1))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        grid = self._grid()
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton or not grid.contains(pos):
            return super().mousePressEvent(event)
        side = grid.width() / NUM_CLASSES
        predicted = min(NUM_CLASSES - 1, int((pos.x() - grid.left()) / side))
        true = min(NUM_CLASSES - 1, int((pos.y() - grid.top()) / side))
        self.select(true, predicted)
        return None


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    amount = min(1.0, max(0.0, amount))
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )

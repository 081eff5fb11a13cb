"""Ten bars, the probability of each digit, coloured by what the reading says."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.ui.style import BAR, DARK_GRID, DARK_GROUND, QUIET_TEXT


class ProbabilityBars(QWidget):
    """Ten bars, one per digit, 0 to 100%; the highlighted one in blue."""

    clicked = Signal(int)  # the digit whose bar was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setAccessibleName("Probabilities of the digits 0 to 9")
        self.setToolTip(
            "Probability the network gives each digit (calibrated). Click a bar to"
            " see why the network prefers its digit over that one."
        )
        self.setMinimumSize(200, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._heights = np.zeros(NUM_CLASSES)
        self._colours: dict[int, QColor] = {}

    def heights(self) -> np.ndarray:
        """The bar heights, 0..1."""
        return self._heights.copy()

    def highlighted(self) -> dict[int, QColor]:
        """The digits drawn in a colour of their own, and their colours."""
        return dict(self._colours)

    def set_probabilities(
        self,
        probabilities: np.ndarray | None,
        colours: dict[int, QColor] | None = None,
    ) -> None:
        """Show ``probabilities`` (None: all zero), some digits in their colours."""
        heights = (
            np.zeros(NUM_CLASSES)
            if probabilities is None
            else np.clip(
                np.asarray(probabilities, dtype=float).reshape(NUM_CLASSES), 0, 1
            )
        )
        colours = dict(colours or {})
        if np.array_equal(heights, self._heights) and colours == self._colours:
            return
        self._heights, self._colours = heights, colours
        self.update()

    def bar_rect(self, digit: int) -> QRectF:
        """Where the full-height bar of ``digit`` goes, in widget pixels."""
        plot = self._plot_rect()
        slot = plot.width() / NUM_CLASSES
        return QRectF(
            plot.left() + (digit + 0.15) * slot, plot.top(), 0.7 * slot, plot.height()
        )

    def _plot_rect(self) -> QRectF:
        metrics = self.fontMetrics()
        left = metrics.horizontalAdvance("100%") + 10
        return QRectF(
            left, 8, self.width() - left - 8, self.height() - metrics.height() - 14
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.fillRect(self.rect(), DARK_GROUND)
        plot = self._plot_rect()
        painter.setPen(QPen(DARK_GRID, 0))
        for level, label in ((0.0, "0%"), (0.5, "50%"), (1.0, "100%")):
            y = plot.bottom() - level * plot.height()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QUIET_TEXT)
            painter.drawText(
                QRectF(0, y - 8, plot.left() - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            painter.setPen(QPen(DARK_GRID, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        for digit, height in enumerate(self._heights):
            full = self.bar_rect(digit)
            bar = QRectF(
                full.left(),
                full.bottom() - height * full.height(),
                full.width(),
                height * full.height(),
            )
            painter.fillRect(bar, self._colours.get(digit, BAR))
        painter.setPen(QUIET_TEXT)
        for digit in range(NUM_CLASSES):
            full = self.bar_rect(digit)
            painter.drawText(
                QRectF(
                    full.left() - 4,
                    plot.bottom() + 2,
                    full.width() + 8,
                    self.height() - plot.bottom() - 2,
                ),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                str(digit),
            )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        for digit in range(NUM_CLASSES):
            if self.bar_rect(digit).adjusted(-4, 0, 4, 20).contains(event.position()):
                self.clicked.emit(digit)
                return
        super().mousePressEvent(event)

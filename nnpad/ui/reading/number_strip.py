"""The digits of a number, one chip each: click one to look at it.

Each chip shows the digit read (``?`` for a mark that is not a digit) in its
verdict's colour and its calibrated confidence under it; the chip of the digit the
other views show is framed. Left and Right move between digits from the keyboard.
The chips narrow to fit a long number in the strip's width; the strip's size never
follows the number, so a reading never moves anything else in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnpad.core.reading.verdict import percent
from nnpad.ui.style import verdict_colour

if TYPE_CHECKING:
    from nnpad.core.reading.recognition import Recognition
    from nnpad.core.reading.verdict import Kind

__all__ = ["NumberStrip"]

CHIP_WIDTH = 52
CHIP_HEIGHT = 64
GAP = 6
MIN_CHIP_WIDTH = 16
ROOM = 6
"""Chips of full width the strip asks room for (it narrows them beyond)."""


class NumberStrip(QWidget):
    """A row of chips, one per digit of a `Recognition`.

    ``chosen(int)``: the person clicked a digit (or moved to it with the keys).
    """

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("numberStrip")
        self.setAccessibleName("Digits of the number")
        self.setToolTip("Click a digit to see it and look inside the network")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._chips: list[tuple[str, str, Kind]] = []  # text, confidence, verdict kind
        self._selected = 0

    def show_recognition(self, recognition: Recognition | None) -> None:
        """Show the digits of ``recognition`` (none: an empty strip)."""
        self._chips = []
        if recognition is not None:
            self._chips = [
                (
                    "?" if d.verdict.kind == "not a digit" else str(d.digit),
                    f"{percent(d.confidence)}%",
                    d.verdict.kind,
                )
                for d in recognition.digits
            ]
            self._selected = recognition.selected
            self.setAccessibleDescription(recognition.text)
        self.update()

    def chip_count(self) -> int:
        """How many digits are shown."""
        return len(self._chips)

    def chip_width(self) -> float:
        """How wide each chip is: full width, or narrower to fit them all."""
        n = max(1, len(self._chips))
        fit = (self.width() - 2 - GAP * (n - 1)) / n
        return max(MIN_CHIP_WIDTH, min(CHIP_WIDTH, fit))

    def chip_rect(self, index: int) -> QRectF:
        """Where chip ``index`` is, in widget pixels (the chips centred)."""
        width = self.chip_width()
        n = len(self._chips)
        left = max(1.0, (self.width() - n * width - (n - 1) * GAP) / 2)
        return QRectF(left + index * (width + GAP), 1, width, CHIP_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(ROOM * (CHIP_WIDTH + GAP), CHIP_HEIGHT + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: D102
        return QSize(CHIP_WIDTH + GAP, CHIP_HEIGHT + 2)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.chip_width()
        big = QFont(self.font())
        big.setPointSizeF(22.0 * min(1.0, width / 40.0))  # a narrow chip, smaller
        big.setBold(True)
        small = QFont(self.font())
        # The confidence only where it fits (the accessible description has it).
        room = QFontMetricsF(small).horizontalAdvance("99%") <= width - 2
        text_colour = self.palette().windowText().color()
        for i, (digit, confidence, kind) in enumerate(self._chips):
            rect = self.chip_rect(i)
            tint = verdict_colour(kind)
            if i == self._selected:
                fill = verdict_colour(kind)
                fill.setAlpha(40)
                painter.setBrush(fill)
                painter.setPen(QPen(tint, 2.0 if not self.hasFocus() else 3.0))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(self.palette().mid().color(), 1.0))
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
            painter.setFont(big)
            painter.setPen(tint if kind != "digit" else text_colour)
            painter.drawText(
                rect.adjusted(0, 2, 0, -18), Qt.AlignmentFlag.AlignCenter, digit
            )
            if room:
                painter.setFont(small)
                painter.setPen(tint)
                painter.drawText(
                    rect.adjusted(0, CHIP_HEIGHT - 22, 0, -4),
                    Qt.AlignmentFlag.AlignCenter,
                    confidence,
                )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        for i in range(len(self._chips)):
            if self.chip_rect(i).contains(event.position()):
                self._choose(i)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if step is None or not self._chips:
            super().keyPressEvent(event)
            return
        self._choose(min(max(self._selected + step, 0), len(self._chips) - 1))

    def _choose(self, index: int) -> None:
        if index != self._selected:
            self._selected = index
            self.update()
        self.chosen.emit(index)

"""The network's answer: the digit, its confidence, ten bars and the 28x28 input.

Painted with QPainter, not pyqtgraph: this view is on screen from the first frame,
and pyqtgraph costs a quarter of a second to import (it is loaded after the window
is up, for the panels that need it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnpad.core.spec import INPUT_SHAPE, NUM_CLASSES

if TYPE_CHECKING:
    from nnpad.core.recognition import Recognition

__all__ = ["InputPreview", "PredictionView", "ProbabilityBars"]

_BACKGROUND = QColor("#202124")
_BAR = QColor("#5f6b7a")
_TOP = QColor("#6ea0ff")
_TEXT = QColor("#9aa0a6")
_GRID = QColor(60, 60, 60)
_BLANK = np.zeros(INPUT_SHAPE, dtype=np.float32)


class ProbabilityBars(QWidget):
    """Ten bars, one per digit, 0 to 100%; the highlighted one in blue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setAccessibleName("Probabilities of the digits 0 to 9")
        self.setToolTip("Probability the network gives each digit")
        self.setMinimumSize(200, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._heights = np.zeros(NUM_CLASSES)
        self._highlight: int | None = None

    def heights(self) -> np.ndarray:
        """The bar heights, 0..1."""
        return self._heights.copy()

    def highlighted(self) -> int | None:
        """The digit drawn in the highlight colour."""
        return self._highlight

    def set_probabilities(
        self, probabilities: np.ndarray | None, highlight: int | None = None
    ) -> None:
        """Show ``probabilities`` (None: all zero) and highlight one digit."""
        heights = (
            np.zeros(NUM_CLASSES)
            if probabilities is None
            else np.clip(
                np.asarray(probabilities, dtype=float).reshape(NUM_CLASSES), 0, 1
            )
        )
        if np.array_equal(heights, self._heights) and highlight == self._highlight:
            return
        self._heights, self._highlight = heights, highlight
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
        painter.fillRect(self.rect(), _BACKGROUND)
        plot = self._plot_rect()
        painter.setPen(QPen(_GRID, 0))
        for level, label in ((0.0, "0%"), (0.5, "50%"), (1.0, "100%")):
            y = plot.bottom() - level * plot.height()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(_TEXT)
            painter.drawText(
                QRectF(0, y - 8, plot.left() - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            painter.setPen(QPen(_GRID, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        for digit, height in enumerate(self._heights):
            full = self.bar_rect(digit)
            bar = QRectF(
                full.left(),
                full.bottom() - height * full.height(),
                full.width(),
                height * full.height(),
            )
            painter.fillRect(bar, _TOP if digit == self._highlight else _BAR)
        painter.setPen(_TEXT)
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


class InputPreview(QWidget):
    """A 28x28 image in [0, 1], enlarged pixel for pixel, with a faint grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("network_input")
        self.setAccessibleName("What the network sees")
        self.setToolTip(
            "The 28×28 image given to the network, cropped, scaled and centred "
            "like the MNIST digits it learnt from"
        )
        self.setFixedSize(140, 140)
        self._image = _BLANK
        self._qimage = self._to_qimage(_BLANK)

    def image(self) -> np.ndarray:
        """The image shown, (28, 28) in [0, 1]."""
        return self._image

    def set_image(self, image: np.ndarray | None) -> None:
        """Show ``image`` (None: blank); raise ValueError unless it is 28x28."""
        if image is None:
            image = _BLANK
        elif np.shape(image) != INPUT_SHAPE:
            raise ValueError(f"image28 must be 28x28, got shape {np.shape(image)}")
        self._image = np.asarray(image, dtype=np.float32)
        self._qimage = self._to_qimage(self._image)
        self.update()

    @staticmethod
    def _to_qimage(image: np.ndarray) -> QImage:
        pixels = np.ascontiguousarray(
            np.clip(image, 0.0, 1.0) * 255.0 + 0.5, dtype=np.uint8
        )
        h, w = pixels.shape
        return QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy()

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(140, 140)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        target = QRectF(self.rect())
        painter.drawImage(target, self._qimage)  # nearest neighbour: crisp pixels
        painter.setPen(QPen(_GRID, 0))
        rows, cols = INPUT_SHAPE
        for i in range(1, cols):
            x = target.left() + i * target.width() / cols
            painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()))
        for i in range(1, rows):
            y = target.top() + i * target.height() / rows
            painter.drawLine(QPointF(target.left(), y), QPointF(target.right(), y))
        painter.end()


class PredictionView(QWidget):
    """Shows a `Recognition`: the digit, its confidence, the bars and the input."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setAccessibleName("Prediction")
        self._text = ""

        self._digit = QLabel("")
        self._digit.setObjectName("digit")
        font = QFont(self.font())
        font.setPointSize(56)
        font.setBold(True)
        self._digit.setFont(font)
        self._digit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._digit.setMinimumWidth(96)
        self._digit.setToolTip("The digit the network thinks you drew")
        self._confidence = QLabel("")
        self._confidence.setObjectName("confidence")
        self._confidence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._confidence.setToolTip("How sure the network is of that digit")
        self.bars = ProbabilityBars()
        self.preview = InputPreview()
        caption = QLabel("what the network sees (28×28)")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)

        answer = QVBoxLayout()
        answer.addWidget(self._digit, 1)
        answer.addWidget(self._confidence)
        seen = QVBoxLayout()
        seen.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        seen.addWidget(caption)
        top = QHBoxLayout()
        top.addLayout(answer, 1)
        top.addLayout(seen)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.bars, 1)
        self.show_recognition(None)

    def text(self) -> str:
        """The answer as read aloud, e.g. ``"7 (98%)"``; empty with no reading."""
        return self._text

    def show_recognition(self, recognition: Recognition | None) -> None:
        """Show ``recognition``; None clears the view."""
        if recognition is None:
            self._digit.setText("")
            self._confidence.setText("")
            self._text = ""
            self.bars.set_probabilities(None)
            self.preview.set_image(None)
        else:
            reading = recognition.current
            self._digit.setText(str(reading.digit))
            self._confidence.setText(f"{reading.confidence:.0%} sure")
            self._text = recognition.text
            self.bars.set_probabilities(reading.probabilities, reading.digit)
            self.preview.set_image(reading.image)
        self.setAccessibleDescription(self._text)
        self._digit.setAccessibleDescription(self._text)

    def bar_heights(self) -> np.ndarray:
        """The heights of the ten bars (for tests and accessibility tools)."""
        return self.bars.heights()

"""The network's answer: the digit, its confidence, ten bars and the 28x28 input."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

if TYPE_CHECKING:
    from nnpad.core.inference import Prediction

__all__ = ["PredictionView"]

pg.setConfigOptions(imageAxisOrder="row-major")

_SIDE = 28
_BAR = pg.mkBrush("#5f6b7a")
_TOP = pg.mkBrush("#6ea0ff")
_GRID = pg.mkPen(color=(60, 60, 60), width=0)  # cosmetic: one screen pixel wide
_BLANK = np.zeros((_SIDE, _SIDE), dtype=np.float32)


def _grid_lines() -> tuple[np.ndarray, np.ndarray]:
    """Segments between the 28x28 pixels, as pairs for ``connect="pairs"``."""
    ticks = np.arange(1, _SIDE, dtype=float)
    ends = np.array([0.0, float(_SIDE)])
    xs = np.concatenate([np.repeat(ticks, 2), np.tile(ends, _SIDE - 1)])
    ys = np.concatenate([np.tile(ends, _SIDE - 1), np.repeat(ticks, 2)])
    return xs, ys


class PredictionView(QWidget):
    """Shows a `Prediction` and the image the network was given.

    Every graphics item is made once; `show_prediction` only updates them, so it
    can run on every (throttled) mouse move.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setAccessibleName("Prediction")
        self._text = ""

        self._digit = QLabel("–")
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

        self._bars = pg.BarGraphItem(
            x=np.arange(10), height=np.zeros(10), width=0.7, brushes=[_BAR] * 10
        )
        self._top = -1
        self._plot = pg.PlotWidget()
        self._plot.setObjectName("probabilities")
        self._plot.setToolTip("Probability the network gives each digit")
        self._plot.setAccessibleName("Probabilities of the digits 0 to 9")
        item = self._plot.getPlotItem()
        item.addItem(self._bars)
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setXRange(-0.5, 9.5, padding=0)
        item.setYRange(0.0, 1.0, padding=0.02)
        item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        item.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0.0, 0.5, 1.0)]])
        self._plot.setMinimumHeight(140)

        self._image = pg.ImageItem(_BLANK, levels=(0.0, 1.0))
        grid = pg.PlotCurveItem(*_grid_lines(), connect="pairs", pen=_GRID)
        self._preview = pg.GraphicsLayoutWidget()
        self._preview.setObjectName("network_input")
        self._preview.setToolTip(
            "The 28×28 image given to the network, cropped, scaled and centred "
            "like the MNIST digits it learnt from"
        )
        self._preview.setAccessibleName("What the network sees")
        self._preview.ci.setContentsMargins(0, 0, 0, 0)
        box = self._preview.addViewBox(lockAspect=True, enableMouse=False)
        box.setMenuEnabled(False)
        box.invertY(True)
        box.addItem(self._image)
        box.addItem(grid)
        box.setRange(xRange=(0, _SIDE), yRange=(0, _SIDE), padding=0)
        self._preview.setFixedSize(140, 140)
        caption = QLabel("what the network sees (28×28)")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)

        answer = QVBoxLayout()
        answer.addWidget(self._digit, 1)
        answer.addWidget(self._confidence)
        seen = QVBoxLayout()
        seen.addWidget(self._preview, 0, Qt.AlignmentFlag.AlignHCenter)
        seen.addWidget(caption)
        top = QHBoxLayout()
        top.addLayout(answer, 1)
        top.addLayout(seen)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._plot, 1)
        self.show_prediction(None, None)

    def text(self) -> str:
        """The answer as read aloud, e.g. ``"7 (98%)"``; empty with no prediction."""
        return self._text

    def show_prediction(
        self, prediction: Prediction | None, image28: np.ndarray | None
    ) -> None:
        """Show ``prediction`` and the 28x28 ``image28`` in [0, 1]; None clears."""
        if prediction is None:
            probs = np.zeros(10)
            self._digit.setText("–")
            self._confidence.setText("")
            self._text = ""
        else:
            probs = np.asarray(prediction.probabilities, dtype=float).reshape(10)
            self._digit.setText(str(prediction.digit))
            self._confidence.setText(f"{prediction.confidence:.0%} sure")
            self._text = prediction.describe()
        top = prediction.digit if prediction is not None else -1
        if top != self._top:
            self._top = top
            brushes = [_TOP if i == top else _BAR for i in range(10)]
            self._bars.setOpts(height=probs, brushes=brushes)
        else:
            self._bars.setOpts(height=probs)
        if image28 is None:
            image28 = _BLANK
        elif np.shape(image28) != (_SIDE, _SIDE):
            raise ValueError(f"image28 must be 28x28, got shape {np.shape(image28)}")
        self._image.setImage(image28, autoLevels=False, levels=(0.0, 1.0))
        self.setAccessibleDescription(self._text)
        self._digit.setAccessibleDescription(self._text)

    def bar_heights(self) -> np.ndarray:
        """The heights of the ten bars (for tests and accessibility tools)."""
        return np.asarray(self._bars.opts["height"], dtype=float)

"""28x28 images, enlarged pixel for pixel: what the network sees, and why it read it.

:class:`InputPreview` shows the network's input; :class:`SaliencyPreview` shows the
same input, dimmed, with the ink that speaks for the digit in red and against it in
blue (gradient x input, :func:`nnpad.core.reading.explain.saliency`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from nnpad.core.recipe.spec import INPUT_SHAPE
from nnpad.ui.style import DARK_GRID, SPEAKS_AGAINST, SPEAKS_FOR

BLANK = np.zeros(INPUT_SHAPE, dtype=np.float32)
SIDE = 140
_RED = np.array([SPEAKS_FOR.red(), SPEAKS_FOR.green(), SPEAKS_FOR.blue()], float)
_BLUE = np.array(
    [SPEAKS_AGAINST.red(), SPEAKS_AGAINST.green(), SPEAKS_AGAINST.blue()], float
)


def _checked(image: np.ndarray | None) -> np.ndarray:
    if image is None:
        return BLANK
    if np.shape(image) != INPUT_SHAPE:
        raise ValueError(f"image28 must be 28x28, got shape {np.shape(image)}")
    return np.asarray(image, dtype=np.float32)


def _rgb_image(rgb: np.ndarray) -> QImage:
    pixels = np.ascontiguousarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))
    h, w, _ = pixels.shape
    return QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _Pixels(QWidget):
    """A 28x28 picture drawn with crisp pixels and a faint grid."""

    def __init__(self, name: str, spoken: str, tip: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(spoken)
        self.setToolTip(tip)
        self.setFixedSize(SIDE, SIDE)
        self._qimage = _rgb_image(np.zeros((*INPUT_SHAPE, 3)))

    def sizeHint(self) -> QSize:
        return QSize(SIDE, SIDE)

    def _show(self, rgb: np.ndarray) -> None:
        self._qimage = _rgb_image(rgb)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        target = QRectF(self.rect())
        painter.drawImage(target, self._qimage)  # nearest neighbour: crisp pixels
        painter.setPen(QPen(DARK_GRID, 0))
        rows, cols = INPUT_SHAPE
        for i in range(1, cols):
            x = target.left() + i * target.width() / cols
            painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()))
        for i in range(1, rows):
            y = target.top() + i * target.height() / rows
            painter.drawLine(QPointF(target.left(), y), QPointF(target.right(), y))
        painter.end()


class InputPreview(_Pixels):
    """The 28x28 image given to the network, in [0, 1]."""

    def __init__(self) -> None:
        super().__init__(
            "network_input",
            "What the network sees",
            "The 28×28 image given to the network, cropped, scaled and centred "
            "like the MNIST digits it learnt from",
        )
        self._image = BLANK

    def image(self) -> np.ndarray:
        """The image shown, (28, 28) in [0, 1]."""
        return self._image

    def set_image(self, image: np.ndarray | None) -> None:
        """Show ``image`` (None: blank); raise ValueError unless it is 28x28."""
        self._image = _checked(image)
        grey = np.clip(self._image, 0.0, 1.0)[..., None] * 255.0
        self._show(np.repeat(grey, 3, axis=2))


class SaliencyPreview(_Pixels):
    """The input dimmed, with red ink for the digit and blue ink against it."""

    def __init__(self) -> None:
        super().__init__(
            "whyImage",
            "Why this digit",
            "Gradient × input: red ink makes the network read this digit, blue ink"
            " speaks against it. Click a bar to ask why this digit and not that one.",
        )
        self._saliency = BLANK

    def saliency(self) -> np.ndarray:
        """The saliency shown, (28, 28)."""
        return self._saliency

    def set_saliency(self, image: np.ndarray | None, why: np.ndarray | None) -> None:
        """Show ``why`` over ``image`` (None: blank)."""
        base = _checked(image)
        self._saliency = _checked(why)
        limit = float(np.abs(self._saliency).max())
        strength = self._saliency / limit if limit > 0 else self._saliency
        rgb = np.repeat((0.25 * np.clip(base, 0.0, 1.0) * 255.0)[..., None], 3, axis=2)
        for sign, tint in ((1.0, _RED), (-1.0, _BLUE)):
            alpha = np.clip(sign * strength, 0.0, 1.0)[..., None] ** 0.7
            rgb = rgb * (1.0 - alpha) + tint * alpha
        self._show(rgb)

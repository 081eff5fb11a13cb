"""What the canvas shows over or behind the ink, never part of the drawing.

- A reference image (a real MNIST digit) faintly behind the ink, to compare or trace.
- Boxes over the digits of a number, each with what was read there: shown when a
  drawing holds more than one digit, each box in its verdict's colour with the digit
  and its confidence above it, the digit the other views show drawn bolder. A single
  digit gets no box: it reads as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter, QPen, QRegion

from nnpad.core.reading.verdict import percent
from nnpad.ui.style import REFERENCE, TEXT_ON_LIGHT, verdict_colour

if TYPE_CHECKING:
    from nnpad.core.reading.recognition import Recognition
    from nnpad.core.reading.verdict import Kind

__all__ = [
    "DigitMark",
    "digit_marks",
    "marks_region",
    "paint_marks",
    "paint_reference",
    "reference_image",
]

_PAD = 4.0  # logical units around the ink


@dataclass(frozen=True)
class DigitMark:
    """One digit's box (logical canvas units), its label and its verdict."""

    box: tuple[float, float, float, float]
    label: str
    kind: Kind
    selected: bool


def digit_marks(recognition: Recognition | None) -> list[DigitMark]:
    """The marks for a reading of a drawing; none for one digit or no reading."""
    if recognition is None or len(recognition.digits) < 2:
        return []
    marks = []
    for i, reading in enumerate(recognition.digits):
        if reading.box is None:
            continue
        kind = reading.verdict.kind
        shown = "?" if kind == "not a digit" else str(reading.digit)
        marks.append(
            DigitMark(
                reading.box,
                f"{shown} {percent(reading.confidence)}%",
                kind,
                i == recognition.selected,
            )
        )
    return marks


def _mark_font(painter_font: QFont, scale: float) -> QFont:
    font = QFont(painter_font)
    font.setPointSizeF(max(8.0, 9.0 * scale))
    font.setBold(True)
    return font


def _mark_rects(
    mark: DigitMark, area: QRectF, scale: float, metrics: QFontMetricsF
) -> tuple[QRectF, QRectF]:
    """Where ``mark``'s box and its label go, in widget pixels."""
    x0, y0, x1, y1 = mark.box
    box = QRectF(
        area.x() + (x0 - _PAD) * scale,
        area.y() + (y0 - _PAD) * scale,
        (x1 - x0 + 2 * _PAD) * scale,
        (y1 - y0 + 2 * _PAD) * scale,
    ).intersected(area.adjusted(1, 1, -1, -1))
    # The label sits above the box, or inside its top when there is no room.
    width = metrics.horizontalAdvance(mark.label) + 8
    height = metrics.height() + 2
    top = box.top() - height if box.top() - height >= area.top() else box.top()
    return box, QRectF(box.left(), top, width, height)


def marks_region(
    marks: list[DigitMark], font: QFont, area: QRectF, scale: float
) -> QRegion:
    """The widget pixels ``marks`` paint over (``font``: the canvas' own)."""
    metrics = QFontMetricsF(_mark_font(font, scale))
    region = QRegion()
    for mark in marks:
        for rect in _mark_rects(mark, area, scale, metrics):
            # Wide enough for the pen's width and its anti-aliasing.
            region += rect.adjusted(-3, -3, 3, 3).toAlignedRect()
    return region


def paint_marks(
    painter: QPainter, marks: list[DigitMark], area: QRectF, scale: float
) -> None:
    """Paint ``marks`` on a canvas whose logical origin is at ``area``'s top left.

    ``scale`` is widget pixels per logical unit.
    """
    if not marks:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = _mark_font(painter.font(), scale)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    for mark in marks:
        box, label = _mark_rects(mark, area, scale, metrics)
        tint = verdict_colour(mark.kind)
        pen = QPen(tint, 2.5 if mark.selected else 1.0)
        if not mark.selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 4, 4)
        fill = verdict_colour(mark.kind)
        fill.setAlpha(220 if mark.selected else 150)
        painter.fillRect(label, fill)
        painter.setPen(TEXT_ON_LIGHT)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, mark.label)
    painter.restore()


def reference_image(image: np.ndarray) -> QImage:
    """A grey image (ink 255 on 0) as a soft blue picture to show behind the ink."""
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    tint = np.array(  # as BGRA
        [REFERENCE.blue(), REFERENCE.green(), REFERENCE.red(), 0], dtype=np.float32
    )
    bgra = np.ascontiguousarray((pixels[..., None] * tint).astype(np.uint8))
    h, w = pixels.shape
    return QImage(bgra.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()


def paint_reference(painter: QPainter, reference: QImage, square: QRectF) -> None:
    """Paint ``reference`` into ``square`` as added light: white ink stays white."""
    painter.save()
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Plus)
    painter.setOpacity(0.55)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(square, reference)
    painter.restore()

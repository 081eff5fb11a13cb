"""Colours and markers shared by the pyqtgraph views."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

DIVERGING = "CET-D1A"  # blue negative, white zero, red positive
SEQUENTIAL = "inferno"
BACKGROUND = "#34373c"  # grey, not black: inferno draws zero as black
SELECT_COLOR = QColor("#00e5ff")
PREDICT_COLOR = QColor("#ffffff")
LABEL_COLOR = QColor("#9aa0a6")


def marker(color: QColor, width: float) -> QGraphicsRectItem:
    """A hidden rectangle outline of a cosmetic pen, drawn above the images."""
    pen = QPen(color)
    pen.setCosmetic(True)
    pen.setWidthF(width)
    rect = QGraphicsRectItem()
    rect.setPen(pen)
    rect.setZValue(10)
    rect.hide()
    return rect

"""How strokes look on screen: white ink on black paper, round ends and joins."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPen, QPolygonF

from nnpad.ui.style import INK, PAPER

if TYPE_CHECKING:
    from collections.abc import Iterable

    from nnpad.core.ink.strokes import Stroke

__all__ = ["paint_strokes", "pen"]


def pen() -> QPen:
    """A pen with round caps and joins, as a felt tip draws."""
    p = QPen(INK, 1.0)
    p.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return p


def paint_strokes(
    painter: QPainter, strokes: Iterable[Stroke], scale: float, brush: QPen
) -> None:
    """Paint ``strokes`` (logical units times ``scale``); erasers paint paper."""
    for stroke in strokes:
        pts = [
            QPointF(x * scale, y * scale)
            for x, y in stroke.points
            if math.isfinite(x) and math.isfinite(y)
        ]
        if not pts:
            continue
        brush.setColor(PAPER if stroke.erase else INK)
        brush.setWidthF(max(stroke.width * scale, 1.0))
        painter.setPen(brush)
        if len(pts) == 1:
            painter.drawPoint(pts[0])
        else:
            painter.drawPolyline(QPolygonF(pts))

"""Replay drawings on the real canvas widget with mouse events, as a person would.

The points go through the widget's own coordinate mapping (and its integer mouse
positions), so the drawing the canvas ends up with is what a mouse would have made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from nnpad.core.strokes import CANVAS_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget

    from nnpad.core.strokes import Drawing

_LEFT, _NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


def _send(canvas: QWidget, kind: QEvent.Type, pos: QPointF) -> None:
    # As Qt builds them: a move carries the held button in buttons() only.
    button = _NONE if kind == QEvent.Type.MouseMove else _LEFT
    buttons = _NONE if kind == QEvent.Type.MouseButtonRelease else _LEFT
    event = QMouseEvent(kind, pos, pos, button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def widget_point(canvas: QWidget, x: float, y: float) -> QPointF:
    """The widget pixel (rounded, as a mouse gives) of canvas point (x, y)."""
    square = canvas.canvas_rect()
    k = square.height() / CANVAS_SIZE
    return QPointF(round(square.x() + x * k), round(square.y() + y * k))


def replay(
    canvas: QWidget,
    drawing: Drawing,
    between: Callable[[], object] | None = None,
) -> None:
    """Draw every ink stroke of ``drawing`` on ``canvas`` with left-button events.

    ``between``, if given, is called after each event (``qtbot.wait(5)``: the
    event loop runs between moves, as it does for a person's hand).
    """
    for stroke in drawing.strokes:
        points = [widget_point(canvas, x, y) for x, y in stroke.points]
        if not points:
            continue
        kinds = [QEvent.Type.MouseButtonPress]
        kinds += [QEvent.Type.MouseMove] * (len(points) - 1)
        for kind, point in zip(kinds, points, strict=True):
            _send(canvas, kind, point)
            if between is not None:
                between()
        _send(canvas, QEvent.Type.MouseButtonRelease, points[-1])

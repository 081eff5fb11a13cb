"""Mouse input on the real canvas widget, as a person's mouse would give it.

The one place tests and benchmarks build mouse events (``qtbot.mouseMove`` cannot
drag). Points go through the widget's own coordinate mapping, and a mouse gives
whole pixels, so the drawing the canvas ends up with is what a mouse would have made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from nnpad.core.ink.strokes import CANVAS_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from PySide6.QtWidgets import QWidget

    from nnpad.core.ink.strokes import Drawing
    from nnpad.ui.drawing.canvas import DrawingCanvas

LEFT = Qt.MouseButton.LeftButton
RIGHT = Qt.MouseButton.RightButton
NONE = Qt.MouseButton.NoButton
PRESS = QEvent.Type.MouseButtonPress
MOVE = QEvent.Type.MouseMove
RELEASE = QEvent.Type.MouseButtonRelease


def mouse_event(
    widget: QWidget, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton = LEFT
) -> QMouseEvent:
    """A mouse event with ``button`` held, as Qt builds them.

    A move carries the held button in ``buttons()`` only; a release no longer holds
    it.
    """
    pressed = NONE if kind == MOVE else button
    held = NONE if kind == RELEASE else button
    return QMouseEvent(
        kind,
        pos,
        QPointF(widget.mapToGlobal(pos)),
        pressed,
        held,
        Qt.KeyboardModifier.NoModifier,
    )


def send_mouse(
    widget: QWidget, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton = LEFT
) -> None:
    """Send one mouse event (see :func:`mouse_event`) to ``widget`` now."""
    QApplication.sendEvent(widget, mouse_event(widget, kind, pos, button))


def widget_point(canvas: DrawingCanvas, x: float, y: float) -> QPointF:
    """The widget pixel (rounded, as a mouse gives) of canvas point (x, y)."""
    area = canvas.canvas_rect()
    k = area.height() / CANVAS_SIZE
    return QPointF(round(area.x() + x * k), round(area.y() + y * k))


def logical_pos(canvas: DrawingCanvas, x: float, y: float) -> QPointF:
    """The widget position of canvas point (x, y), unrounded."""
    area = canvas.canvas_rect()
    k = area.height() / CANVAS_SIZE
    return QPointF(area.x() + x * k, area.y() + y * k)


def drag_logical(
    canvas: DrawingCanvas,
    logical: Sequence[tuple[float, float]],
    button: Qt.MouseButton = LEFT,
    *,
    release: bool = True,
) -> None:
    """`drag` through canvas points (x, y)."""
    drag(
        canvas, [logical_pos(canvas, x, y) for x, y in logical], button, release=release
    )


def square_point(canvas: DrawingCanvas, fx: float, fy: float) -> QPointF:
    """The widget point at fraction (fx, fy) of the canvas' middle square."""
    square = canvas.centre_square()
    return QPointF(square.x() + fx * square.width(), square.y() + fy * square.height())


def drag(
    widget: QWidget,
    points: Sequence[QPointF],
    button: Qt.MouseButton = LEFT,
    *,
    release: bool = True,
) -> None:
    """Press at the first point, move through the rest, release at the last."""
    send_mouse(widget, PRESS, points[0], button)
    for point in points[1:]:
        send_mouse(widget, MOVE, point, button)
    if release:
        send_mouse(widget, RELEASE, points[-1], button)


def draw_stroke(
    canvas: DrawingCanvas, fractions: Sequence[tuple[float, float]]
) -> None:
    """One left-button stroke through fractions (fx, fy) of the middle square."""
    drag(canvas, [square_point(canvas, fx, fy) for fx, fy in fractions])


def replay(
    canvas: DrawingCanvas,
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
        if between is None:
            drag(canvas, points)
            continue
        for kind, point in zip(
            [PRESS] + [MOVE] * (len(points) - 1), points, strict=True
        ):
            send_mouse(canvas, kind, point, LEFT)
            between()
        send_mouse(canvas, RELEASE, points[-1], LEFT)

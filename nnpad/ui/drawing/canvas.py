"""The drawing surface: mouse, pen and touch strokes on a fixed logical canvas.

The canvas is twice as wide as it is tall, room for a number on one line; a
single digit drawn anywhere on it reads as before, since only its ink counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke
from nnpad.core.ink.undo import UndoStack
from nnpad.ui.drawing.canvas_overlays import (
    DigitMark,
    marks_region,
    paint_marks,
    paint_reference,
    reference_image,
)
from nnpad.ui.drawing.pointer_input import PointerInput, Source
from nnpad.ui.drawing.stroke_painting import paint_strokes, pen
from nnpad.ui.style import (
    CANVAS_FRAME,
    CANVAS_FRAME_FOCUS,
    CANVAS_HINT,
    DARK_GROUND,
    INK,
    PAPER,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BRUSH_DEFAULT", "BRUSH_MAX", "BRUSH_MIN", "CANVAS_WIDTH", "DrawingCanvas"]

BRUSH_MIN = 4.0
BRUSH_MAX = 40.0
BRUSH_DEFAULT = 18.0
CANVAS_WIDTH = 2 * CANVAS_SIZE
"""Logical width of the canvas; its height is ``CANVAS_SIZE``."""
_MARGIN = 2  # widget pixels around the canvas, room for the focus frame

_HINT_TEXT = "Draw a digit or a number here\n(right-drag erases)"


class DrawingCanvas(PointerInput, QWidget):
    """A black canvas, twice as wide as tall, on which the user draws in white.

    Points are stored in logical units, x in ``0..CANVAS_WIDTH`` and y in
    ``0..CANVAS_SIZE``, whatever the widget's size
    or the screen's DPI. The committed drawing is an immutable `Drawing`; undo and
    redo keep earlier drawings. The canvas never runs the network itself: it emits
    the drawing it has, and whoever listens reads it.
    """

    stroke_changed = Signal(object)
    """The stroke in progress changed: the drawing with it (a `Drawing`)."""
    drawing_changed = Signal(object)
    """The committed drawing changed (stroke finished, undo, redo, clear, set)."""
    history_changed = Signal()
    """`can_undo` or `can_redo` may have changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAccessibleName("Drawing canvas")
        self.setAccessibleDescription(
            "Drawing canvas: draw a digit or a number with the mouse; right-drag erases"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.CrossCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(400, 200)

        self._drawing = Drawing()
        self._history: UndoStack[Drawing] = UndoStack()
        self._brush = BRUSH_DEFAULT
        self._eraser = False
        # The stroke in progress: logical points, its kind and the device drawing it.
        self._points: list[tuple[float, float]] = []
        self._erasing = False
        self._width = BRUSH_DEFAULT
        self._source: Source | None = None
        self._button = Qt.MouseButton.NoButton
        self._touch_id = -1
        self._last = QPointF()
        self._live: Drawing | None = None
        # Committed strokes plus the stroke in progress, at device resolution.
        self._cache: QImage | None = None
        self._reference: QImage | None = None
        self._marks: list[DigitMark] = []
        self._pen = pen()

    # -- model -------------------------------------------------------------------

    def drawing(self) -> Drawing:
        """The committed drawing."""
        return self._drawing

    def current_drawing(self) -> Drawing:
        """The committed drawing plus the stroke in progress, if any."""
        if not self._points:
            return self._drawing
        if self._live is None:
            self._live = self._drawing.with_stroke(self._current_stroke())
        return self._live

    def is_empty(self) -> bool:
        """Whether there is no ink, counting the stroke in progress."""
        return self.current_drawing().is_empty

    def set_drawing(self, drawing: Drawing) -> None:
        """Replace the drawing (for example with a sample); undoable."""
        if not isinstance(drawing, Drawing):
            raise ValueError(f"expected a Drawing, got {drawing!r}")
        self._cancel_stroke()
        if drawing != self._drawing:
            self._commit(drawing)

    def clear(self) -> None:
        """Remove every stroke and the reference image; undoable."""
        self.set_reference(None)
        self.set_drawing(Drawing())

    def set_reference(self, image: np.ndarray | None) -> None:
        """Show a grey image (ink 255 on 0) faintly behind the ink, to compare or trace.

        It is only shown: it is not part of the drawing and the network never sees it.
        """
        self._reference = None if image is None else reference_image(image)
        self.update()

    def set_marks(self, marks: list[DigitMark]) -> None:
        """Show boxes over the digits found (only shown: never part of the drawing)."""
        if marks != self._marks:
            # Only where the old and the new marks are: the canvas is the largest
            # widget, repainted on every reading of a number.
            area = QRectF(self.canvas_rect())
            k = area.height() / CANVAS_SIZE
            dirty = marks_region(self._marks, self.font(), area, k)
            self._marks = list(marks)
            self.update(dirty + marks_region(self._marks, self.font(), area, k))

    def marks(self) -> list[DigitMark]:
        """The digit boxes shown."""
        return list(self._marks)

    def has_reference(self) -> bool:
        """Whether a reference image is shown."""
        return self._reference is not None

    def can_undo(self) -> bool:
        """Whether `undo` would change the drawing."""
        return self._history.can_undo()

    def can_redo(self) -> bool:
        """Whether `redo` would change the drawing."""
        return self._history.can_redo()

    def undo(self) -> None:
        """Drop the stroke in progress, or else go back before the last change."""
        if self._cancel_stroke():
            return
        earlier = self._history.undo(self._drawing)
        if earlier is not None:
            self._replace(earlier)

    def redo(self) -> None:
        """Re-apply the last undone change."""
        self._cancel_stroke()
        later = self._history.redo(self._drawing)
        if later is not None:
            self._replace(later)

    @property
    def brush_size(self) -> float:
        """Pen diameter for new strokes, in logical units."""
        return self._brush

    def set_brush_size(self, size: float) -> None:
        """Set the pen diameter, clamped to ``BRUSH_MIN..BRUSH_MAX`` logical units."""
        self._brush = min(max(float(size), BRUSH_MIN), BRUSH_MAX)

    @property
    def eraser(self) -> bool:
        """Whether the left button (pen, finger) erases."""
        return self._eraser

    def set_eraser(self, on: bool) -> None:
        """Make the left button erase (the right button always erases)."""
        self._eraser = bool(on)

    def _commit(self, drawing: Drawing) -> None:
        self._history.record(self._drawing)
        self._replace(drawing)

    def _replace(self, drawing: Drawing) -> None:
        self._drawing = drawing
        self._invalidate()
        self.drawing_changed.emit(drawing)
        self.history_changed.emit()

    def _current_stroke(self) -> Stroke:
        return Stroke(tuple(self._points), self._width, self._erasing)

    # -- geometry ----------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:  # noqa: D102
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: D102
        return round((width - 2 * _MARGIN) * CANVAS_SIZE / CANVAS_WIDTH) + 2 * _MARGIN

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(640, self.heightForWidth(640))

    def minimumSizeHint(self) -> QSize:  # noqa: D102
        return QSize(400, self.heightForWidth(400))

    def canvas_rect(self) -> QRect:
        """The drawing area in widget pixels: the largest that fits, centred."""
        room_w = max(2, self.width() - 2 * _MARGIN)
        room_h = max(1, self.height() - 2 * _MARGIN)
        h = max(1, min(room_h, int(room_w * CANVAS_SIZE / CANVAS_WIDTH)))
        w = round(h * CANVAS_WIDTH / CANVAS_SIZE)
        return QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def centre_square(self) -> QRect:
        """The square of the canvas' full height in the middle of it (widget pixels)."""
        area = self.canvas_rect()
        side = area.height()
        return QRect(area.x() + (area.width() - side) // 2, area.y(), side, side)

    def to_logical(self, pos: QPointF) -> tuple[float, float]:
        """Map a widget position to logical canvas units."""
        area = self.canvas_rect()
        k = area.height() / CANVAS_SIZE
        # Clamped, so ink off the edge counts where it is shown: along the edge.
        x = min(max((pos.x() - area.x()) / k, 0.0), CANVAS_WIDTH)
        y = min(max((pos.y() - area.y()) / k, 0.0), CANVAS_SIZE)
        return (x, y)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102
        self._cache = None
        super().resizeEvent(event)

    # -- painting ----------------------------------------------------------------

    def _invalidate(self) -> None:
        self._cache = None
        self._live = None
        self.update()

    def _rebuild_cache(self) -> QImage:
        area = self.canvas_rect()
        dpr = self.devicePixelRatioF()
        cache = QImage(
            round(area.width() * dpr),
            round(area.height() * dpr),
            QImage.Format.Format_RGB32,
        )
        cache.setDevicePixelRatio(dpr)
        cache.fill(PAPER)
        strokes = list(self._drawing.strokes)
        if self._points:
            strokes.append(self._current_stroke())
        painter = QPainter(cache)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_strokes(painter, strokes, area.height() / CANVAS_SIZE, self._pen)
        painter.end()
        self._cache = cache
        return cache

    def _paint_segment(self, a: QPointF, b: QPointF) -> None:
        """Draw one segment of the stroke in progress onto the cache (widget coords)."""
        cache = self._cache
        if cache is None:
            self.update()  # the next paint rebuilds everything, this segment included
            return
        area = self.canvas_rect()
        width = max(self._width * area.height() / CANVAS_SIZE, 1.0)
        self._pen.setColor(PAPER if self._erasing else INK)
        self._pen.setWidthF(width)
        origin = QPointF(area.topLeft())
        painter = QPainter(cache)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        if a == b:
            painter.drawPoint(a - origin)
        else:
            painter.drawLine(a - origin, b - origin)
        painter.end()
        r = width / 2 + 2
        # Painted now, not when the event loop comes to it: whoever hears of the
        # move next (the session reads the drawing) runs after the ink is shown.
        self.repaint(QRectF(a, b).normalized().adjusted(-r, -r, r, r).toAlignedRect())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        cache = self._cache
        if cache is None or cache.devicePixelRatio() != self.devicePixelRatioF():
            cache = self._rebuild_cache()  # new size, or moved to another screen
        area = self.canvas_rect()
        exposed = event.rect()
        painter = QPainter(self)
        if not area.contains(exposed):
            painter.fillRect(exposed, DARK_GROUND)
            painter.setPen(CANVAS_FRAME_FOCUS if self.hasFocus() else CANVAS_FRAME)
            painter.drawRect(area.adjusted(-1, -1, 0, 0))
        target = exposed.intersected(area)
        if not target.isEmpty():
            dpr = cache.devicePixelRatio()
            source = QRectF(target.translated(-area.topLeft()))
            source = QRectF(
                source.x() * dpr,
                source.y() * dpr,
                source.width() * dpr,
                source.height() * dpr,
            )
            painter.drawImage(QRectF(target), cache, source)
            painter.setClipRect(target)
            if self._reference is not None:
                paint_reference(painter, self._reference, QRectF(self.centre_square()))
            elif self._drawing.is_empty and not self._points:
                painter.setPen(CANVAS_HINT)
                painter.drawText(area, Qt.AlignmentFlag.AlignCenter, _HINT_TEXT)
            k = area.height() / CANVAS_SIZE
            paint_marks(painter, self._marks, QRectF(area), k)
        painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: D102
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: D102
        self.update()
        super().focusOutEvent(event)

    # -- strokes -----------------------------------------------------------------

    def _begin(self, pos: QPointF, erase: bool, source: Source) -> None:
        self._points = [self.to_logical(pos)]
        self._erasing = erase or self._eraser
        self._width = self._brush
        self._source = source
        self._last = QPointF(pos)
        self._live = None
        self._paint_segment(self._last, self._last)
        if self._drawing.is_empty:
            self.update()  # take the hint away
        self.stroke_changed.emit(self.current_drawing())

    def _extend(self, pos: QPointF, source: Source) -> None:
        if self._source is not source or pos == self._last:
            return
        self._points.append(self.to_logical(pos))
        self._live = None
        self._paint_segment(self._last, pos)
        self._last = QPointF(pos)
        self.stroke_changed.emit(self.current_drawing())

    def _finish(self, source: Source) -> None:
        if self._source is not source:
            return
        stroke = self._current_stroke()
        self._points = []
        self._source = None
        # Rebuild from the drawing so the stroke is one polyline, without the
        # slightly brighter anti-aliased joints that segment-by-segment leaves.
        self._commit(self._drawing.with_stroke(stroke))

    def _cancel_stroke(self) -> bool:
        """Drop the stroke in progress; return whether there was one."""
        if self._source is None:
            return False
        self._points = []
        self._source = None
        self._invalidate()
        self.stroke_changed.emit(self._drawing)  # the stroke is gone
        return True

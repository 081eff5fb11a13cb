"""Mouse, pen tablet and touch input of the canvas: one stroke at a time.

:class:`PointerInput` is mixed into the canvas (before QWidget, so its handlers
override QWidget's); it turns device events into the canvas' ``_begin``,
``_extend``, ``_finish`` and ``_cancel_stroke`` calls. Only the device that began a
stroke may extend it.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QMouseEvent, QPointingDevice, QTabletEvent, QTouchEvent

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF


class Source(Enum):
    """The device drawing the stroke in progress."""

    MOUSE = auto()
    TABLET = auto()
    TOUCH = auto()


class PointerInput:
    """Device event handlers for a widget that draws strokes (see the module).

    The widget provides ``_begin(pos, erase, source)``, ``_extend(pos, source)``,
    ``_finish(source)`` and ``_cancel_stroke()``, and these attributes.
    """

    _source: Source | None
    _button: Qt.MouseButton
    _touch_id: int

    if TYPE_CHECKING:  # provided by the widget

        def _begin(self, pos: QPointF, erase: bool, source: Source) -> None: ...
        def _extend(self, pos: QPointF, source: Source) -> None: ...
        def _finish(self, source: Source) -> None: ...
        def _cancel_stroke(self) -> bool: ...

    def _missed_release(self, event: QMouseEvent) -> bool:
        """Finish a mouse stroke whose release went elsewhere (e.g. to a dialog)."""
        if self._source is Source.MOUSE and (
            not event.buttons() & self._button or event.button() == self._button
        ):
            self._finish(Source.MOUSE)
            return True
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        button = event.button()
        self._missed_release(event)
        if self._source is None and button in (
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.RightButton,
        ):
            erase = button == Qt.MouseButton.RightButton
            self._begin(event.position(), erase, Source.MOUSE)
            self._button = button
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        if not self._missed_release(event):
            self._extend(event.position(), Source.MOUSE)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: D102
        if self._source is Source.MOUSE and event.button() == self._button:
            self._extend(event.position(), Source.MOUSE)
            self._finish(Source.MOUSE)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: D102
        kind = event.type()
        pos = event.position()
        if kind == QEvent.Type.TabletPress and self._source is None:
            erase = (
                event.pointerType() == QPointingDevice.PointerType.Eraser
                or event.button() == Qt.MouseButton.RightButton
            )
            self._begin(pos, erase, Source.TABLET)
        elif kind == QEvent.Type.TabletMove:
            self._extend(pos, Source.TABLET)
        elif kind == QEvent.Type.TabletRelease:
            self._extend(pos, Source.TABLET)
            self._finish(Source.TABLET)
        # Accepted, Qt does not synthesise mouse events that would draw twice.
        event.accept()

    def event(self, event: QEvent) -> bool:  # noqa: D102
        kind = event.type()
        if kind not in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            return super().event(event)  # type: ignore[misc]
        assert isinstance(event, QTouchEvent)
        if kind == QEvent.Type.TouchCancel:
            if self._source is Source.TOUCH:
                self._cancel_stroke()
        elif kind == QEvent.Type.TouchBegin:
            if self._source is None and event.points():
                first = event.points()[0]
                self._touch_id = first.id()
                self._begin(first.position(), False, Source.TOUCH)
        else:
            # Single touch: only the finger that began the stroke draws.
            for point in event.points():
                if point.id() == self._touch_id:
                    self._extend(point.position(), Source.TOUCH)
                    if kind == QEvent.Type.TouchEnd or point.state() == (
                        point.State.Released
                    ):
                        self._finish(Source.TOUCH)
                    break
        event.accept()
        return True

"""Readings for a view slow to paint: all when the pen is up, fewer while it moves.

The Look inside panel repaints a heat map per layer (pyqtgraph) for each reading,
several milliseconds each time. While a stroke is drawn the session reads it many
times a second, and a pen move that comes during that painting waits. Such a view
gets the readings of a moving pen at most once per interval (the latest one, never
dropped at the end); any other reading (a finished stroke, undo, a digit chosen)
reaches it at once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.session import Session

__all__ = ["LiveFeed"]

_NOTHING = object()


class LiveFeed(QObject):
    """Call ``show(recognition)`` for ``session``'s readings, fewer while drawing."""

    def __init__(
        self,
        session: Session,
        show: Callable[[Recognition | None], None],
        *,
        interval_ms: int = 100,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._show = show
        self._interval = interval_ms / 1000.0
        self._pending: object = _NOTHING
        self._last = -float("inf")
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timeout)
        session.recognized.connect(self._on_reading)

    def detach(self) -> None:
        """Stop following the session; a reading still waiting is dropped."""
        self._session.recognized.disconnect(self._on_reading)
        self._timer.stop()
        self._pending = _NOTHING

    def set_interval(self, interval_ms: int) -> None:
        """At most one moving pen's reading per ``interval_ms`` from now on."""
        self._interval = interval_ms / 1000.0

    def has_pending(self) -> bool:
        """Whether a reading waits to be shown."""
        return self._pending is not _NOTHING

    @Slot(object)
    def _on_reading(self, recognition: Recognition | None) -> None:
        wait = self._last + self._interval - time.monotonic()
        if self._session.reading_stroke and wait > 0:
            self._pending = recognition
            if not self._timer.isActive():
                self._timer.start(max(1, round(wait * 1000)))
            return
        self._deliver(recognition)

    @Slot()
    def _on_timeout(self) -> None:
        if self._pending is not _NOTHING:
            self._deliver(self._pending)

    def _deliver(self, recognition: object) -> None:
        self._timer.stop()
        self._pending = _NOTHING
        self._last = time.monotonic()
        self._show(recognition)  # type: ignore[arg-type]

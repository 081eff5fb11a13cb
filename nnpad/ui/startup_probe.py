"""Start-up measurement: time to window and to the first recognised drawing.

Used by ``tests/benchmarks/bench_startup.py`` through
``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1``: once the window is on screen, a stroke is
drawn with real mouse events, and when its prediction is shown the timings are printed
and the app quits.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from nnpad.core.recognition import Recognition
    from nnpad.ui.main_window import MainWindow


def mouse(window: MainWindow, kind: QEvent.Type, fx: float, fy: float) -> None:
    """Send a left-button mouse event at a fraction (fx, fy) of the middle square.

    Built as Qt builds them: a move carries the held button in ``buttons()`` only.
    """
    canvas = window.canvas
    square = canvas.centre_square()
    pos = QPointF(square.x() + fx * square.width(), square.y() + fy * square.height())
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    button = none if kind == QEvent.Type.MouseMove else left
    buttons = none if kind == QEvent.Type.MouseButtonRelease else left
    event = QMouseEvent(kind, pos, pos, button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def draw_stroke(window: MainWindow, points: list[tuple[float, float]]) -> None:
    """Draw one stroke on the canvas with mouse events (fractions of its square)."""
    first, *rest = points
    mouse(window, QEvent.Type.MouseButtonPress, *first)
    for point in rest:
        mouse(window, QEvent.Type.MouseMove, *point)
    mouse(window, QEvent.Type.MouseButtonRelease, *rest[-1])


def probe_first_prediction(window: MainWindow, t0: float) -> None:
    """Print when the window was up and the first drawing recognised, then quit.

    "Up" is just after the first frame was painted (``first_painted``); the stroke is
    drawn then, with the model perhaps not yet loaded. Times are wall-clock
    (``time.time()``) so that a benchmark can subtract the moment it launched the
    process; ``t0`` (perf_counter at import) is printed too.
    """
    stamps: dict[str, object] = {}

    def on_recognized(recognition: Recognition | None) -> None:
        if recognition is None or not window.canvas.drawing().strokes:
            return  # wait for the whole stroke, not its first point
        predicted = time.time()
        since_import = time.perf_counter() - t0
        print(
            f"STARTUP shown={stamps['shown']:.4f} predicted={predicted:.4f} "
            f"since_app_import={since_import:.3f} prediction={recognition.text} "
            f"tensorflow={'tensorflow' in sys.modules} "
            f"pyqtgraph_when_shown={stamps['pyqtgraph']}",
            flush=True,
        )
        QApplication.quit()

    def draw() -> None:
        stamps["shown"] = time.time()
        stamps["pyqtgraph"] = "pyqtgraph" in sys.modules
        window.session.recognized.connect(on_recognized)
        draw_stroke(window, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.8)])  # a '7'

    window.first_painted.connect(draw)

"""Start-up measurement: time to window and to the first recognised drawing.

Used by ``tests/benchmarks/bench_startup.py`` through
``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1``: once the window is on screen, a stroke is
put on the canvas (as a finished stroke reaches it: the canvas emits the drawing and
the session reads it), and when its prediction is shown the timings are printed and
the app quits. Building mouse events is left to the tests (``tests/support``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from nnpad.core.ink.strokes import Drawing, Stroke

if TYPE_CHECKING:
    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.window.main_window import MainWindow

SEVEN = Drawing((Stroke(((224.0, 56.0), (336.0, 56.0), (266.0, 224.0)), 18.0),))
"""A '7' in the middle of the canvas (canvas units), drawn with the default brush."""


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
        window.canvas.set_drawing(SEVEN)

    window.first_painted.connect(draw)

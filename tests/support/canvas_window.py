"""The real main window, offscreen, for benchmarks that write on its canvas.

`open_window` builds the window as the app does (a private settings file), shows it
and waits until its model is loaded; `write` draws a drawing on its canvas with mouse
events (`tests.support.canvas_input.replay`) and returns what the session read after
the last stroke, as the window shows it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from tests.support.canvas_input import replay

if TYPE_CHECKING:
    from nnpad.core.ink.strokes import Drawing
    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.window.main_window import MainWindow


def open_window(model: str | Path | None = None) -> MainWindow:
    """The main window, shown (offscreen unless a platform is set) and ready.

    ``model`` is a model file to read with instead of the shipped model.
    """
    from nnpad.app import create_window, settings_at

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv)
    settings = Path(tempfile.mkdtemp(prefix="nnpad-bench-")) / "settings.ini"
    window = create_window(settings_at(settings))
    window.resize(1280, 800)
    window.show()
    while not window.is_ready():
        app.processEvents()
    if model is not None:
        from nnpad.core.model import store

        window.session.set_model(store.load(model), model)
    return window


def write(
    window: MainWindow, drawing: Drawing, *, brush: float | None = None
) -> Recognition | None:
    """Clear the canvas, draw ``drawing`` with mouse events, return the reading.

    After clearing, the window settles first, as a person starts writing on the
    cleared canvas as it is then shown (the canvas is smaller while the reading of
    several digits shows them in a strip). ``brush`` sets the canvas' pen width
    (None: keep it); the drawing's own stroke widths are not used, as a mouse has
    none.
    """
    canvas = window.canvas
    canvas.clear()
    seen = None
    for _ in range(10):
        QApplication.processEvents()
        if canvas.canvas_rect() == seen:
            break
        seen = canvas.canvas_rect()
    if brush is not None:
        canvas.set_brush_size(brush)
    replay(canvas, drawing)
    QApplication.processEvents()
    return window.session.recognition

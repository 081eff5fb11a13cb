"""Composition root: stdio guard, QApplication, settings, session, controller, window.

Nothing here imports TensorFlow: the window and the first prediction need only
PySide6, NumPy, Pillow and h5py. The window shows first; the model is read just
after its first frame, and the panels that need pyqtgraph are built after that. Set
``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1`` to print start-up timings and quit once the
first drawing has been read (benchmarks).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from nnpad.ui.window.main_window import MainWindow

_T0 = time.perf_counter()


def guard_stdio() -> None:
    """A windowed frozen app has no stdout/stderr; give writers somewhere to go."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def settings_at(path: str | Path | None = None) -> QSettings:
    """The app's settings, in an INI file (default: in the user data folder)."""
    from PySide6.QtCore import QSettings

    from nnpad import resources

    path = path or resources.user_data_dir() / "settings.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def create_window(settings: QSettings) -> MainWindow:
    """Build the main window; it loads the person's model after its first frame.

    The model is the one the person used last, else the shipped one; the status bar
    says so when the last one could not be used.
    """
    from nnpad.ui.session import Session
    from nnpad.ui.training.training_worker import TrainingController
    from nnpad.ui.window.main_window import MainWindow
    from nnpad.ui.window.window_settings import MODEL_PATH

    session = Session()
    window = MainWindow(settings, session, TrainingController())
    session.setParent(window)
    window.controller.setParent(window)

    def load_model() -> None:
        from nnpad.core.model import store

        model, path, warning = store.load_preferred(
            str(settings.value(MODEL_PATH, "", type=str))
        )
        session.set_model(model, path)
        if warning:
            window.statusBar().showMessage(warning, 15000)

    window.first_painted.connect(load_model)
    return window


def main() -> int:
    """Open the window and run until it closes; return the exit code."""
    guard_stdio()
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from nnpad import resources
    from nnpad.ui.background import collect_garbage_on_gui_thread

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("nnpad")
    app.setOrganizationName("nnpad")
    app.setDesktopFileName("nnpad")
    icon = resources.asset(resources.ICON_SVG)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    collect_garbage_on_gui_thread()
    window = create_window(settings_at())
    # Also when the window closes hidden, after waiting for a training to end.
    window.closed.connect(app.quit)
    window.show()
    if os.environ.get("NNPAD_QUIT_AFTER_FIRST_PREDICTION"):
        from nnpad.ui.window.startup_probe import probe_first_prediction

        probe_first_prediction(window, _T0)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

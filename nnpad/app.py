"""Composition root: stdio guard, QApplication, settings, model, main window.

Nothing here imports TensorFlow: the window and the first prediction need only
PySide6, NumPy, Pillow and h5py. Set ``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1`` to print
start-up timings and quit once the first drawing has been recognised (benchmarks).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from nnpad.ui.main_window import MainWindow

_T0 = time.perf_counter()


def _guard_stdio() -> None:
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


def create_window(settings: QSettings) -> tuple[MainWindow, str | None]:
    """Build the main window with the person's last model (else the shipped one).

    Returns the window and a warning to show when the last model could not be used.
    """
    from nnpad.core import model_store
    from nnpad.ui.main_window import MainWindow

    model, path, warning = model_store.load_preferred(
        settings.value("model/path", "", type=str)
    )
    return MainWindow(settings, model, path), warning


def main(*, self_test: bool = False) -> int:
    """Open the window and run until it closes; return the exit code."""
    _guard_stdio()
    if self_test:
        from nnpad.self_test import run

        return run()

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from nnpad import resources

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("nnpad")
    app.setOrganizationName("nnpad")
    app.setDesktopFileName("nnpad")
    icon = resources.asset(resources.ICON_SVG)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    window, warning = create_window(settings_at())
    window.show()
    if warning:
        window.statusBar().showMessage(warning, 15000)
    if os.environ.get("NNPAD_QUIT_AFTER_FIRST_PREDICTION"):
        from nnpad.ui.startup_probe import probe_first_prediction

        probe_first_prediction(window, _T0)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

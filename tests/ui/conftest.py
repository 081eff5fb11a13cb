"""UI test set-up: the one way tests build the main window, and no QThread left over."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThread

from nnpad.core.model import store
from nnpad.ui.drawing.canvas import DrawingCanvas
from nnpad.ui.session import Session
from nnpad.ui.training.training_worker import TrainingController
from nnpad.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


def _running_threads() -> list[QThread]:
    main = QThread.currentThread()
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, QThread)
        and obj is not main
        and shiboken6.isValid(obj)  # its C++ object may already be deleted
        and obj.isRunning()
    ]


@pytest.fixture(autouse=True)
def no_running_qthreads(qtbot):
    """Fail a test that leaves a QThread running (Qt aborts when one is destroyed)."""
    yield
    leftover = _running_threads()
    for thread in leftover:
        thread.quit()
        thread.wait(10_000)
    assert not leftover, f"test left {len(leftover)} QThread(s) running"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A private settings file, as the window reads and writes them."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings: QSettings) -> Iterator[Callable[..., MainWindow]]:
    """Build main windows with the shipped model, as the app does.

    ``make_window(show=True)`` shows it and waits until it is exposed;
    ``controller`` replaces the default training controller. Every window's
    training is stopped when the test ends.
    """
    made: list[MainWindow] = []

    def make(
        *, show: bool = False, controller: TrainingController | None = None
    ) -> MainWindow:
        session = Session(store.load(), store.default_model_path())
        window = MainWindow(settings, session, controller or TrainingController())
        qtbot.addWidget(window)
        made.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make
    for window in made:
        assert window.controller.shutdown(20_000), "a training did not stop"


@pytest.fixture
def window(make_window) -> MainWindow:
    """The main window, shown."""
    return make_window(show=True)


@pytest.fixture
def canvas(qtbot) -> DrawingCanvas:
    """A lone canvas, 560 x 280 pixels: one per logical unit."""
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(564, 284)
    widget.show()
    qtbot.waitExposed(widget)
    return widget

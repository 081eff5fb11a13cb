"""The canvas never moves under the pen: no reading changes its place or its size."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from nnpad.core.reading.recognition import Recognition, read_digit
from nnpad.core.reading.verdict import Thresholds, read_probabilities
from nnpad.ui.drawing.canvas import CANVAS_WIDTH
from tests.support.canvas_input import (
    MOVE,
    PRESS,
    RELEASE,
    draw_stroke,
    replay,
    send_mouse,
    square_point,
)
from tests.support.numbers import fitted, random_number

if TYPE_CHECKING:
    from nnpad.ui.window.main_window import MainWindow

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]
SPECK = [(0.5, 0.5), (0.505, 0.5)]
CLOSE = np.array([0, 0, 0, 0, 0.55, 0, 0, 0.05, 0, 0.40], np.float32)


def canvas_geometry(window: MainWindow) -> tuple:
    """Where the canvas is in the window, its size, and where it draws."""
    canvas = window.canvas
    return (
        canvas.mapTo(window, QPoint(0, 0)),
        canvas.geometry().size(),
        canvas.canvas_rect(),
        window.size(),
    )


def settled(window: MainWindow, qtbot) -> tuple:
    """The geometry once every pending layout and paint has run."""
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(10)
    return canvas_geometry(window)


def unsure_number(window: MainWindow, digits: int) -> Recognition:
    """A number each digit of which is unsure: the longest words a reading has."""
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0
    reading = read_digit(window.session.model.network, image, box=(0, 0, 9, 9))
    unsure = replace(
        reading,
        activations=(*reading.activations[:-1], CLOSE),
        verdict=read_probabilities(CLOSE, Thresholds()),
    )
    return Recognition((unsure,) * digits, selected=digits - 1)


@pytest.fixture(params=[None, (1024, 640)], ids=["default size", "1024x640"])
def window(request, qtbot, make_window) -> MainWindow:
    win = make_window()
    if request.param is not None:
        win.resize(*request.param)
    win.show()
    qtbot.waitUntil(win.is_ready)
    return win


def test_the_canvas_keeps_its_place_and_size_whatever_the_reading_shows(
    window: MainWindow, qtbot
) -> None:
    before = settled(window, qtbot)
    rng = np.random.default_rng(4)
    # The first stroke, still being drawn: its first reading shows under the pen.
    canvas = window.canvas
    send_mouse(canvas, PRESS, square_point(canvas, *SEVEN[0]))
    for point in SEVEN[1:]:
        send_mouse(canvas, MOVE, square_point(canvas, *point))
        assert settled(window, qtbot) == before
    send_mouse(canvas, RELEASE, square_point(canvas, *SEVEN[-1]))
    assert window.prediction.text().startswith("7 (")
    assert settled(window, qtbot) == before

    window.canvas.clear()
    assert settled(window, qtbot) == before
    number = random_number([2, 0, 2, 6, 1, 9], rng, spacing="normal")
    replay(window.canvas, fitted(number, CANVAS_WIDTH))
    assert window.prediction.number.isVisible()
    assert len(window.session.recognition.digits) == 6
    assert settled(window, qtbot) == before

    window.canvas.clear()
    draw_stroke(window.canvas, SPECK)
    assert window.prediction.text() == "not a digit"
    assert settled(window, qtbot) == before

    unsure = unsure_number(window, 6)
    window.session.recognized.emit(unsure)
    assert window.prediction.text() == unsure.text
    assert unsure.text.count("4 or 9?") == 6  # six notes, far more than fit
    assert settled(window, qtbot) == before

    window.canvas.clear()
    assert window.prediction.text() == ""
    assert settled(window, qtbot) == before

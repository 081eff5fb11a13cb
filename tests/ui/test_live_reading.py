"""The live reading keeps up with the pen and ends exactly where a fresh read ends."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.ink.strokes import Drawing
from nnpad.core.reading import recognition as recognition_module
from nnpad.core.reading.recognition import recognize_drawing
from nnpad.ui.drawing.canvas import CANVAS_WIDTH
from nnpad.ui.window.main_window import MainWindow
from tests.support.canvas_input import (
    MOVE,
    PRESS,
    RELEASE,
    replay,
    send_mouse,
    square_point,
)
from tests.support.numbers import fitted, random_number

if TYPE_CHECKING:
    from nnpad.core.reading.recognition import Recognition


def assert_same_reading(shown: Recognition, fresh: Recognition) -> None:
    assert shown.text == fresh.text and shown.selected == fresh.selected
    assert len(shown.digits) == len(fresh.digits)
    for a, b in zip(shown.digits, fresh.digits, strict=True):
        assert a.verdict == b.verdict and a.box == b.box and a.against == b.against
        np.testing.assert_array_equal(a.image, b.image)
        np.testing.assert_array_equal(a.why, b.why)
        for x, y in zip(a.activations, b.activations, strict=True):
            np.testing.assert_array_equal(x, y)


def test_the_reading_after_the_last_stroke_is_exactly_a_fresh_read(
    window: MainWindow, qtbot
) -> None:
    number = random_number([2, 0, 2, 6, 1, 9], np.random.default_rng(5))
    drawing = fitted(number, CANVAS_WIDTH)
    replay(window.canvas, drawing, between=lambda: qtbot.wait(2))
    shown = window.session.recognition
    fresh = recognize_drawing(window.session.model, window.canvas.drawing())
    assert len(shown.digits) == 6
    assert_same_reading(shown, fresh)
    assert window.prediction.text() == fresh.text


def test_digits_whose_ink_did_not_change_are_not_read_again(
    window: MainWindow, qtbot, monkeypatch
) -> None:
    number = random_number([4, 7, 1, 3, 8, 5], np.random.default_rng(6))
    strokes = fitted(number, CANVAS_WIDTH).strokes
    replay(window.canvas, Drawing(strokes[:-1]))
    calls: list[int] = []
    real = recognition_module.read_digit

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(recognition_module, "read_digit", counted)
    readings: list[Recognition] = []
    window.session.recognized.connect(readings.append)
    replay(window.canvas, Drawing(strokes[-1:]), between=lambda: qtbot.wait(5))
    digits = sum(len(r.digits) for r in readings)
    assert len(readings) >= 2 and digits >= 5 * len(readings)
    # Only the digit being written is read each time, not its five neighbours.
    assert len(calls) <= 2 * len(readings)


def test_look_inside_follows_a_moving_pen_at_most_ten_times_a_second(
    window: MainWindow, qtbot
) -> None:
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(window.inside.is_built)
    view = window.activations
    shown: list[float] = []
    show_values = view.diagram.show_values

    def spy(activations):
        shown.append(time.monotonic())
        return show_values(activations)

    view.diagram.show_values = spy
    readings: list[Recognition] = []
    window.session.recognized.connect(readings.append)
    canvas = window.canvas
    send_mouse(canvas, PRESS, square_point(canvas, 0.3, 0.2))
    for i in range(1, 41):
        at = square_point(canvas, 0.3 + 0.01 * i, 0.2 + 0.015 * i)
        send_mouse(canvas, MOVE, at)
        qtbot.wait(15)
    while_drawing = list(shown)
    send_mouse(canvas, RELEASE, square_point(canvas, 0.7, 0.8))
    assert len(while_drawing) >= 2 and len(readings) > len(while_drawing)
    gaps = np.diff(while_drawing)
    assert gaps.min() >= 0.09
    # The reading of the finished stroke reaches it at once, whole.
    final = window.session.recognition.current
    np.testing.assert_array_equal(
        view.image_items()[0].image.reshape(-1)[: final.image.size],
        final.activations[0],
    )

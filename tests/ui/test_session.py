"""The session owns the model and reads drawings, images and other networks."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnpad.core.ink.strokes import Drawing, Stroke
from nnpad.core.model import store
from nnpad.ui.session import Session

SEVEN = Drawing((Stroke([(70, 60), (210, 60), (120, 240)], width=18),))


@pytest.fixture(scope="module")
def model():
    return store.load()


def record(signal) -> list:
    seen: list = []
    signal.connect(seen.append)
    return seen


def test_without_a_model_it_reads_nothing_then_rereads_when_one_comes(
    qtbot, model
) -> None:
    session = Session()
    readings = record(session.recognized)
    session.read_drawing(SEVEN)
    assert readings == [None] and session.image is None
    assert session.source == "drawing"  # kept, to be read when a model comes
    models = record(session.model_changed)
    session.set_model(model, store.default_model_path())
    assert models == [model]
    assert session.model_path == store.default_model_path()
    assert readings[-1] is not None and readings[-1].current.digit == 7
    assert session.recognition is readings[-1]


def test_moves_are_throttled_and_the_last_one_is_never_lost(qtbot, model) -> None:
    session = Session(model, interval_ms=50)
    readings = record(session.recognized)
    points = [(70, 60), (210, 60), (120, 240)]
    for n in range(1, 4):
        session.drawing_moving(Drawing((Stroke(points[:n], width=18),)))
    assert len(readings) == 1  # the first move at once, the others wait
    qtbot.waitUntil(lambda: len(readings) == 2, timeout=2000)
    assert readings[-1].current.digit == 7  # the last drawing, not the second
    qtbot.wait(120)
    assert len(readings) == 2


def test_images_and_snapshots(qtbot, model) -> None:
    session = Session(model)
    assert session.read_with(model.network) is None
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    session.read_image(image)
    assert session.recognition.current.digit == 1
    reading = session.read_with(model.network)
    # A snapshot has no temperature of its own: close to the calibrated reading.
    np.testing.assert_allclose(
        reading.probabilities, session.recognition.current.probabilities, atol=1e-3
    )
    assert reading.digit == 1
    session.read_image(None)
    assert session.recognition is None


def shifted(drawing: Drawing, dx: float) -> Drawing:
    return Drawing(
        tuple(
            Stroke([(x + dx, y) for x, y in s.points], s.width, s.erase)
            for s in drawing.strokes
        )
    )


ONE = Drawing((Stroke([(140, 50), (140, 240)], width=18),))


def test_a_number_shows_the_digit_being_written_and_any_digit_chosen(
    qtbot, model
) -> None:
    session = Session(model)
    readings = record(session.recognized)
    seventy_one = Drawing(SEVEN.strokes + shifted(ONE, 180).strokes)
    session.read_drawing(seventy_one)
    number = readings[-1]
    assert number.number == "71" and number.text.startswith("71 (")
    assert number.selected == 1  # the 1 was written last
    assert session.image is number.digits[1].image

    session.select_digit(0)
    assert readings[-1].selected == 0 and readings[-1].digits == number.digits
    assert session.image is number.digits[0].image
    session.set_against(1)
    assert readings[-1].selected == 0 and readings[-1].current.against == 1
    session.select_digit(1)  # another digit is explained alone
    assert readings[-1].selected == 1 and readings[-1].current.against is None
    count = len(readings)
    session.select_digit(5)  # no such digit: nothing happens
    assert len(readings) == count

    # Drawn the other way round, the 1 first: the 7 is the one being written.
    session.read_drawing(Drawing(shifted(ONE, 180).strokes + SEVEN.strokes))
    assert readings[-1].number == "71" and readings[-1].selected == 0


def test_pictures_are_read_as_numbers_and_samples_as_one_digit(qtbot, model) -> None:
    session = Session(model)
    picture = np.zeros((60, 130), np.uint8)
    picture[10:50, 20:26] = 255  # a 1
    picture[10:50, 90:96] = 255  # another, well apart
    session.read_picture(picture)
    assert session.source == "picture" and session.recognition.number == "11"
    image = np.zeros((28, 28), np.float32)
    image[4:24, 6:9] = image[4:24, 19:22] = 1.0  # two bars, but a sample is one digit
    session.read_image(image)
    assert session.source == "image" and len(session.recognition.digits) == 1


def test_a_slow_read_waits_twice_as_long_before_the_next(qtbot, model) -> None:
    session = Session(model, interval_ms=10)
    reads: list[float] = []
    original = session.read_drawing

    def slow(drawing) -> None:
        reads.append(time.perf_counter())
        time.sleep(0.08)
        original(drawing)

    session.read_drawing = slow  # the throttle calls it by name
    session.drawing_moving(SEVEN)
    session.drawing_moving(SEVEN)  # waits: the first read took 80 ms
    qtbot.waitUntil(lambda: len(reads) == 2, timeout=2000)
    # 80 ms reading, then 160 ms for the pen: reading takes a third of the time.
    assert reads[1] - reads[0] >= 0.23

"""The session owns the model and reads drawings, images and other networks."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.model import store
from nnpad.core.strokes import Drawing, Stroke
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
    assert readings == [None] and session.image is not None
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
    np.testing.assert_allclose(
        reading.probabilities, session.recognition.current.probabilities
    )
    session.read_image(None)
    assert session.recognition is None

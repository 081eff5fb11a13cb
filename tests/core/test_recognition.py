"""A Recognition holds what the network read; views only display it."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.model import store
from nnpad.core.recognition import Recognition, read_digit, recognize_drawing
from nnpad.core.strokes import Drawing, Stroke


@pytest.fixture(scope="module")
def model():
    return store.load()


def test_a_drawn_seven_is_read_with_its_input_and_activations(model) -> None:
    seven = Drawing((Stroke([(70, 60), (210, 60), (120, 240)], width=18),))
    recognition = recognize_drawing(model, seven)
    assert recognition is not None
    reading = recognition.current
    assert reading.digit == 7 and recognition.text.startswith("7 (")
    assert reading.image.shape == (28, 28)
    assert [a.shape for a in reading.activations] == [(784,), (512,), (256,), (10,)]
    np.testing.assert_allclose(reading.probabilities.sum(), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(reading.activations[0], reading.image.reshape(-1))


def test_no_ink_reads_nothing(model) -> None:
    assert recognize_drawing(model, Drawing()) is None


def test_selecting_a_digit(model) -> None:
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    one = read_digit(model.network, image)
    both = Recognition((one, one))
    assert both.select(1).selected == 1 and both.selected == 0  # frozen
    with pytest.raises(ValueError):
        both.select(2)
    with pytest.raises(ValueError):
        Recognition(())

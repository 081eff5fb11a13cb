"""A CNN model file reads drawings and numbers as the window does, without Keras."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnpad.core.data import load_sample
from nnpad.core.ink.strokes import Drawing, Stroke
from nnpad.core.model import store
from nnpad.core.reading.explain import saliency
from nnpad.core.reading.recognition import recognize_drawing, recognize_image

CNN_FILE = Path(__file__).parents[1] / "data" / "cnn_small.keras"


@pytest.fixture(scope="module")
def model():
    return store.load(CNN_FILE)


def test_a_drawn_seven_is_read_with_every_layers_maps(model) -> None:
    seven = Drawing((Stroke([(70, 60), (210, 60), (120, 240)], width=18),))
    recognition = recognize_drawing(model, seven)
    assert recognition is not None
    reading = recognition.current
    assert reading.digit == 7
    shapes = [a.shape for a in reading.activations]
    maps = [(28, 28, 1), (28, 28, 8), (14, 14, 8), (12, 12, 16), (6, 6, 16)]
    assert shapes == [*maps, (576,), (10,)]
    np.testing.assert_array_equal(reading.activations[0][..., 0], reading.image)
    np.testing.assert_allclose(reading.probabilities.sum(), 1.0, rtol=1e-5)
    assert reading.why.shape == (28, 28)
    np.testing.assert_allclose(
        reading.why, saliency(model.network, reading.image, 7), atol=1e-6
    )


def test_it_reads_the_samples_held_out_digits_as_well_as_it_was_trained_to() -> None:
    sample = load_sample()
    network = store.load(CNN_FILE).network
    images = sample.x_test.astype(np.float32) / 255.0
    accuracy = float(np.mean(network.predict(images).argmax(axis=1) == sample.y_test))
    assert accuracy >= 0.97


def test_one_image_reads_as_one_digit(model) -> None:
    sample = load_sample()
    recognition = recognize_image(model, sample.x_test[0].astype(np.float32) / 255.0)
    assert recognition is not None
    assert recognition.current.digit == int(sample.y_test[0])

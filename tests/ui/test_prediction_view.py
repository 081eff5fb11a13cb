"""PredictionView: the digit, its confidence, ten bars and the 28x28 preview."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from nnpad.core.recognition import DigitReading, Recognition
from nnpad.ui.prediction_view import PredictionView

PROBS = np.array([0.0, 0.005, 0.0, 0.0, 0.0, 0.0, 0.0, 0.98, 0.015, 0.0], np.float32)


def recognition(probabilities: np.ndarray, image: np.ndarray) -> Recognition:
    reading = DigitReading(image, (image.reshape(-1), probabilities))
    return Recognition((reading,))


@pytest.fixture
def view(qtbot) -> PredictionView:
    widget = PredictionView()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bar_colour(view: PredictionView, digit: int) -> QColor:
    """The colour painted at the bottom of a digit's bar."""
    rect = view.bars.bar_rect(digit)
    image = view.bars.grab().toImage()
    return image.pixelColor(int(rect.center().x()), int(rect.bottom() - 2))


def test_shows_digit_confidence_bars_and_input(view):
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0
    view.show_recognition(recognition(PROBS, image))
    assert view.findChild(QLabel, "digit").text() == "7"
    assert "98%" in view.findChild(QLabel, "confidence").text()
    assert view.text() == "7 (98%)"
    assert view.accessibleDescription() == "7 (98%)"
    np.testing.assert_allclose(view.bar_heights(), PROBS, rtol=1e-6)
    assert view.bars.highlighted() == 7
    # Painted: the winning bar in the highlight colour, an empty one not at all.
    assert bar_colour(view, 7) != bar_colour(view, 8)
    assert bar_colour(view, 0) == view.bars.grab().toImage().pixelColor(2, 2)
    np.testing.assert_array_equal(view.preview.image(), image)
    preview = view.preview.grab().toImage()

    def centre(i: int) -> int:  # of image pixel i, off the grid lines
        return int((i + 0.5) * 140 / 28)

    inked = preview.pixelColor(centre(14), centre(14))
    blank = preview.pixelColor(centre(3), centre(3))
    assert inked.lightness() > 200 and blank.lightness() < 60


def test_none_clears_everything(view):
    view.show_recognition(recognition(PROBS, np.ones((28, 28), np.float32)))
    view.show_recognition(None)
    assert view.text() == ""
    assert view.accessibleDescription() == ""
    assert view.findChild(QLabel, "digit").text() == ""
    assert view.findChild(QLabel, "confidence").text() == ""
    assert not np.any(view.bar_heights())
    assert not np.any(view.preview.image())
    assert view.bars.highlighted() is None


def test_repeated_updates_keep_up(view, qtbot):
    rng = np.random.default_rng(0)
    for i in range(1000):
        probs = rng.dirichlet(np.ones(10)).astype(np.float32)
        shown = recognition(probs, rng.random((28, 28), np.float32))
        view.show_recognition(shown)
        if i % 100 == 0:
            qtbot.wait(1)  # let it paint now and then
    np.testing.assert_allclose(view.bar_heights(), probs, rtol=1e-6)
    assert view.text() == shown.text
    assert view.bars.highlighted() == int(np.argmax(probs))


def test_rejects_an_image_of_the_wrong_shape(view):
    with pytest.raises(ValueError, match="28x28"):
        view.preview.set_image(np.zeros((20, 20)))

"""PredictionView: the verdict, the ten bars, the 28x28 input and why."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnpad.core.reading.recognition import DigitReading, Recognition
from nnpad.core.reading.verdict import Thresholds, read_probabilities
from nnpad.ui.reading.prediction_view import PredictionView
from nnpad.ui.style import VERDICT
from nnpad.ui.verdict_text import Headline, TextLines

SURE, UNSURE, REJECTED = VERDICT["digit"], VERDICT["unsure"], VERDICT["not a digit"]

SURE_PROBS = np.array([0, 0.005, 0, 0, 0, 0, 0, 0.98, 0.015, 0], np.float32)
CLOSE_PROBS = np.array([0, 0, 0, 0, 0.55, 0, 0, 0.05, 0, 0.40], np.float32)
FLAT_PROBS = np.full(10, 0.1, np.float32)


def recognition(probabilities, image=None, why=None, reason="") -> Recognition:
    image = np.zeros((28, 28), np.float32) if image is None else image
    verdict = read_probabilities(probabilities, Thresholds())
    if reason:
        from dataclasses import replace

        verdict = replace(verdict, kind="not a digit", reason=reason)
    why = np.zeros((28, 28), np.float32) if why is None else why
    layers = (image.reshape(-1), np.asarray(probabilities, np.float32))
    return Recognition((DigitReading(image, layers, verdict, why),))


@pytest.fixture
def view(qtbot) -> PredictionView:
    widget = PredictionView()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bar_colour(view: PredictionView, digit: int):
    """The colour painted at the bottom of a digit's bar."""
    rect = view.bars.bar_rect(digit)
    image = view.bars.grab().toImage()
    return image.pixelColor(int(rect.center().x()), int(rect.bottom() - 2))


def centre(i: int) -> int:  # of image pixel i, off the grid lines
    return int((i + 0.5) * 140 / 28)


def test_a_sure_digit(view):
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0
    view.show_recognition(recognition(SURE_PROBS, image))
    assert view.findChild(Headline, "digit").text() == "7"
    assert view.findChild(TextLines, "confidence").text() == "98% sure"
    assert view.text() == "7 (98%)"
    assert view.accessibleDescription() == "7 (98%)"
    np.testing.assert_allclose(view.bar_heights(), SURE_PROBS, rtol=1e-6)
    assert view.bars.highlighted() == {7: SURE}
    # Painted: the winning bar in the highlight colour, an empty one not at all.
    assert bar_colour(view, 7) != bar_colour(view, 8)
    np.testing.assert_array_equal(view.preview.image(), image)
    preview = view.preview.grab().toImage()
    assert preview.pixelColor(centre(14), centre(14)).lightness() > 200
    assert preview.pixelColor(centre(3), centre(3)).lightness() < 60


def test_two_close_digits_read_unsure(view):
    view.show_recognition(recognition(CLOSE_PROBS))
    assert view.text() == "4 or 9? (55% / 40%)"
    assert view.findChild(Headline, "digit").text() == "4 or 9?"
    assert view.findChild(TextLines, "confidence").text() == "unsure: 55% / 40%"
    assert view.bars.highlighted() == {4: UNSURE, 9: UNSURE}
    assert bar_colour(view, 4) == bar_colour(view, 9) != bar_colour(view, 7)


def test_not_a_digit_and_a_speck(view):
    view.show_recognition(recognition(FLAT_PROBS))
    assert view.text() == "not a digit"
    assert view.findChild(Headline, "digit").text() == "not a digit"
    assert view.bars.highlighted() == {}
    view.show_recognition(recognition(SURE_PROBS, reason="too small to be a digit"))
    assert view.text() == "not a digit"
    assert view.findChild(TextLines, "confidence").text() == "too small to be a digit"
    assert REJECTED.name() != SURE.name()


def test_the_why_image_is_red_for_and_blue_against(view):
    image = np.zeros((28, 28), np.float32)
    image[5:20, 5:10] = 1.0
    why = np.zeros((28, 28), np.float32)
    why[5:20, 5:7] = 1.0  # speaks for the digit
    why[5:20, 8:10] = -1.0  # speaks against it
    view.show_recognition(recognition(SURE_PROBS, image, why))
    shown = view.why.grab().toImage()
    red = shown.pixelColor(centre(5), centre(10))
    blue = shown.pixelColor(centre(9), centre(10))
    assert red.red() > 150 and red.blue() < 100
    assert blue.blue() > 150 and blue.red() < 100
    np.testing.assert_array_equal(view.why.saliency(), why)


def test_clicking_a_bar_asks_why_not_that_digit(view, qtbot):
    view.show_recognition(recognition(SURE_PROBS))
    with qtbot.waitSignal(view.against_chosen) as chosen:
        qtbot.mouseClick(
            view.bars,
            Qt.MouseButton.LeftButton,
            pos=view.bars.bar_rect(1).center().toPoint(),
        )
    assert chosen.args == [1]


def test_none_clears_everything(view):
    view.show_recognition(recognition(SURE_PROBS, np.ones((28, 28), np.float32)))
    view.show_recognition(None)
    assert view.text() == ""
    assert view.accessibleDescription() == ""
    assert view.findChild(Headline, "digit").text() == ""
    assert view.findChild(TextLines, "confidence").text() == ""
    assert not np.any(view.bar_heights())
    assert not np.any(view.preview.image())
    assert view.bars.highlighted() == {}


def test_repeated_updates_keep_up(view, qtbot):
    rng = np.random.default_rng(0)
    for i in range(500):
        probs = rng.dirichlet(np.ones(10)).astype(np.float32)
        shown = recognition(probs, rng.random((28, 28), np.float32))
        view.show_recognition(shown)
        if i % 100 == 0:
            qtbot.wait(1)  # let it paint now and then
    np.testing.assert_allclose(view.bar_heights(), probs, rtol=1e-6)
    assert view.text() == shown.text


def test_rejects_an_image_of_the_wrong_shape(view):
    with pytest.raises(ValueError, match="28x28"):
        view.preview.set_image(np.zeros((20, 20)))


def test_words_too_long_for_their_place_are_cut_and_kept_whole_in_the_tooltip(qtbot):
    lines = TextLines(2)
    qtbot.addWidget(lines)
    lines.resize(160, lines.height())
    text = "\n".join(f"the {n}th digit is 4 or 9? (55% / 40%)" for n in range(4, 10))
    lines.set_text(text)
    shown = lines.shown_lines()
    assert len(shown) == 2 and shown[-1].endswith("…")
    assert lines.toolTip() == text == lines.text()
    lines.set_text("98% sure")
    assert lines.shown_lines() == ["98% sure"] and lines.toolTip() == ""


def test_the_headline_shrinks_a_long_verdict_to_fit_and_keeps_its_height(qtbot):
    headline = Headline()
    qtbot.addWidget(headline)
    headline.resize(120, headline.height())
    height = headline.height()
    headline.set_text("7")
    assert headline.point_size() == 44
    headline.set_text("not a digit")
    assert headline.point_size() < 22
    assert headline.height() == height


def test_a_long_number_narrows_its_chips_to_fit_the_strip(qtbot):
    from nnpad.ui.reading.number_strip import CHIP_WIDTH, NumberStrip

    strip = NumberStrip()
    qtbot.addWidget(strip)
    strip.resize(240, strip.minimumSizeHint().height())
    hint = strip.sizeHint()
    number = Recognition(recognition(SURE_PROBS).digits * 9)
    strip.show_recognition(number)
    assert strip.chip_width() < CHIP_WIDTH
    assert strip.chip_rect(0).left() >= 0 and strip.chip_rect(8).right() <= 240
    assert strip.sizeHint() == hint  # it never asks for more room

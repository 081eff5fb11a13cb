"""A Recognition holds what the network read; views only display it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nnpad.core.ink.strokes import Drawing, Stroke
from nnpad.core.model import store
from nnpad.core.reading.preprocess import drawing_to_mnist
from nnpad.core.reading.recognition import (
    ReadingCache,
    Recognition,
    ordinal,
    read_digit,
    recognize_drawing,
)
from nnpad.core.reading.verdict import Verdict, percent


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
    assert [a.shape for a in reading.activations] == [(784,), (1024,), (512,), (10,)]
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


def _one(x: float) -> Stroke:
    return Stroke([(x, 50), (x, 240)], width=18)


def test_a_number_reads_left_to_right_with_a_box_per_digit(model) -> None:
    seven = Stroke([(70, 60), (210, 60), (120, 240)], width=18)
    drawing = Drawing((_one(420), seven, _one(300)))  # written out of order
    recognition = recognize_drawing(model, drawing)
    assert recognition.number == "711"
    boxes = [d.box for d in recognition.digits]
    assert [round(b[0]) for b in boxes] == [61, 291, 411]  # half the pen included
    assert recognition.selected == 1  # the digit written last
    assert recognition.confidence == pytest.approx(
        np.prod([d.confidence for d in recognition.digits])
    )
    assert recognition.text == f"711 ({percent(recognition.confidence)}%)"
    assert recognition.kind == "digit" and recognition.notes == []
    assert recognize_drawing(model, drawing, selected=9).selected == 2  # clamped


def test_a_single_digit_reads_exactly_as_before(model) -> None:
    seven = Drawing((Stroke([(70, 60), (210, 60), (120, 240)], width=18),))
    (reading,) = recognize_drawing(model, seven).digits
    alone = read_digit(model.network, drawing_to_mnist(seven), model.thresholds)
    np.testing.assert_array_equal(reading.image, alone.image)
    np.testing.assert_array_equal(reading.probabilities, alone.probabilities)
    assert recognize_drawing(model, seven).text == alone.describe()


def test_unsure_digits_and_marks_that_are_not_digits_are_named(model) -> None:
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    sure = read_digit(model.network, image)
    unsure = replace(
        sure, verdict=Verdict("unsure", 1, 7, sure.verdict.probabilities, True)
    )
    mark = replace(
        sure, verdict=Verdict("not a digit", 1, 7, sure.verdict.probabilities)
    )
    assert Recognition((sure, unsure)).kind == "unsure"
    text = Recognition((sure, unsure, mark)).text
    assert text.startswith("11?; the 2nd digit is 1 or 7? (")
    assert text.endswith("; the 3rd mark is not a digit")
    assert Recognition((sure, mark)).number == "1?"
    assert Recognition((sure, mark)).text == "1?; the 2nd mark is not a digit"
    assert Recognition((mark, mark)).text == "not a digit"  # no number at all
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
    ]  # fmt: skip


def test_a_speck_beside_a_digit_is_left_out_but_a_lone_tap_is_not_a_digit(
    model,
) -> None:
    tap = Stroke([(420, 150)], width=18)
    recognition = recognize_drawing(model, Drawing((_one(140), tap)))
    assert recognition.number == "1"
    alone = recognize_drawing(model, Drawing((tap,)))
    assert alone.current.verdict.kind == "not a digit"


def test_a_cache_reads_each_digit_image_once_and_gives_what_a_fresh_read_gives(
    model,
) -> None:
    seven = Stroke([(70, 60), (210, 60), (120, 240)], width=18)
    cache = ReadingCache(model)
    first = recognize_drawing(model, Drawing((_one(420), seven)), cache=cache)
    # The 1 moves right: its image is the same, so its reading is the one kept,
    # with the box of where it is now.
    moved = Drawing((_one(440), seven))
    again = recognize_drawing(model, moved, cache=cache)
    fresh = recognize_drawing(model, moved)
    assert again.digits[1].verdict is first.digits[1].verdict
    assert again.digits[1].box == fresh.digits[1].box != first.digits[1].box
    for a, b in zip(again.digits, fresh.digits, strict=True):
        assert a.verdict == b.verdict and a.box == b.box
        np.testing.assert_array_equal(a.why, b.why)
        np.testing.assert_array_equal(a.probabilities, b.probabilities)
    # A small cache forgets the oldest readings.
    other = ReadingCache(model, size=1)
    recognize_drawing(model, moved, cache=other)
    assert len(other._readings) == 1

"""Real handwriting through the segmenter: ink that touches is one mark.

Real digits come from the committed sample of traced MNIST digits
(`tests/data/real_strokes_sample.json`, the tuning half only): their strokes only
touch, a 4's bar ends on its stem, a 9's tail leaves the side of its loop.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.ink.strokes import Drawing, Stroke, render
from nnpad.core.model.store import load as load_model
from nnpad.core.reading.preprocess import drawing_to_mnist, to_mnist
from nnpad.core.reading.segment import segment_drawing, segment_image
from nnpad.core.reading.segment.components import label
from tests.support.numbers import picture
from tests.support.real_strokes import RealDigit, load, real_number


@pytest.fixture(scope="module")
def classify():
    """The shipped network's batched forward pass."""
    return load_model().network.predict


@pytest.fixture(scope="module")
def digits() -> list[RealDigit]:
    """The 120 traced digits of the committed sample."""
    return load()


def eager():
    """A network unsure of the first batch it reads (the wholes), then sure of any
    piece: only the shape of the ink can keep a mark whole against it."""
    calls: list[int] = []

    def classify(images: np.ndarray) -> np.ndarray:
        calls.append(len(images))
        probs = np.full((len(images), 10), 0.1, np.float32)
        if len(calls) > 1:
            probs[:] = 1e-6
            probs[:, 3] = 1.0 - 9e-6
        return probs

    return classify


def sure_of_the_whole(images: np.ndarray) -> np.ndarray:
    """A network sure of the first image of every batch and unsure of the rest."""
    probs = np.full((len(images), 10), 0.1, np.float32)
    probs[0] = 1e-6
    probs[0, 8] = 1.0 - 9e-6
    return probs


def paper(bitmap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """White-on-black ink as dark grey on noisy light grey paper, like a scan."""
    ink = 235.0 - 200.0 * bitmap / 255.0 + rng.normal(0.0, 6.0, bitmap.shape)
    return np.clip(ink, 0, 255).astype(np.uint8)


def ring(cx: float, width: float = 70.0) -> np.ndarray:
    """A 0 190 units high around ``(cx, 140)``, ``2 * width`` wide."""
    t = np.linspace(0.0, 2 * np.pi, 60)
    return np.c_[cx + width * np.sin(t), 140 - 95 * np.cos(t)]


def eight(cx: float) -> np.ndarray:
    """An 8 in one stroke, 190 units high and about 110 wide, around ``(cx, 140)``."""
    t = np.linspace(0.0, 2 * np.pi, 120)
    return np.c_[cx + 55 * np.sin(2 * t), 140 - 95 * np.cos(t)]


# -- single real digits --------------------------------------------------------------


@pytest.mark.parametrize("height", [150.0, 230.0])
def test_no_real_digit_of_the_sample_is_split_on_the_canvas(
    digits: list[RealDigit], classify, height: float
) -> None:
    for c in (None, classify):
        split = []
        for digit in digits:
            drawing = digit.drawing(height, centre=(300.0, 140.0))
            pieces = segment_drawing(drawing, c)
            if len(pieces) != 1 or pieces[0].drawing is not drawing:
                split.append(digit.index)
        assert split == []


def test_no_real_digit_of_the_sample_is_split_as_a_picture(
    digits: list[RealDigit], classify
) -> None:
    rng = np.random.default_rng(16)
    for k, digit in enumerate(digits):
        bitmap = render(digit.drawing(200.0), 280 if k % 2 else 100)
        if k % 4 == 0:
            bitmap = paper(bitmap, rng)
        for c in (classify,) if k % 3 else (classify, None):
            pieces = segment_image(bitmap, c)
            assert len(pieces) == 1, digit.index
            np.testing.assert_array_equal(pieces[0].image, to_mnist(bitmap))


def test_real_digits_apart_are_still_read_apart(
    digits: list[RealDigit], classify
) -> None:
    rng = np.random.default_rng(5)
    for k in range(16):
        pair = [digits[int(i)] for i in rng.integers(0, len(digits), 2)]
        number = real_number(pair, rng, spacing="normal" if k % 2 else "tight")
        assert len(segment_drawing(number.drawing, classify)) == 2
        assert len(segment_drawing(number.drawing)) == 2
        assert len(segment_image(picture(number, k, rng), classify)) == 2


def test_real_digits_that_touch_are_mostly_split(
    digits: list[RealDigit], classify
) -> None:
    rng = np.random.default_rng(6)
    right = 0
    for k in range(12):
        pair = [digits[int(i)] for i in rng.integers(0, len(digits), 2)]
        number = real_number(pair, rng, spacing="touching", brush=18.0)
        right += len(segment_drawing(number.drawing, classify)) == 2
        right += len(segment_image(picture(number, k, rng), classify)) == 2
    assert right >= 18  # of 24: the benchmarks measure this properly


# -- strokes that touch --------------------------------------------------------------


def four(*, three_strokes: bool) -> Drawing:
    """A 4 whose stem starts just right of where its bar ends: no x overlap."""
    stem = Stroke(((197.0, 40.0), (172.0, 150.0), (180.0, 250.0)), 18.0)
    if three_strokes:
        arm = Stroke(((110.0, 40.0), (95.0, 150.0)), 18.0)
        bar = Stroke(((95.0, 150.0), (169.0, 150.0)), 18.0)
        return Drawing((arm, bar, stem))
    return Drawing((Stroke(((110.0, 40.0), (95.0, 150.0), (169.0, 150.0)), 18.0), stem))


@pytest.mark.parametrize("three_strokes", [False, True])
def test_a_4_whose_stem_only_touches_its_bar_is_one_mark(
    classify, three_strokes: bool
) -> None:
    drawing = four(three_strokes=three_strokes)
    for c in (None, classify, eager()):
        pieces = segment_drawing(drawing, c)
        assert len(pieces) == 1
        assert pieces[0].drawing is drawing
        np.testing.assert_array_equal(pieces[0].image, drawing_to_mnist(drawing))
    bitmap = render(drawing, 140, width=200)
    for c in (None, classify, eager()):
        assert len(segment_image(bitmap, c)) == 1


def test_strokes_that_nearly_touch_are_one_mark_and_apart_they_are_two() -> None:
    # The bar stops a third of a pen short of the stem: one mark...
    bar = Stroke(((110.0, 40.0), (95.0, 150.0), (167.0, 150.0)), 18.0)
    near = Stroke(((200.0, 40.0), (184.0, 150.0), (190.0, 250.0)), 18.0)
    assert len(segment_drawing(Drawing((bar, near)), eager())) == 1
    # ...but two pen widths short, a 1 written after an L stands on its own.
    far = Stroke(((235.0, 40.0), (220.0, 150.0), (226.0, 250.0)), 18.0)
    assert len(segment_drawing(Drawing((bar, far)))) == 2


def test_touching_marks_too_wide_for_one_digit_stay_two_marks() -> None:
    # Two round 0s side by side whose ink touches: 1.75 times as wide as tall.
    zeros = Drawing((Stroke(ring(150.0, 80.0), 18.0), Stroke(ring(320.0, 80.0), 18.0)))
    pieces = segment_drawing(zeros, sure_of_the_whole)
    assert [len(p.drawing.strokes) for p in pieces] == [1, 1]


@pytest.mark.parametrize(("top_gap", "bottom_gap"), [(40.0, 18.0), (50.0, 16.0)])
def test_slanted_1s_whose_feet_touch_are_two_digits(
    classify, top_gap: float, bottom_gap: float
) -> None:
    # Leaning 1s overlap in x almost wholly; set upright, they stand apart.
    first = Stroke(((150.0, 45.0), (95.0, 235.0)), 18.0)
    second = Stroke(((150.0 + top_gap, 45.0), (95.0 + bottom_gap, 235.0)), 18.0)
    pieces = segment_drawing(Drawing((first, second)), classify)
    assert [p.drawing.strokes for p in pieces] == [(first,), (second,)]


# -- the shape decides, the network's vote only confirms -----------------------------


def test_a_mark_no_wider_than_a_digit_is_not_cut_without_a_waist() -> None:
    for shape in (eight(150.0), ring(150.0, width=55.0)):
        drawing = Drawing((Stroke(shape, 18.0),))
        bitmap = render(drawing, 280, width=300)
        assert label(bitmap > 64)[1] == 1  # one blob of ink
        assert len(segment_image(bitmap, eager())) == 1
        assert (
            len(
                segment_image(
                    paper(render(drawing, 140, width=150), np.random.default_rng(1)),
                    eager(),
                )
            )
            == 1
        )


def test_digits_meeting_at_a_thin_waist_are_cut_only_when_the_network_agrees() -> None:
    zeros = Drawing((Stroke(ring(150.0), 14.0), Stroke(ring(285.0), 14.0)))
    bitmap = render(zeros, 280, width=480)
    assert label(bitmap > 64)[1] == 1  # one blob of ink
    assert len(segment_image(bitmap, eager())) == 2
    assert len(segment_image(bitmap, sure_of_the_whole)) == 1

"""Traced handwriting: strokes files read, checked and rendered as the canvas would."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

from nnpad.core.data import DataError
from nnpad.core.data.traced import canvas_images, load_traced
from nnpad.core.reading.preprocess import drawing_to_mnist
from tests.support.real_strokes import SAMPLE

if TYPE_CHECKING:
    from pathlib import Path


def test_the_committed_sample_reads_as_traced_digits() -> None:
    digits = load_traced(SAMPLE)

    assert len(digits) == 120
    assert sorted({d.label for d in digits}) == list(range(10))
    assert all(d.strokes and d.width > 0 for d in digits)


def test_a_traced_digit_is_drawn_at_the_height_asked() -> None:
    digit = load_traced(SAMPLE)[0]

    x0, y0, x1, y1 = digit.drawing(200.0, brush=0.0).ink_bounds()

    # MNIST's ink fills its 20-pixel box in its longer side.
    assert max(x1 - x0, y1 - y0) == pytest.approx(200.0, rel=0.15)


def test_canvas_images_are_what_the_canvas_gives_the_network() -> None:
    digits = load_traced(SAMPLE)[:5]

    images, labels = canvas_images(digits)

    assert images.shape == (5, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [d.label for d in digits]
    expected = drawing_to_mnist(digits[2].drawing(170.0, brush=25.0))
    assert np.abs(images[2] / 255.0 - expected).max() <= 1 / 255


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "not a JSON strokes file"),
        ("[]", "non-empty JSON list"),
        ('[{"label": 3}]', "item 0"),
        ('[{"label": 12, "width": 2, "strokes": [[[1, 2], [3, 4]]]}]', "0-9"),
        ('[{"label": 1, "width": 2, "strokes": []}]', "no ink"),
    ],
)
def test_a_bad_strokes_file_is_refused_with_a_reason(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "strokes.json"
    path.write_text(content)

    with pytest.raises(DataError, match=says):
        load_traced(path)


def test_a_missing_strokes_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"cannot read gone\.json"):
        load_traced(tmp_path / "gone.json")


def test_strokes_files_round_trip_through_json(tmp_path: Path) -> None:
    item = {"index": 7, "label": 4, "width": 2.5, "strokes": [[[5, 5], [5, 20]]]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps([item]))

    (digit,) = load_traced(path)

    assert (digit.index, digit.label, digit.width) == (7, 4, 2.5)
    assert digit.strokes == (((5.0, 5.0), (5.0, 20.0)),)

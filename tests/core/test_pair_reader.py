"""The pair reader: one digit or two that touch, read from the whole mark.

Real digits come from the committed sample of traced MNIST digits (the tuning
half only); the shipped reader was trained on other digits, of MNIST's training
part.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.ink.strokes import render
from nnpad.core.model.store import load as load_model
from nnpad.core.reading.preprocess import to_mnist
from nnpad.core.reading.recognition import recognize_picture
from nnpad.core.reading.segment import segment_image
from nnpad.core.reading.segment.pair_reader import (
    CLASSES,
    MARK_SHAPE,
    PAIR_READER,
    PairReader,
    PairReading,
    mark_image,
    shipped_pair_reader,
)
from nnpad.core.reading.segment.split import Splitter
from nnpad.resources import asset
from tests.support.numbers import picture
from tests.support.real_strokes import RealDigit, load, real_number

# Seeds whose touching pair of sample digits the digit network alone misreads as
# one digit or "not a digit" ("24" as 3, "01" as 9, "16" as 6, "71" as 7, "41" as 4).
TOUCHING = {1: "24", 5: "01", 14: "16", 20: "71", 43: "41"}


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def digits() -> list[RealDigit]:
    return load()


def touching_pair(digits: list[RealDigit], seed: int):
    """Two sample digits drawn from ``seed`` that touch: the number and its picture."""
    rng = np.random.default_rng(seed)
    pair = [digits[int(i)] for i in rng.integers(0, len(digits), 2)]
    number = real_number(pair, rng, spacing="touching", brush=18.0)
    return number, picture(number, 0, rng)


class Stub:
    """A pair reader that reads the first mark it sees as given, the rest as one."""

    def __init__(self, two: bool, left: int = 0, right: int = 0) -> None:
        self.first = np.zeros(CLASSES)
        self.first[10 + 10 * left + right if two else left] = 1.0
        self.rest = np.zeros(CLASSES)
        self.rest[0] = 1.0
        self.seen = 0

    def read(self, images: list[np.ndarray]) -> list[PairReading]:
        out = []
        for _ in images:
            out.append(PairReading(self.first if self.seen == 0 else self.rest))
            self.seen += 1
        return out


def test_mark_image_fits_the_ink_keeping_its_shape() -> None:
    ink = np.zeros((300, 700), np.uint8)
    ink[100:200, 150:550] = 200  # 100 high, 400 wide: width decides the scale
    out = mark_image(ink)
    assert out is not None and out.shape == MARK_SHAPE
    rows = np.flatnonzero(out.any(axis=1))
    cols = np.flatnonzero(out.any(axis=0))
    assert (len(rows), len(cols)) == (13, 52)
    assert (rows[0], cols[0]) == (7, 2)  # centred
    assert out.max() == pytest.approx(1.0)
    tall = np.zeros((300, 700), np.uint8)
    tall[0:300, 10:60] = 90
    out = mark_image(tall)
    assert out is not None
    assert len(np.flatnonzero(out.any(axis=1))) == 20  # height decides


def test_mark_image_of_no_ink_is_none() -> None:
    assert mark_image(np.zeros((40, 40), np.uint8)) is None


def test_foreign_and_corrupt_files_are_refused(tmp_path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.zeros(3))
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, format=np.array(1), conv0_kernel=np.array([{"a": 1}]))
    partial = tmp_path / "partial.npz"
    with np.load(asset(PAIR_READER)) as shipped:
        arrays = {k: shipped[k] for k in shipped.files if k != "dense1_bias"}
    np.savez(partial, **arrays)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **{**arrays, "dense1_bias": np.zeros(7, np.float32)})
    paths = (garbage, foreign, pickled, partial, wrong, tmp_path / "missing.npz")
    for path in paths:
        with pytest.raises(ValueError, match="pair reader"):
            PairReader.load(path)


def test_the_weights_keras_trains_read_the_same_in_numpy(tmp_path) -> None:
    from tests.benchmarks.train_pair_reader import build, export

    model = build(seed=3)
    path = tmp_path / "pairs.npz"
    export(model, path)
    images = np.random.default_rng(0).random((4, *MARK_SHAPE), dtype=np.float32)
    expected = np.asarray(model(images[..., None], training=False))
    got = PairReader.load(path).probabilities(images)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_the_pair_reader_ships() -> None:
    reader = shipped_pair_reader()
    assert reader is not None
    probs = reader.probabilities(np.zeros((2, *MARK_SHAPE), np.float32))
    assert probs.shape == (2, CLASSES)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_real_digits_that_touch_are_read_as_two(digits, model) -> None:
    wrong_alone = 0
    for seed, text in TOUCHING.items():
        number, image = touching_pair(digits, seed)
        assert number.text == text
        got = recognize_picture(model, image)
        assert got is not None and got.number == text, seed
        alone = recognize_picture(model, image, pairs=False)
        wrong_alone += alone is None or alone.number != text
    assert wrong_alone == len(TOUCHING)


def test_no_real_digit_of_the_sample_is_split_with_the_pair_reader(
    digits: list[RealDigit], model
) -> None:
    pairs = shipped_pair_reader()
    for k, digit in enumerate(digits):
        bitmap = render(digit.drawing(200.0), 280 if k % 2 else 64)
        pieces = segment_image(bitmap, model.network.predict, pairs=pairs)
        assert len(pieces) == 1, digit.index
        np.testing.assert_array_equal(pieces[0].image, to_mnist(bitmap))


def test_a_mark_read_as_two_is_split_however_well_it_reads_whole(digits, model) -> None:
    _, image = touching_pair(digits, 43)  # "41", which the network reads as a 4
    whole = segment_image(image, model.network.predict, pairs=Stub(two=False))
    assert len(whole) == 1
    split = segment_image(image, model.network.predict, pairs=Stub(True, 4, 1))
    assert len(split) == 2
    # Without the digit network, the pair reader is not asked.
    assert len(segment_image(image, None, pairs=Stub(True, 4, 1))) == 1


def test_a_mark_read_as_one_is_kept_whole_however_its_pieces_read(
    digits, model
) -> None:
    _, image = touching_pair(digits, 100)  # "32", which the rules alone split
    assert len(segment_image(image, model.network.predict)) == 2
    kept = segment_image(image, model.network.predict, pairs=Stub(two=False))
    assert len(kept) == 1


def test_the_pieces_read_as_the_pair_read_whole(digits, model) -> None:
    _, image = touching_pair(digits, 14)  # "16"
    agree = segment_image(image, model.network.predict, pairs=Stub(True, 1, 6))
    got = [int(np.argmax(model.network.predict(p.image[None])[0])) for p in agree]
    assert got == [1, 6]


# Seeds whose three touching sample digits (every gap touching) were one mark read
# "not a digit": the reader reads it as two, and every cut leaves two digits on a side.
TRIPLES = {0: "084", 2: "274", 18: "750", 22: "379", 24: "199"}


def touching_triple(digits: list[RealDigit], seed: int):
    """Three sample digits drawn from ``seed``, each touching the next."""
    rng = np.random.default_rng(seed)
    three = [digits[int(i)] for i in rng.integers(0, len(digits), 3)]
    number = real_number(three, rng, spacing="touching", brush=18.0)
    return number, picture(number, 0, rng)


def test_three_real_digits_that_touch_are_read_as_three(
    digits, model, monkeypatch
) -> None:
    images = {}
    for seed, text in TRIPLES.items():
        number, images[seed] = touching_triple(digits, seed)
        assert number.text == text
        got = recognize_picture(model, images[seed])
        assert got is not None and got.number == text, seed
    # Without letting a side the reader reads as two through, none is.
    monkeypatch.setattr(Splitter, "pairs_as_pieces", lambda self, c, sides: sides)
    for seed, text in TRIPLES.items():
        got = recognize_picture(model, images[seed])
        assert got is None or len(got.number) != len(text), seed

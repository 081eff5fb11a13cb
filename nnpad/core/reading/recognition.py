"""What the network read in a drawing or an image: a frozen :class:`Recognition`.

The window shows one :class:`Recognition` at a time: the digits read, left to right
(`nnpad.core.reading.segment` finds them), each with the 28x28 input the network was
given, every layer's activations, the calibrated probabilities, the verdict ("7 (98%)",
"4 or 9? (55% / 40%)", "not a digit") and the saliency that says why. The views
only display it; they do no model maths of their own.

A number reads ``"2026 (91%)"``: its digits, and the chance that all of them are
right (the product of their calibrated probabilities). A mark that is not a digit is
a ``?`` in the number, and the text says which digits are unsure or not digits.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.reading.explain import saliency
from nnpad.core.reading.segment import Piece, segment_drawing, segment_image
from nnpad.core.reading.segment.pair_reader import shipped_pair_reader
from nnpad.core.reading.verdict import (
    DEFAULT_THRESHOLDS,
    TOO_SMALL,
    Kind,
    Thresholds,
    Verdict,
    percent,
    read_logits,
    too_small_to_read,
)

if TYPE_CHECKING:
    from nnpad.core.ink.strokes import Drawing
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.reading.preprocess import Polarity

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True, eq=False)
class DigitReading:
    """The network's reading of one 28x28 input.

    ``activations`` are every layer's, as :meth:`Network.activations` gives them for
    one image: the input (784,), each hidden layer, then the output (10,), which
    holds the calibrated probabilities. A convolutional network's begin with the
    input as maps (28, 28, 1) and each conv layer's maps (h, w, c) or vector.
    ``why`` is the gradient x input saliency of the digit read (against
    ``against`` when that is set): positive where ink speaks for it.
    """

    image: np.ndarray  # (28, 28) float32 in [0, 1]
    activations: tuple[np.ndarray, ...]
    verdict: Verdict
    why: np.ndarray  # (28, 28) float32
    against: int | None = None
    box: Box | None = None  # where it was found, in the drawing's or image's units

    @property
    def probabilities(self) -> np.ndarray:
        """The ten digits' calibrated probabilities, (10,)."""
        return self.activations[-1]

    @property
    def digit(self) -> int:
        """The most probable digit (whatever the verdict)."""
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        """The calibrated probability of :attr:`digit`."""
        return float(self.probabilities[self.digit])

    def describe(self) -> str:
        """The verdict for people and screen readers, e.g. ``7 (98%)``."""
        return self.verdict.text


@dataclass(frozen=True, eq=False)
class Recognition:
    """The digits read, left to right, and which one the views show."""

    digits: tuple[DigitReading, ...]
    selected: int = 0

    def __post_init__(self) -> None:
        if not self.digits:
            raise ValueError("a recognition reads at least one digit")
        if not 0 <= self.selected < len(self.digits):
            raise ValueError(f"no digit {self.selected} to select")

    @property
    def current(self) -> DigitReading:
        """The digit the views show."""
        return self.digits[self.selected]

    @property
    def number(self) -> str:
        """The digits read, left to right, e.g. ``"2026"``; ``?`` for a non-digit."""
        return "".join(
            "?" if d.verdict.kind == "not a digit" else str(d.digit)
            for d in self.digits
        )

    @property
    def confidence(self) -> float:
        """The chance that every digit is read right: their probabilities' product."""
        return float(np.prod([d.confidence for d in self.digits]))

    @property
    def text(self) -> str:
        """The reading for people and screen readers.

        One digit reads as its verdict (``"7 (98%)"``, ``"4 or 9? (55% / 40%)"``,
        ``"not a digit"``), and so do marks none of which is a digit; a number begins
        with itself: ``"2026 (91%)"``, then says which digits are unsure or not digits.
        """
        if len(self.digits) == 1:
            return self.current.describe()
        if all(d.verdict.kind == "not a digit" for d in self.digits):
            return "not a digit"
        if self.kind == "not a digit":
            head = self.number  # no chance that it is right to give
        else:
            head = f"{self.number} ({percent(self.confidence)}%)"
        return "; ".join([head, *self.notes])

    @property
    def kind(self) -> Kind:
        """The worst verdict of the digits: "not a digit", "unsure", or "digit"."""
        kinds = {d.verdict.kind for d in self.digits}
        return next(k for k in ("not a digit", "unsure", "digit") if k in kinds)

    @property
    def notes(self) -> list[str]:
        """For a number, which digits are unsure or not digits, in words."""
        if len(self.digits) == 1:
            return []
        notes = []
        for place, reading in enumerate(self.digits, 1):
            verdict = reading.verdict
            if verdict.kind == "unsure":
                notes.append(f"the {ordinal(place)} digit is {verdict.text}")
            elif verdict.kind == "not a digit":
                notes.append(f"the {ordinal(place)} mark is not a digit")
        return notes

    def select(self, index: int) -> Recognition:
        """The same reading with digit ``index`` shown."""
        return replace(self, selected=index)


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ... ``11th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10)
    return f"{n}{suffix or 'th'}"


def read_digit(
    network: Network,
    image: np.ndarray,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    against: int | None = None,
    box: Box | None = None,
    too_small: bool = False,
) -> DigitReading:
    """Run one prepared 28x28 image in [0, 1] through ``network`` and judge it.

    ``too_small`` (a speck of ink) makes the verdict "not a digit" whatever the
    network says: normalised to MNIST's box, a flick of the pen is a perfect 1.
    ``against`` asks why the digit read and not that one.
    """
    raw = network.activations(image)
    layers = [layer[0] for layer in raw]
    verdict = read_logits(network.logits_from(layers[-2]), thresholds)
    if too_small:
        verdict = replace(verdict, kind="not a digit", reason=TOO_SMALL)
    calibrated = np.asarray(verdict.probabilities, dtype=np.float32)
    digit = int(np.argmax(calibrated))
    if against == digit:
        against = None  # "why 7 and not 7" is "why 7"
    why = saliency(network, image, digit, against, activations=raw)
    return DigitReading(
        np.asarray(image, dtype=np.float32),
        (*layers[:-1], calibrated),
        verdict,
        why,
        against,
        box,
    )


class ReadingCache:
    """The readings of one model's last digits, to read each digit image only once.

    `read_digit` depends only on the network, the thresholds, the image and its
    flags, so the cache hands back the very reading a fresh read would make. While
    one digit of a number is being written, its neighbours' images do not change:
    they are read once, not on every move. Holds the last ``size`` readings.
    """

    def __init__(self, model: TrainedModel, size: int = 64) -> None:
        self.model = model
        self.size = size
        self._readings: OrderedDict[tuple[object, ...], DigitReading] = OrderedDict()

    def read(
        self,
        image: np.ndarray,
        *,
        against: int | None = None,
        box: Box | None = None,
        too_small: bool = False,
    ) -> DigitReading:
        """`read_digit` of ``image`` with the model, or its reading kept from before."""
        pixels = np.ascontiguousarray(image, dtype=np.float32)
        key = (pixels.shape, pixels.tobytes(), against, too_small)
        reading = self._readings.get(key)
        if reading is None:
            model = self.model
            reading = read_digit(
                model.network,
                image,
                model.thresholds,
                against=against,
                box=box,
                too_small=too_small,
            )
            self._readings[key] = reading
            if len(self._readings) > self.size:
                self._readings.popitem(last=False)
        else:
            self._readings.move_to_end(key)
        return reading if reading.box == box else replace(reading, box=box)


def recognize_image(
    model: TrainedModel,
    image: np.ndarray | None,
    *,
    against: int | None = None,
    cache: ReadingCache | None = None,
) -> Recognition | None:
    """Read a prepared 28x28 image as one digit; None when there is none (no ink)."""
    if image is None:
        return None
    reading = _reader(model, cache).read(image, against=against)
    return Recognition((reading,))


def recognize_drawing(
    model: TrainedModel,
    drawing: Drawing,
    *,
    against: int | None = None,
    selected: int | None = None,
    cache: ReadingCache | None = None,
) -> Recognition | None:
    """Read the digits of a drawing, each prepared like MNIST; None with no ink.

    ``selected`` is the digit the views show (clamped to the digits found); by
    default the one that holds the last stroke, the digit being written.
    ``against`` applies to the selected digit. A ``cache`` of ``model``'s readings
    saves reading digits again that did not change (the result is the same).
    """
    pieces = segment_drawing(drawing, model.network.predict)
    if selected is None:
        selected = _last_written(drawing, pieces)
    return _read_pieces(_reader(model, cache), pieces, against, selected)


def recognize_picture(
    model: TrainedModel,
    picture: np.ndarray,
    *,
    polarity: Polarity = "auto",
    against: int | None = None,
    selected: int = 0,
    cache: ReadingCache | None = None,
    pairs: bool = True,
) -> Recognition | None:
    """Read the digits of a picture (any size, as `to_mnist` takes); None: no ink.

    ``pairs``: let the shipped pair reader find touching digits (when it is there).
    """
    pieces = segment_image(
        picture,
        model.network.predict,
        polarity=polarity,
        pairs=shipped_pair_reader() if pairs else None,
    )
    return _read_pieces(_reader(model, cache), pieces, against, selected)


def _reader(model: TrainedModel, cache: ReadingCache | None) -> ReadingCache:
    """``cache`` when it holds ``model``'s readings, else a cache for this read."""
    return cache if cache is not None and cache.model is model else ReadingCache(model)


def _read_pieces(
    reader: ReadingCache, pieces: list[Piece], against: int | None, selected: int
) -> Recognition | None:
    if not pieces:
        return None
    selected = min(max(selected, 0), len(pieces) - 1)
    readings = tuple(
        reader.read(
            piece.image,
            against=against if i == selected else None,
            box=piece.box,
            too_small=piece.drawing is not None and too_small_to_read(piece.drawing),
        )
        for i, piece in enumerate(pieces)
    )
    return Recognition(readings, selected)


def _last_written(drawing: Drawing, pieces: list[Piece]) -> int:
    """The piece nearest the end of the drawing's last ink stroke."""
    ends = [
        point
        for stroke in drawing.strokes
        if not stroke.erase
        for point in stroke.points[-1:]
        if all(map(math.isfinite, point))
    ]
    if len(pieces) < 2 or not ends:
        return 0
    x, y = ends[-1]

    def gap(piece: Piece) -> float:
        x0, y0, x1, y1 = piece.box
        return max(x0 - x, 0.0, x - x1) + max(y0 - y, 0.0, y - y1)

    return min(range(len(pieces)), key=lambda i: gap(pieces[i]))

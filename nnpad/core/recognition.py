"""What the network read in a drawing or an image: a frozen :class:`Recognition`.

The window shows one :class:`Recognition` at a time: the digits read, left to right,
each with the 28x28 input the network was given, every layer's activations, the
calibrated probabilities, the verdict ("7 (98%)", "4 or 9? (55% / 40%)", "not a
digit") and the saliency that says why. The views only display it; they do no model
maths of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.explain import saliency
from nnpad.core.preprocess import drawing_to_mnist
from nnpad.core.verdict import (
    DEFAULT_THRESHOLDS,
    TOO_SMALL,
    Thresholds,
    Verdict,
    is_speck,
    read_logits,
)

if TYPE_CHECKING:
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.strokes import Drawing

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True, eq=False)
class DigitReading:
    """The network's reading of one 28x28 input.

    ``activations`` are every layer's, as :meth:`Network.activations` gives them for
    one image: the input (784,), each hidden layer, then the output (10,), which
    holds the calibrated probabilities. ``why`` is the gradient x input saliency of
    the digit read (against ``against`` when that is set): positive where ink speaks
    for it.
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
    def text(self) -> str:
        """The reading for people and screen readers, e.g. ``7 (98%)``."""
        return self.current.describe()

    def select(self, index: int) -> Recognition:
        """The same reading with digit ``index`` shown."""
        return replace(self, selected=index)


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


def recognize_image(
    model: TrainedModel, image: np.ndarray | None, *, against: int | None = None
) -> Recognition | None:
    """Read a prepared 28x28 image; None when there is none (no ink)."""
    if image is None:
        return None
    reading = read_digit(model.network, image, model.thresholds, against=against)
    return Recognition((reading,))


def recognize_drawing(
    model: TrainedModel, drawing: Drawing, *, against: int | None = None
) -> Recognition | None:
    """Read a drawing, prepared like MNIST; None when it has no ink."""
    image = drawing_to_mnist(drawing)
    if image is None:
        return None
    reading = read_digit(
        model.network,
        image,
        model.thresholds,
        against=against,
        too_small=is_speck(drawing),
    )
    return Recognition((reading,))

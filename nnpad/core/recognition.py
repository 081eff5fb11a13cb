"""What the network read in a drawing or an image: a frozen :class:`Recognition`.

The window shows one :class:`Recognition` at a time: the digits read, left to right,
each with the 28x28 input the network was given, every layer's activations and the
probabilities. The views only display it; they do no model maths of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.preprocess import drawing_to_mnist

if TYPE_CHECKING:
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.strokes import Drawing

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True, eq=False)
class DigitReading:
    """The network's reading of one 28x28 input.

    ``activations`` are every layer's, as :meth:`Network.activations` gives them for
    one image: the input (784,), each hidden layer, then the output (10,), which are
    the probabilities.
    """

    image: np.ndarray  # (28, 28) float32 in [0, 1]
    activations: tuple[np.ndarray, ...]
    box: Box | None = None  # where it was found, in the drawing's or image's units

    @property
    def probabilities(self) -> np.ndarray:
        """The ten digits' probabilities, (10,)."""
        return self.activations[-1]

    @property
    def digit(self) -> int:
        """The most probable digit."""
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        """The probability of :attr:`digit`."""
        return float(self.probabilities[self.digit])

    def describe(self) -> str:
        """Short text such as ``7 (98%)``, for people and screen readers."""
        return f"{self.digit} ({self.confidence:.0%})"


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
    network: Network, image: np.ndarray, box: Box | None = None
) -> DigitReading:
    """Run one prepared 28x28 image in [0, 1] through ``network``."""
    activations = network.activations(image)
    return DigitReading(
        np.asarray(image, dtype=np.float32),
        tuple(layer[0] for layer in activations),
        box,
    )


def recognize_image(
    model: TrainedModel, image: np.ndarray | None
) -> Recognition | None:
    """Read a prepared 28x28 image; None when there is none (no ink)."""
    if image is None:
        return None
    return Recognition((read_digit(model.network, image),))


def recognize_drawing(model: TrainedModel, drawing: Drawing) -> Recognition | None:
    """Read a drawing, prepared like MNIST; None when it has no ink."""
    return recognize_image(model, drawing_to_mnist(drawing))

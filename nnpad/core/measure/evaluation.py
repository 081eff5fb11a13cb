"""Measure a network on labelled images with the NumPy forward pass (no TensorFlow).

Which images to measure on, and how, is decided here once, for ``nnpad evaluate``,
the Evaluate tab and fine-tuning alike: :func:`images_to_measure` picks the images
(the one rule), and :func:`measure` reads them with the model's own temperature.

An :class:`Evaluation` keeps every image's probabilities, so besides the accuracy and
the confusion matrix it can say how well the confidence is calibrated (a reliability
diagram, the expected calibration error) and which images were got wrong with the
most confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from nnpad.core.data.dataset import VALIDATION_PART, split_validation
from nnpad.core.measure.calibration import (
    Reliability,
    negative_log_likelihood,
    reliability,
    softmax,
)
from nnpad.core.recipe.spec import NUM_CLASSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.data.dataset import Dataset
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel

BINS = 15  # the usual number of confidence bins for calibration error

Part = Literal["test", "validation", "all"]
"""Which part of a data set is measured: its test images, the validation part held
out from its training images, or all of them."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every image's label and probabilities, and what follows from them.

    ``logits`` (the network's outputs before its softmax) let the same readings be
    judged at another temperature (:meth:`at_temperature`).
    """

    labels: np.ndarray  # (n,) int
    probabilities: np.ndarray  # (n, 10) float32
    logits: np.ndarray | None = None  # (n, 10) float32

    def at_temperature(self, temperature: float) -> Evaluation:
        """The same images read with the logits divided by ``temperature``."""
        if self.logits is None:
            raise ValueError("this evaluation kept no logits")
        probabilities = softmax(self.logits, temperature).astype(np.float32)
        return Evaluation(self.labels, probabilities, self.logits)

    @cached_property
    def predictions(self) -> np.ndarray:
        """The most probable digit of each image, (n,)."""
        return self.probabilities.argmax(axis=1)

    @cached_property
    def confidences(self) -> np.ndarray:
        """The probability of each prediction, (n,)."""
        return self.probabilities.max(axis=1)

    @cached_property
    def confusion(self) -> np.ndarray:
        """(10, 10) counts: rows are true digits, columns predictions."""
        confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
        np.add.at(confusion, (self.labels, self.predictions), 1)
        return confusion

    @property
    def samples(self) -> int:
        """Number of images evaluated."""
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        """Share of images classified correctly."""
        return float(np.trace(self.confusion) / max(1, self.samples))

    @property
    def per_class(self) -> list[float | None]:
        """Accuracy per true digit (None for a digit with no images)."""
        totals = self.confusion.sum(axis=1)
        return [
            float(self.confusion[d, d] / totals[d]) if totals[d] else None
            for d in range(NUM_CLASSES)
        ]

    def reliability(self, bins: int = BINS) -> Reliability:
        """Calibration in ``bins`` equal-width confidence bins."""
        return reliability(self.probabilities, self.labels, bins)

    def negative_log_likelihood(self) -> float:
        """Mean -log p(true digit): lower is better, and punishes confident errors."""
        return negative_log_likelihood(self.probabilities, self.labels)

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of images of digit ``true`` read as ``predicted``, surest first."""
        (found,) = np.nonzero((self.labels == true) & (self.predictions == predicted))
        return found[np.argsort(-self.confidences[found], kind="stable")]

    def mistakes(self) -> np.ndarray:
        """Indices of every wrong reading, the most confident first."""
        (found,) = np.nonzero(self.labels != self.predictions)
        return found[np.argsort(-self.confidences[found], kind="stable")]


def evaluate(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    batch: int = 2048,
    progress: Callable[[float], None] | None = None,
    temperature: float = 1.0,
) -> Evaluation:
    """Read uint8 MNIST images (N, 28, 28) and compare with their labels.

    ``temperature`` calibrates the probabilities (a model's own, from its
    thresholds); ``progress`` is told the share done after each batch.
    """
    logits = np.empty((len(images), NUM_CLASSES), dtype=np.float32)
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch].astype(np.float32) / 255.0
        logits[start : start + len(chunk)] = network.logits(chunk)
        if progress is not None:
            progress(min(1.0, (start + len(chunk)) / max(1, len(images))))
    labels = np.asarray(labels, dtype=np.int64)
    return Evaluation(labels, softmax(logits, temperature).astype(np.float32), logits)


@dataclass(frozen=True, eq=False)
class Measured:
    """The images a model is measured on, and the training images left to learn from.

    ``rest_x`` and ``rest_y`` are the training images not measured on (empty when
    every image is measured).
    """

    x: np.ndarray  # (n, 28, 28) uint8
    y: np.ndarray  # (n,)
    part: Part
    rest_x: np.ndarray
    rest_y: np.ndarray
    source: str = ""

    def describe(self) -> str:
        """``mnist_train.npz, validation part (last 10,000)``, for people."""
        where = {
            "test": "test part",
            "validation": f"validation part (last {len(self.y):,})",
            "all": f"all {len(self.y):,} images",
        }[self.part]
        return f"{self.source}, {where}" if self.source else where


def images_to_measure(
    data: Dataset, *, validation: float | None = None, keep_rest: bool = False
) -> Measured:
    """The one rule for which images of ``data`` a model is measured on.

    1. With ``validation``, the last ``validation`` of its training images: the part
       a training with the same ``validation_split`` held out (for MNIST's training
       file, :data:`VALIDATION_PART` is its classic last 10,000).
    2. Else its test images, if it has any.
    3. Else, when its training images must stay to learn from (``keep_rest``:
       fine-tuning replays them), the last :data:`VALIDATION_PART` of them; otherwise
       all of them (a file of images never trained on).

    Raises ValueError when that leaves no image to measure.
    """
    if validation is None and data.x_test is not None and data.y_test is not None:
        found = Measured(
            data.x_test, data.y_test, "test", data.x_train, data.y_train, data.source
        )
    elif validation is None and not keep_rest:
        empty_x, empty_y = data.x_train[:0], data.y_train[:0]
        found = Measured(
            data.x_train, data.y_train, "all", empty_x, empty_y, data.source
        )
    else:
        fraction = VALIDATION_PART if validation is None else validation
        rest_x, rest_y, x, y = split_validation(data.x_train, data.y_train, fraction)
        found = Measured(x, y, "validation", rest_x, rest_y, data.source)
    if not len(found.y):
        raise ValueError(f"{found.describe()}: no images to measure on")
    return found


def measure(
    model: TrainedModel,
    images: np.ndarray,
    labels: np.ndarray,
    progress: Callable[[float], None] | None = None,
) -> Evaluation:
    """Read ``images`` with ``model`` at its own temperature (see :func:`evaluate`).

    Its logits are kept: ``at_temperature(1.0)`` gives the readings before
    calibration.
    """
    temperature = model.thresholds.temperature
    return evaluate(
        model.network, images, labels, progress=progress, temperature=temperature
    )

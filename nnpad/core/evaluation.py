"""Measure a network on labelled images with the NumPy forward pass (no TensorFlow).

An :class:`Evaluation` keeps every image's probabilities, so besides the accuracy and
the confusion matrix it can say how well the confidence is calibrated (a reliability
diagram, the expected calibration error) and which images were got wrong with the
most confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.calibration import (
    Reliability,
    negative_log_likelihood,
    reliability,
    softmax,
)
from nnpad.core.spec import NUM_CLASSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.model.network import Network

BINS = 15  # the usual number of confidence bins for calibration error


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

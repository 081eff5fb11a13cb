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

from nnpad.core.spec import NUM_CLASSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.model.network import Network

BINS = 15  # the usual number of confidence bins for calibration error


@dataclass(frozen=True)
class Reliability:
    """Confidence against accuracy in equal-width confidence bins.

    ``confidence[i]`` and ``accuracy[i]`` are the mean confidence and the share
    right among the ``counts[i]`` predictions whose confidence fell in bin ``i``
    (NaN for an empty bin); the bins split [0, 1] at ``edges``.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray

    @property
    def error(self) -> float:
        """Expected calibration error: mean |accuracy - confidence|, by count."""
        filled = self.counts > 0
        gaps = np.abs(self.accuracy[filled] - self.confidence[filled])
        return float((gaps * self.counts[filled]).sum() / max(1, self.counts.sum()))


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every image's label and probabilities, and what follows from them."""

    labels: np.ndarray  # (n,) int
    probabilities: np.ndarray  # (n, 10) float32

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
        edges = np.linspace(0.0, 1.0, bins + 1)
        which = np.clip(np.digitize(self.confidences, edges[1:-1]), 0, bins - 1)
        counts = np.bincount(which, minlength=bins)
        right = (self.predictions == self.labels).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            confidence = np.bincount(which, self.confidences, bins) / counts
            accuracy = np.bincount(which, right, bins) / counts
        return Reliability(edges, confidence, accuracy, counts)

    def negative_log_likelihood(self) -> float:
        """Mean -log p(true digit): lower is better, and punishes confident errors."""
        chosen = self.probabilities[np.arange(self.samples), self.labels]
        return float(-np.log(np.clip(chosen, 1e-12, 1.0)).mean())

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
) -> Evaluation:
    """Read uint8 MNIST images (N, 28, 28) and compare with their labels.

    ``progress`` is told the share done after each batch.
    """
    probabilities = np.empty((len(images), NUM_CLASSES), dtype=np.float32)
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch].astype(np.float32) / 255.0
        probabilities[start : start + len(chunk)] = network.predict(chunk)
        if progress is not None:
            progress(min(1.0, (start + len(chunk)) / max(1, len(images))))
    return Evaluation(np.asarray(labels, dtype=np.int64), probabilities)

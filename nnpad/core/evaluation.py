"""Measure a network on labelled images with the NumPy forward pass (no TensorFlow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.spec import NUM_CLASSES

if TYPE_CHECKING:
    from nnpad.core.model.network import Network


@dataclass(frozen=True)
class Evaluation:
    """Accuracy, per-class accuracy and confusion matrix on labelled images."""

    confusion: np.ndarray  # (10, 10) int: rows are true digits, columns predictions

    @property
    def samples(self) -> int:
        """Number of images evaluated."""
        return int(self.confusion.sum())

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


def evaluate(
    network: Network, images: np.ndarray, labels: np.ndarray, batch: int = 2048
) -> Evaluation:
    """Evaluate uint8 MNIST images (N, 28, 28) against their labels."""
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch].astype(np.float32) / 255.0
        predicted = network.predict(chunk).argmax(axis=1)
        np.add.at(confusion, (labels[start : start + batch], predicted), 1)
    return Evaluation(confusion)

"""Classify images and measure a model with the NumPy network (no TensorFlow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnpad import resources
from nnpad.core.model_file import LoadedModel, read_model
from nnpad.core.spec import NUM_CLASSES

if TYPE_CHECKING:
    from pathlib import Path

    from nnpad.core.network import Network


@dataclass(frozen=True)
class Prediction:
    """The network's answer for one image."""

    probabilities: np.ndarray  # (10,) float32, sums to 1

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


def default_model_path() -> Path:
    """The model shipped in ``assets/``."""
    return resources.asset(resources.DEFAULT_MODEL)


def load_model(path: str | Path | None = None) -> LoadedModel:
    """Read ``path`` (default: the shipped model); raise ModelFileError."""
    return read_model(default_model_path() if path is None else path)


def predict(network: Network, image: np.ndarray) -> Prediction:
    """Classify one preprocessed 28x28 image in [0, 1]."""
    return Prediction(network.predict(image)[0])


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

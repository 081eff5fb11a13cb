"""Distillation: a network learns from another's readings as well as from the labels.

Hinton, Vinyals and Dean (2015): a small network trained on a bigger one's softened
probabilities learns what the labels alone do not say (this 7 looks a bit like a 1).
Here the teacher (any trained model; the shipped FNN learns from the shipped CNN) reads
every training digit once, with the NumPy forward pass, before training. The target of
each digit is then ``(1 - weight)`` times its label plus ``weight`` times the teacher's
probabilities at ``temperature``; a non-digit's target stays the uniform distribution
of outlier exposure. The augmentation layers move a digit a little, its target stays.

Labels become dense, one row of ``NUM_CLASSES + 1`` per image: the target distribution,
then the label (`OUTLIER_LABEL` for a non-digit), which the loss needs for the outlier
weight and the accuracy for the digits. Validation keeps plain labels as targets, so
its loss stays the usual cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.measure.calibration import softmax
from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.core.training.outlier_exposure import OUTLIER_LABEL

if TYPE_CHECKING:
    from nnpad.core.model.trained import TrainedModel

#: How much of a digit's target is the teacher's reading (the rest is its label).
WEIGHT = 0.5
#: The teacher's probabilities are softened at this temperature: its second and
#: third guesses then carry what it knows.
TEMPERATURE = 2.0
# Images the teacher reads at once (bounds the memory of a conv layer's patches).
CHUNK = 2048


@dataclass(frozen=True)
class Teacher:
    """A trained model to learn from, and how much (see the module docstring)."""

    model: TrainedModel
    name: str
    weight: float = WEIGHT
    temperature: float = TEMPERATURE

    def __post_init__(self) -> None:
        if not 0.0 < self.weight <= 1.0:
            raise ValueError(
                f"the teacher's weight must be in (0, 1], not {self.weight}"
            )
        if self.temperature <= 0.0:
            raise ValueError(
                f"the temperature must be positive, not {self.temperature}"
            )

    def describe(self) -> str:
        """One line for the model file's provenance."""
        return (
            f"taught by {self.name} (weight {self.weight:g}, temperature "
            f"{self.temperature:g})"
        )

    def readings(self, images: np.ndarray) -> np.ndarray:
        """The teacher's softened probabilities ``(n, 10)`` for uint8 images."""
        out = np.empty((len(images), NUM_CLASSES), dtype=np.float32)
        for start in range(0, len(images), CHUNK):
            chunk = images[start : start + CHUNK].astype(np.float32) / 255.0
            logits = self.model.network.logits(chunk)
            out[start : start + CHUNK] = softmax(logits, self.temperature)
        return out


def dense_labels(
    labels: np.ndarray, readings: np.ndarray | None = None, weight: float = 0.0
) -> np.ndarray:
    """Rows of the target distribution and the label, float32 ``(n, 11)``.

    ``readings`` (the teacher's probabilities for the digits, in order; non-digits
    have none) blend into the digits' targets with ``weight``.
    """
    labels = np.asarray(labels)
    out = np.zeros((len(labels), NUM_CLASSES + 1), dtype=np.float32)
    digit = labels != OUTLIER_LABEL
    out[digit, labels[digit]] = 1.0
    if readings is not None:
        if len(readings) != int(digit.sum()):
            raise ValueError("the teacher must read every digit, and only them")
        out[digit, :NUM_CLASSES] *= 1.0 - weight
        out[digit, :NUM_CLASSES] += weight * readings
    out[~digit, :NUM_CLASSES] = 1.0 / NUM_CLASSES
    out[:, NUM_CLASSES] = labels
    return out


def taught_labels(teacher: Teacher, images: np.ndarray, labels: np.ndarray) -> Any:
    """`dense_labels` of ``images`` with ``teacher``'s readings of their digits."""
    digit = np.asarray(labels) != OUTLIER_LABEL
    return dense_labels(labels, teacher.readings(images[digit]), teacher.weight)


def distilled_loss(outlier_weight: float) -> Any:
    """A Keras loss on dense labels: cross-entropy to each row's target.

    Non-digits' loss is weighted ``outlier_weight``, as in outlier exposure.
    """
    ops = tf_env.keras().ops

    def distillation_loss(y_true: Any, y_pred: Any) -> Any:
        target = y_true[:, :NUM_CLASSES]
        outlier = ops.equal(y_true[:, NUM_CLASSES], float(OUTLIER_LABEL))
        cross = ops.categorical_crossentropy(target, y_pred)
        return ops.where(outlier, outlier_weight * cross, cross)

    return distillation_loss

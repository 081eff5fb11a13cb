"""Outlier exposure: teach the network what is not a digit (Hendrycks et al., 2019).

Generated non-digits (`nnpad.core.training.nondigits`, training kinds only) join the
training images with the label `OUTLIER_LABEL`. For them the loss is the cross-entropy
from the uniform distribution to the softmax, times a weight (``lambda``, 0.5 in the
paper), so the network learns to spread its belief over the ten digits; for digits it is
the usual cross-entropy. They go through the model's augmentation layers like the
digits, and validation stays on digits only. Accuracy is measured on the digits of a
batch.

TensorFlow is imported by the functions that build Keras objects, not at import.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.core.training.nondigits import nondigit_images

if TYPE_CHECKING:
    from nnpad.core.recipe.spec import TrainConfig

__all__ = [
    "OUTLIER_LABEL",
    "digit_accuracy",
    "enabled",
    "outlier_loss",
    "training_outliers",
    "with_outliers",
]

OUTLIER_LABEL = NUM_CLASSES
"""The label of a non-digit in a training batch (10)."""


def enabled(train: TrainConfig) -> bool:
    """Whether ``train`` asks for outlier exposure."""
    return train.outlier_exposure > 0 and train.outliers > 0


@cache
def training_outliers(count: int, seed: int) -> np.ndarray:
    """``count`` rendered non-digits of the training kinds, uint8 ``(count, 28, 28)``.

    Cached: generating them takes about 1.3 ms each here. The array is read-only.
    """
    images = nondigit_images(count, seed, split="train")
    images.flags.writeable = False
    return images


def with_outliers(
    x: np.ndarray, y: np.ndarray, train: TrainConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Append ``train.outliers`` non-digits labelled `OUTLIER_LABEL` to ``x, y``.

    The generator's seed is the recipe's seed, which never collides with the
    selection and test seeds of `nnpad.core.training.nondigits`. The training pipeline
    shuffles, so the outliers end up spread over every batch.
    """
    outliers = training_outliers(train.outliers, train.seed)
    labels = np.full(len(outliers), OUTLIER_LABEL, dtype=y.dtype)
    return np.concatenate((x, outliers)), np.concatenate((y, labels))


def outlier_loss(weight: float) -> Any:
    """A Keras loss: cross-entropy for digits, ``weight`` x CE to uniform for outliers.

    Labels are sparse (0-9 digits, `OUTLIER_LABEL` for non-digits); predictions are
    the softmax output (Keras uses its logits when it can, as for its own losses).
    """
    ops = tf_env.keras().ops

    def outlier_exposure_loss(y_true: Any, y_pred: Any) -> Any:
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        outlier = ops.equal(labels, OUTLIER_LABEL)
        digits = ops.where(outlier, 0, labels)
        to_digit = ops.sparse_categorical_crossentropy(digits, y_pred)
        uniform = ops.full_like(y_pred, 1.0 / NUM_CLASSES)
        to_uniform = ops.categorical_crossentropy(uniform, y_pred)
        return ops.where(outlier, weight * to_uniform, to_digit)

    return outlier_exposure_loss


@cache
def _digit_accuracy_class() -> type:
    keras = tf_env.keras()
    ops = keras.ops
    metric: Any = keras.metrics.Metric  # Keras ships no types

    class DigitAccuracy(metric):
        """Accuracy over the digits of each batch; outliers are not counted."""

        def __init__(
            self, name: str = "accuracy", *, dense: bool = False, **kwargs: Any
        ) -> None:
            super().__init__(name=name, **kwargs)
            self.dense = dense
            self.correct = self.add_variable((), "zeros", name="correct")
            self.total = self.add_variable((), "zeros", name="total")

        def update_state(
            self, y_true: Any, y_pred: Any, sample_weight: Any = None
        ) -> None:
            if self.dense:  # distillation's rows end with the label
                y_true = y_true[:, NUM_CLASSES]
            labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
            digit = ops.cast(ops.less(labels, OUTLIER_LABEL), "float32")
            guess = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
            hit = ops.cast(ops.equal(guess, labels), "float32")
            self.correct.assign_add(ops.sum(hit * digit))
            self.total.assign_add(ops.sum(digit))

        def result(self) -> Any:
            return self.correct / ops.maximum(self.total, 1.0)

        def reset_state(self) -> None:
            self.correct.assign(0.0)
            self.total.assign(0.0)

    return DigitAccuracy


def digit_accuracy(*, dense: bool = False) -> Any:
    """A Keras metric named ``accuracy`` that counts digits only.

    ``dense``: the labels are distillation's rows (`nnpad.core.training.distillation`).
    """
    return _digit_accuracy_class()(dense=dense)

"""Outlier exposure: the loss, the digits-only metric and the trainer's hook."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.model.keras_bridge import to_network
from nnpad.core.recipe.spec import Architecture, Recipe, SpecError, TrainConfig
from nnpad.core.training import outlier_exposure

pytestmark = pytest.mark.slow


def test_the_loss_is_crossentropy_for_digits_and_to_uniform_for_outliers() -> None:
    ops = pytest.importorskip("keras").ops
    loss = outlier_exposure.outlier_loss(0.5)
    uniform = np.full((1, 10), 0.1, np.float32)
    peaked = np.full((1, 10), 0.01, np.float32)
    peaked[0, 3] = 0.91
    outlier = np.array([outlier_exposure.OUTLIER_LABEL])
    value = lambda y, p: float(ops.convert_to_numpy(loss(y, p))[0])  # noqa: E731
    assert value(outlier, uniform) == pytest.approx(0.5 * math.log(10), rel=1e-5)
    assert value(outlier, peaked) > value(outlier, uniform) + 0.5
    assert value(np.array([3]), peaked) == pytest.approx(-math.log(0.91), rel=1e-5)


def test_the_metric_counts_digits_only() -> None:
    metric = outlier_exposure.digit_accuracy()
    p = np.eye(10, dtype=np.float32)[[1, 2, 3, 4]]
    metric.update_state(np.array([1, 2, 10, 10]), p)
    metric.update_state(np.array([0, 10, 10, 10]), p)  # digit 0 read as 1: wrong
    assert metric.name == "accuracy"
    assert float(metric.result()) == pytest.approx(2 / 3)


def test_with_outliers_appends_labelled_non_digits_to_the_training_images() -> None:
    x = np.zeros((5, 28, 28), np.uint8)
    y = np.arange(5, dtype=np.uint8)
    train = TrainConfig(outlier_exposure=0.5, outliers=7, seed=3)
    xo, yo = outlier_exposure.with_outliers(x, y, train)
    assert xo.shape == (12, 28, 28) and xo.dtype == np.uint8
    assert list(yo[5:]) == [10] * 7
    assert (xo[5:].reshape(7, -1).max(axis=1) == 255).all()


def test_outlier_exposure_settings_are_validated_and_round_trip() -> None:
    recipe = Recipe(train=TrainConfig(outlier_exposure=1, outliers=100))
    again = Recipe.from_json(recipe.to_json())
    assert again.train.outlier_exposure == 1.0
    assert again.train.outliers == 100
    with pytest.raises(SpecError, match="outlier_exposure"):
        Recipe(train=TrainConfig(outlier_exposure=-1)).validate()
    with pytest.raises(SpecError, match="outliers"):
        Recipe(train=TrainConfig(outliers=1.5)).validate()  # type: ignore[arg-type]
    assert not outlier_exposure.enabled(TrainConfig(outlier_exposure=0.5))
    assert outlier_exposure.enabled(TrainConfig(outlier_exposure=0.5, outliers=1))


def _top_probability_on_outliers(dataset: Dataset, weight: float) -> tuple:
    from nnpad.core.training.trainer import Trainer

    recipe = Recipe(
        Architecture(hidden=(32,)),
        TrainConfig(
            epochs=8,
            batch_size=32,
            learning_rate=5e-3,
            validation_split=0.2,
            outlier_exposure=weight,
            outliers=300 if weight else 0,
        ),
    )
    result = Trainer(recipe, dataset, steps_per_execution=1).run()
    net = to_network(result.keras_model, recipe.architecture)
    unseen = outlier_exposure.training_outliers(100, 99).astype(np.float32) / 255
    return net.predict(unseen).max(axis=1).mean(), result.val_accuracy


def test_outlier_exposure_pushes_non_digits_towards_uniform(
    tiny_dataset: Dataset,
) -> None:
    plain_top, plain_acc = _top_probability_on_outliers(tiny_dataset, 0.0)
    exposed_top, exposed_acc = _top_probability_on_outliers(tiny_dataset, 0.5)
    assert exposed_top < 0.35 < plain_top
    assert exposed_acc >= 0.9 and plain_acc >= 0.9

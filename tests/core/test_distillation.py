"""Distillation: targets blending labels with a teacher's readings, the loss, a run."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.training import distillation, outlier_exposure
from nnpad.core.training.distillation import Teacher, dense_labels

OUTLIER = outlier_exposure.OUTLIER_LABEL


class _Always:
    """A teacher's network that reads every image as ``digit``, surely."""

    def __init__(self, digit: int) -> None:
        self.digit = digit
        self.seen = 0

    def logits(self, images: np.ndarray) -> np.ndarray:
        self.seen += len(images)
        out = np.zeros((len(images), 10), np.float32)
        out[:, self.digit] = 12.0
        return out


def _teacher(digit: int, weight: float = 0.5) -> Teacher:
    model = SimpleNamespace(network=_Always(digit))
    return Teacher(model, "always", weight=weight)  # type: ignore[arg-type]


def test_dense_labels_blend_the_label_with_the_readings() -> None:
    labels = np.array([3, OUTLIER, 5])
    readings = np.full((2, 10), 0.1, np.float32)
    rows = dense_labels(labels, readings, weight=0.4)
    assert rows.shape == (3, 11)
    np.testing.assert_allclose(rows[:, :10].sum(axis=1), 1.0, rtol=1e-6)
    assert rows[0, 3] == pytest.approx(0.6 + 0.04) and rows[0, 4] == pytest.approx(0.04)
    np.testing.assert_allclose(rows[1, :10], 0.1)  # a non-digit stays uniform
    assert list(rows[:, 10]) == [3, OUTLIER, 5]
    plain = dense_labels(np.array([7]))
    assert plain[0, 7] == 1.0 and plain[0, :10].sum() == 1.0
    with pytest.raises(ValueError, match="every digit"):
        dense_labels(labels, readings[:1], weight=0.4)


def test_the_teacher_reads_only_the_digits_softened() -> None:
    teacher = _teacher(2, weight=1.0)
    images = np.zeros((5, 28, 28), np.uint8)
    rows = distillation.taught_labels(teacher, images, np.array([1, 2, OUTLIER, 3, 4]))
    assert teacher.model.network.seen == 4
    soft = math.exp(6.0) / (math.exp(6.0) + 9)  # logit 12 at temperature 2
    assert rows[0, 2] == pytest.approx(soft, rel=1e-5) and rows[0, 1] < 0.01
    np.testing.assert_allclose(rows[2, :10], 0.1)
    with pytest.raises(ValueError, match="weight"):
        _teacher(2, weight=0.0)


@pytest.mark.slow
def test_the_loss_is_crossentropy_to_the_target_and_weights_non_digits() -> None:
    ops = pytest.importorskip("keras").ops
    loss = distillation.distilled_loss(0.5)
    rows = dense_labels(np.array([3, OUTLIER]))
    p = np.full((2, 10), 0.05, np.float32)
    p[:, 3] = 0.55
    value = ops.convert_to_numpy(loss(rows, p))
    assert value[0] == pytest.approx(-math.log(0.55), rel=1e-5)
    uniform_ce = -(0.1 * np.log(p[1])).sum()
    assert value[1] == pytest.approx(0.5 * uniform_ce, rel=1e-5)
    metric = outlier_exposure.digit_accuracy(dense=True)
    metric.update_state(rows, p)
    assert float(metric.result()) == 1.0  # the non-digit is not counted


@pytest.mark.slow
def test_a_student_learns_what_its_teacher_says(tiny_dataset: Dataset) -> None:
    from nnpad.core.training.trainer import Trainer

    recipe = Recipe(
        Architecture(hidden=(32,)),
        TrainConfig(
            epochs=6,
            batch_size=32,
            learning_rate=5e-3,
            validation_split=0.2,
            outlier_exposure=0.5,
            outliers=50,
        ),
    )
    plain = Trainer(recipe, tiny_dataset, steps_per_execution=1).run()
    taught = Trainer(
        recipe, tiny_dataset, steps_per_execution=1, teacher=_teacher(7, weight=1.0)
    ).run()
    x_val = tiny_dataset.x_train[240:].astype(np.float32) / 255
    assert plain.val_accuracy is not None and plain.val_accuracy >= 0.9
    # Taught that everything is a 7, it reads everything as a 7, whatever the labels.
    assert (taught.network.predict(x_val).argmax(axis=1) == 7).mean() >= 0.9
    assert taught.val_accuracy is not None and taught.val_accuracy <= 0.3
    assert taught.thresholds is not None  # calibrated on the plain labels


def test_the_cli_names_a_missing_teacher(tmp_path: Path, capsys) -> None:
    from nnpad.cli import main

    missing = tmp_path / "nobody.keras"
    args = ["train", "--data", "sample", "--out", str(tmp_path / "m.keras")]
    assert main([*args, "--teacher", str(missing)]) != 0
    assert "nobody.keras" in capsys.readouterr().err

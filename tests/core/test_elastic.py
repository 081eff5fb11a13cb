"""Elastic distortion of training digits (`nnpad.core.training.elastic`)."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.training.elastic import distort, smoothing_matrix
from tests.support.recording import RecordingListener


def _bar() -> np.ndarray:
    image = np.zeros((1, 28, 28), dtype=np.uint8)
    image[0, 4:24, 12:16] = 255
    return image


def test_no_strength_is_no_distortion() -> None:
    images = np.random.default_rng(2).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    same = distort(images, np.random.default_rng(0), alpha=0.0)
    np.testing.assert_array_equal(same, images)


def test_a_distortion_bends_strokes_and_keeps_their_ink() -> None:
    bar = np.repeat(_bar(), 50, axis=0)
    bent = distort(bar, np.random.default_rng(1))
    assert bent.dtype == np.uint8 and bent.shape == bar.shape
    moved = np.abs(bent.astype(int) - bar.astype(int)).sum(axis=(1, 2))
    assert (moved > 0).all()
    # Bent, not torn or scattered: stretched or squeezed a little, in one place.
    ink = bent.astype(float).sum(axis=(1, 2)) / bar[0].astype(float).sum()
    assert 0.5 < ink.min() and ink.max() < 2.0
    assert 0.9 < ink.mean() < 1.1
    columns = (bent > 127).any(axis=1).sum(axis=1)
    assert columns.max() <= 10


def test_distortions_differ_and_repeat_with_their_seed() -> None:
    bars = np.repeat(_bar(), 2, axis=0)
    first = distort(bars, np.random.default_rng(5))
    assert not np.array_equal(first[0], first[1])
    np.testing.assert_array_equal(first, distort(bars, np.random.default_rng(5)))


def test_the_smoothing_keeps_a_field_s_strength_inside() -> None:
    rows = smoothing_matrix(28, 4.0)
    assert rows[14].sum() == pytest.approx(1.0, abs=1e-3)
    assert rows[0].sum() < 0.6  # beyond the edge the field is zero


@pytest.mark.slow
def test_elastic_copies_join_the_training_side_only(tiny_dataset: Dataset) -> None:
    from nnpad.core.training.trainer import Trainer

    recorder = RecordingListener()
    extra = (tiny_dataset.x_train[:32].copy(), tiny_dataset.y_train[:32].copy())
    recipe = Recipe(
        Architecture(hidden=(16,)),
        TrainConfig(epochs=1, batch_size=16, validation_split=0.2),
    )
    trainer = Trainer(
        recipe, tiny_dataset, steps_per_execution=1, extra=extra, elastic_copies=2
    )
    x_train, y_train, x_val, _ = trainer._training_set()
    assert (len(x_train), len(x_val)) == (3 * (240 + 32), 60)
    np.testing.assert_array_equal(y_train[: 240 + 32], y_train[240 + 32 : 2 * 272])
    assert not np.array_equal(x_train[:272], x_train[272:544])
    trainer.run(recorder)
    assert recorder.of("started")[0].train_samples == 3 * 272
    with pytest.raises(ValueError, match="elastic"):
        Trainer(recipe, tiny_dataset, elastic_copies=-1)

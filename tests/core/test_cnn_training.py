"""Training and fine-tuning a CNN: the trainer, its callbacks, outlier exposure."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnpad.core.data import Dataset, load_sample
from nnpad.core.model.trained import TrainedModel
from nnpad.core.recipe import presets
from nnpad.core.recipe.conv_spec import Conv2D, Flatten, MaxPooling2D
from nnpad.core.recipe.spec import (
    Architecture,
    Augmentation,
    Recipe,
    TrainConfig,
    with_changes,
)
from nnpad.core.training.finetune import FinetuneConfig, FineTuner
from tests.core.test_finetune import bars
from tests.support.recording import RecordingListener

pytestmark = pytest.mark.slow

TINY_CNN = Recipe(
    Architecture(hidden=(), conv=(Conv2D(4, 3), MaxPooling2D(2), Flatten())),
    TrainConfig(epochs=3, batch_size=16, validation_split=0.2, learning_rate=5e-3),
)


def test_a_cnn_trains_and_hands_back_its_numpy_twin(tiny_dataset: Dataset) -> None:
    from nnpad.core.training.trainer import Trainer

    recorder = RecordingListener()
    trainer = Trainer(
        TINY_CNN,
        tiny_dataset,
        report_interval=0,
        snapshot_interval=1e-9,
        steps_per_execution=1,
    )
    result = trainer.run(recorder)
    assert result.status == "finished"
    assert result.val_accuracy is not None and result.val_accuracy > 0.8
    assert len(recorder.of("batch")) == 3 * 15
    snapshots = recorder.of("snapshot")
    assert snapshots and all(len(s.features) == 3 for s in snapshots)
    # Images stay (n, 28, 28) for Keras too: the model adds the channel itself.
    images = tiny_dataset.x_train[:20].astype(np.float32) / 255.0
    keras_out = np.asarray(result.keras_model(images, training=False))
    assert np.max(np.abs(result.network.predict(images) - keras_out)) <= 1e-5
    assert result.thresholds is not None  # calibrated on the NumPy twin


def test_a_cnn_trains_with_augmentation_and_outlier_exposure(
    tiny_dataset: Dataset,
) -> None:
    from nnpad.core.training.trainer import Trainer

    recipe = with_changes(
        TINY_CNN,
        augmentation=Augmentation(rotation=5, shift=1, zoom=0.05),
        outlier_exposure=0.5,
        outliers=60,
    )
    recorder = RecordingListener()
    result = Trainer(recipe, tiny_dataset, steps_per_execution=1).run(recorder)
    assert result.status == "finished"
    # 240 digits and the 60 non-digits.
    assert recorder.of("started")[0].train_samples == 300
    names = [layer.name for layer in result.keras_model.layers]
    assert names[:6] == ["image", "add_channel", "rotate", "shift", "zoom", "conv_1"]
    assert result.epochs[-1].val_accuracy > 0.5


def test_the_small_cnn_preset_reaches_97_percent_on_the_shipped_sample() -> None:
    from nnpad.core.training.trainer import Trainer

    started = time.perf_counter()
    result = Trainer(presets.preset("cnn-small"), load_sample()).run()
    print(f"cnn-small: {time.perf_counter() - started:.1f} s, {result.val_accuracy}")
    assert result.status == "finished"
    assert result.val_accuracy is not None and result.val_accuracy >= 0.97


def test_fine_tuning_a_cnn_learns_my_samples_and_keeps_the_old_task() -> None:
    from nnpad.core.training.trainer import Trainer

    replay = Dataset(*bars(600, 1, vertical=False), source="horizontal bars")
    recipe = with_changes(TINY_CNN, validation_split=0.0, epochs=4)
    trained = Trainer(recipe, replay, steps_per_execution=1).run()
    start = TrainedModel(recipe, trained.network, {})
    config = FinetuneConfig(
        learning_rate=3e-3, max_epochs=8, patience=3, l2sp=0.001, guard_images=60
    )
    result = FineTuner(start, *bars(100, 2, vertical=True), replay, config=config).run()
    assert result.status == "finished"
    assert result.mine_before.accuracy < 0.5
    assert result.mine_after.accuracy >= 0.9
    assert result.mnist_after.accuracy >= result.mnist_before.accuracy - 0.05
    # The conv kernels moved, and the model is still the starting recipe's CNN.
    before, after = start.network.features[0], result.network.features[0]
    assert not np.allclose(before.kernel, after.kernel)
    assert result.network.architecture == recipe.architecture

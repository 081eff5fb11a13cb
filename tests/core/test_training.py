"""The trainer: progress, stop, NaN, determinism, on tiny synthetic data."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.training.trainer import Trainer
from tests.support.recording import RecordingListener

pytestmark = pytest.mark.slow

TINY = Recipe(
    Architecture(hidden=(16,)),
    TrainConfig(epochs=3, batch_size=16, validation_split=0.2, learning_rate=5e-3),
)


def test_a_run_reports_progress_and_learns(tiny_dataset: Dataset) -> None:
    recorder = RecordingListener()
    trainer = Trainer(TINY, tiny_dataset, report_interval=0, steps_per_execution=1)
    result = trainer.run(recorder)

    assert result.status == "finished"
    assert recorder.events[0][0] == "started"
    info = recorder.of("started")[0]
    assert (info.train_samples, info.val_samples) == (240, 60)
    assert info.batches_per_epoch == 15
    batches = recorder.of("batch")
    assert len(batches) == 3 * 15
    assert batches[-1].fraction == pytest.approx(1.0)
    assert all(b.samples_per_second > 0 for b in batches)
    assert batches[-1].eta_seconds == pytest.approx(0.0, abs=1e-6)
    epochs = recorder.of("epoch")
    assert [e.epoch for e in epochs] == [0, 1, 2]
    assert all(e.val_accuracy is not None for e in epochs)
    assert epochs[-1].loss < epochs[0].loss
    assert result.val_accuracy is not None and result.val_accuracy > 0.8
    assert result.keras_model is not None


def test_reports_are_throttled(tiny_dataset: Dataset) -> None:
    recorder = RecordingListener()
    Trainer(TINY, tiny_dataset, report_interval=60, steps_per_execution=1).run(recorder)
    # The first batch and each epoch's last batch get through, nothing else.
    assert len(recorder.of("batch")) == 1 + 3


def test_stop_before_start_does_not_train(tiny_dataset: Dataset) -> None:
    trainer = Trainer(TINY, tiny_dataset)
    trainer.stop()
    recorder = RecordingListener()
    result = trainer.run(recorder)
    assert result.status == "stopped"
    assert result.keras_model is None
    assert recorder.events == []


def test_stop_during_training_ends_within_a_step(tiny_dataset: Dataset) -> None:
    recipe = Recipe(TINY.architecture, TrainConfig(epochs=50, batch_size=16))
    trainer = Trainer(recipe, tiny_dataset, report_interval=0, steps_per_execution=1)

    class StopAtThirdBatch(RecordingListener):
        def batch(self, progress) -> None:
            super().batch(progress)
            if len(self.of("batch")) == 3:
                self.stop_time = time.perf_counter()
                trainer.stop()

    recorder = StopAtThirdBatch()
    result = trainer.run(recorder)
    assert result.status == "stopped"
    assert len(recorder.of("batch")) == 3  # not one batch more
    assert recorder.of("epoch") == []
    assert result.keras_model is None  # no complete epoch: nothing worth keeping


def test_nan_loss_stops_and_keeps_the_last_good_weights(
    tiny_dataset: Dataset,
) -> None:
    import keras

    class Poison(keras.callbacks.Callback):
        """Corrupt the weights in the second epoch, as a diverging run would."""

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.good = [np.array(w) for w in self.model.get_weights()]
                # The output layer: without XLA, TensorFlow's CPU ReLU turns a NaN
                # hidden weight into 0 (measured), so it would never reach the loss.
                layer = self.model.get_layer("output")
                kernel, bias = layer.get_weights()
                layer.set_weights([kernel * np.nan, bias])

    poison = Poison()
    recorder = RecordingListener()
    result = Trainer(TINY, tiny_dataset, callbacks=[poison]).run(recorder)
    assert result.status == "nan"
    assert "nan" in result.message.lower()
    assert len(recorder.of("epoch")) == 1
    assert result.keras_model is not None
    for kept, good in zip(result.keras_model.get_weights(), poison.good, strict=True):
        np.testing.assert_array_equal(kept, good)


def test_same_seed_same_result(tiny_dataset: Dataset) -> None:
    first = Trainer(TINY, tiny_dataset).run()
    second = Trainer(TINY, tiny_dataset).run()
    assert first.keras_model is not None and second.keras_model is not None
    pairs = zip(
        first.keras_model.get_weights(), second.keras_model.get_weights(), strict=True
    )
    for a, b in pairs:
        np.testing.assert_array_equal(a, b)
    assert [e.loss for e in first.epochs] == [e.loss for e in second.epochs]


def test_snapshots_are_numpy_networks(tiny_dataset: Dataset) -> None:
    recorder = RecordingListener()
    Trainer(TINY, tiny_dataset, snapshot_interval=1e-9).run(recorder)
    snapshots = recorder.of("snapshot")
    assert snapshots
    probabilities = snapshots[-1].predict(tiny_dataset.x_train[:2] / 255.0)
    assert probabilities.shape == (2, 10)
    assert math.isclose(float(probabilities[0].sum()), 1.0, rel_tol=1e-5)


def test_steps_per_execution_gives_about_fifty_reports_an_epoch() -> None:
    from nnpad.core.training.trainer import auto_steps_per_execution

    assert auto_steps_per_execution(10) == 1
    assert auto_steps_per_execution(169) == 3
    assert auto_steps_per_execution(1563) == 31
    assert auto_steps_per_execution(100_000) == 32


def test_a_stopped_run_keeps_the_last_complete_epoch(tiny_dataset: Dataset) -> None:
    import keras

    class Remember(keras.callbacks.Callback):
        """The weights at the end of the first epoch."""

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.weights = [np.array(w) for w in self.model.get_weights()]

    recipe = Recipe(TINY.architecture, TrainConfig(epochs=20, batch_size=16))
    remember = Remember()
    trainer = Trainer(
        recipe,
        tiny_dataset,
        report_interval=0,
        steps_per_execution=1,
        callbacks=[remember],
    )

    class StopInSecondEpoch(RecordingListener):
        def batch(self, progress) -> None:
            super().batch(progress)
            if progress.epoch == 1 and progress.batch == 3:
                trainer.stop()

    result = trainer.run(StopInSecondEpoch())
    assert result.status == "stopped"
    assert [e.epoch for e in result.epochs] == [0]
    assert result.keras_model is not None
    for kept, first in zip(
        result.keras_model.get_weights(), remember.weights, strict=True
    ):
        np.testing.assert_array_equal(kept, first)


def test_extra_images_join_the_training_side_only(tiny_dataset: Dataset) -> None:
    recorder = RecordingListener()
    extra = (tiny_dataset.x_train[:32].copy(), tiny_dataset.y_train[:32].copy())
    recipe = Recipe(
        TINY.architecture,
        TrainConfig(epochs=1, batch_size=16, validation_split=0.2),
    )
    trainer = Trainer(recipe, tiny_dataset, steps_per_execution=1, extra=extra)
    trainer.run(recorder)

    info = recorder.of("started")[0]
    assert (info.train_samples, info.val_samples) == (240 + 32, 60)

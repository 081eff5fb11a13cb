"""Early stopping, restoring the best weights and training on fewer images."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.training.trainer import Trainer

pytestmark = pytest.mark.slow


def misleading(data: Dataset) -> Dataset:
    """The same images whose last fifth (the validation part) has wrong labels.

    The better the network learns the training part, the worse its validation loss:
    the lowest validation loss comes early and early stopping has to step in.
    """
    y = data.y_train.copy()
    tail = len(y) // 5
    y[-tail:] = (y[-tail:] + 1) % 10
    return Dataset(data.x_train, y, source="misleading bars")


def recipe(**train: object) -> Recipe:
    settings = {
        "epochs": 12,
        "batch_size": 16,
        "validation_split": 0.2,
        "learning_rate": 5e-3,
        **train,
    }
    return Recipe(Architecture(hidden=(16,)), TrainConfig(**settings))  # type: ignore[arg-type]


class Remember:
    """A listener keeping the epoch results."""

    def __init__(self) -> None:
        self.epochs: list = []

    def started(self, info) -> None:
        self.info = info

    def batch(self, progress) -> None: ...

    def epoch(self, result) -> None:
        self.epochs.append(result)

    def snapshot(self, network) -> None: ...


def test_early_stopping_stops_when_validation_loss_stops_improving(
    tiny_dataset: Dataset,
) -> None:
    result = Trainer(recipe(early_stopping_patience=2), misleading(tiny_dataset)).run()
    assert result.status == "finished"
    assert result.best_epoch is not None
    assert len(result.epochs) == result.best_epoch + 3  # best, then 2 without gain
    assert len(result.epochs) < 12
    assert "stopped early after epoch" in result.message
    assert result.restored_epoch is None
    assert result.val_accuracy == result.epochs[-1].val_accuracy


def test_restoring_keeps_the_weights_of_the_best_epoch(tiny_dataset: Dataset) -> None:
    import keras

    class Remember(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = {}

        def on_epoch_end(self, epoch, logs=None):
            self.weights[epoch] = [np.array(w) for w in self.model.get_weights()]

    remember = Remember()
    data = misleading(tiny_dataset)
    result = Trainer(
        recipe(early_stopping_patience=2, restore_best_weights=True),
        data,
        callbacks=[remember],
    ).run()
    best = result.best_epoch
    assert best is not None and best < result.epochs[-1].epoch
    assert result.restored_epoch == best
    assert result.val_accuracy == result.epochs[best].val_accuracy
    assert f"kept the weights of epoch {best + 1}" in result.message
    for kept, wanted in zip(
        result.keras_model.get_weights(), remember.weights[best], strict=True
    ):
        np.testing.assert_array_equal(kept, wanted)


def test_restoring_without_early_stopping_trains_every_epoch(
    tiny_dataset: Dataset,
) -> None:
    result = Trainer(
        recipe(epochs=6, restore_best_weights=True), misleading(tiny_dataset)
    ).run()
    assert len(result.epochs) == 6
    assert result.restored_epoch == result.best_epoch
    assert "stopped early" not in result.message


def test_best_epoch_is_recorded_without_early_stopping(tiny_dataset: Dataset) -> None:
    result = Trainer(recipe(epochs=4), tiny_dataset).run()
    val_losses = [e.val_loss for e in result.epochs]
    assert result.best_epoch == int(np.argmin(val_losses))
    assert result.restored_epoch is None
    assert result.message == ""


def test_train_samples_takes_the_first_images_and_keeps_validation(
    tiny_dataset: Dataset,
) -> None:
    listener = Remember()
    Trainer(recipe(epochs=1, train_samples=50), tiny_dataset).run(listener)
    assert (listener.info.train_samples, listener.info.val_samples) == (50, 60)
    assert listener.info.batches_per_epoch == 50 // 16


def test_a_stopped_run_still_ends_with_its_best_weights(tiny_dataset: Dataset) -> None:
    trainer = Trainer(
        recipe(early_stopping_patience=5, restore_best_weights=True),
        misleading(tiny_dataset),
    )

    class StopAfterThirdEpoch(Remember):
        def epoch(self, result) -> None:
            super().epoch(result)
            if result.epoch == 2:
                trainer.stop()

    listener = StopAfterThirdEpoch()
    result = trainer.run(listener)
    assert result.status == "stopped"
    assert [e.epoch for e in result.epochs] == [0, 1, 2]
    assert result.restored_epoch == result.best_epoch
    assert result.val_accuracy == result.epochs[result.best_epoch].val_accuracy
    assert "kept the weights of epoch" in result.message

"""Fine-tuning: a tiny model learns a new "handwriting" and keeps the old data."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.data import Dataset
from nnpad.core.measure.evaluation import images_to_measure
from nnpad.core.model.store import load as read_model
from nnpad.core.model.trained import TrainedModel
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.training.finetune import (
    FinetuneConfig,
    FineTuner,
    finetune_recipe,
    mnist_parts,
    split_held_out,
    with_config,
)
from tests.support.recording import RecordingListener


def bars(n: int, seed: int, *, vertical: bool) -> tuple[np.ndarray, np.ndarray]:
    """Class k is a bar at row (or column) 4 + 2k, on noise."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 10).astype(np.uint8)
    x = rng.integers(0, 30, size=(n, 28, 28), dtype=np.uint8)
    for i, label in enumerate(y):
        at = 4 + 2 * int(label)
        if vertical:
            x[i, 6:22, at : at + 2] = 255
        else:
            x[i, at : at + 2, 6:22] = 255
    return x, y


# -- without TensorFlow -------------------------------------------------------------


def test_the_held_out_part_is_stratified_and_spares_small_digits() -> None:
    labels = np.array([0] * 10 + [1] * 4 + [2] * 3 + [3] * 2 + [4] * 1)
    train, held = split_held_out(labels, 0.25, seed=0)
    assert sorted([*train, *held]) == list(range(len(labels)))
    held_counts = np.bincount(labels[held], minlength=5).tolist()
    # 25% rounded of 10 and 4; one of 3; none of 2 or 1 (too few to spare).
    assert held_counts == [3, 1, 1, 0, 0]
    assert set(labels[train]) == {0, 1, 2, 3, 4}
    assert split_held_out(labels, 0.25, seed=0)[1].tolist() == held.tolist()


def test_mnist_is_split_into_replay_guard_and_check() -> None:
    x, y = bars(600, 0, vertical=False)
    parts = mnist_parts(Dataset(x, y, source="bars"), guard=50, seed=0)
    assert len(parts.check_x) == 100  # the last sixth
    assert np.array_equal(parts.check_x, x[500:])
    assert (len(parts.guard_x), len(parts.replay_x)) == (50, 450)
    assert "validation part (last 100)" in parts.check_source
    with_test = Dataset(x[:500], y[:500], x[500:], y[500:], source="bars")
    parts = mnist_parts(with_test, guard=50, seed=0)
    assert len(parts.check_x) == 100 and len(parts.replay_x) == 450
    assert "test part" in parts.check_source


def test_the_check_set_is_what_the_evaluate_rule_picks() -> None:
    x, y = bars(600, 0, vertical=False)
    data = Dataset(x, y, source="bars")
    parts = mnist_parts(data, guard=50, seed=0)
    measured = images_to_measure(data, keep_rest=True)
    assert np.array_equal(parts.check_x, measured.x)
    assert np.array_equal(parts.check_x, images_to_measure(data, validation=1 / 6).x)


def test_the_runs_recipe_of_a_fine_tuning_plans_its_epochs() -> None:
    config = with_config(FinetuneConfig(), max_epochs=7, learning_rate=1e-3)
    recipe = finetune_recipe(TINY, config)
    assert recipe.train.epochs == 7 and recipe.train.learning_rate == 1e-3
    assert recipe.train.batch_size == config.mine_per_batch + config.replay_per_batch
    assert recipe.architecture.hidden == TINY.architecture.hidden
    assert recipe.architecture.augmentation == config.augmentation


@pytest.mark.parametrize(
    "changes",
    [{"learning_rate": 0.0}, {"l2sp": -1.0}, {"holdout": 1.0}, {"max_epochs": 0}],
)
def test_bad_settings_are_refused(changes) -> None:
    with pytest.raises(ValueError):
        with_config(FinetuneConfig(), **changes)


# -- with TensorFlow (slow) -----------------------------------------------------------

TINY = Recipe(
    Architecture(hidden=(32,)),
    TrainConfig(epochs=4, batch_size=32, validation_split=0.0, learning_rate=5e-3),
)
FAST = FinetuneConfig(
    learning_rate=3e-3, max_epochs=8, patience=3, l2sp=0.001, guard_images=60
)


@pytest.fixture(scope="module")
def replay() -> Dataset:
    x, y = bars(600, 1, vertical=False)
    return Dataset(x, y, source="horizontal bars")


@pytest.fixture(scope="module")
def start(replay: Dataset) -> TrainedModel:
    from nnpad.core.model.keras_bridge import to_network
    from nnpad.core.training.trainer import Trainer

    result = Trainer(TINY, replay, steps_per_execution=1).run()
    return TrainedModel(TINY, to_network(result.keras_model, TINY.architecture), {})


@pytest.fixture(scope="module")
def mine() -> tuple[np.ndarray, np.ndarray]:
    return bars(100, 2, vertical=True)


class Recorder(RecordingListener):
    """Records, and stops ``tuner`` in the first batch of ``stop_at_epoch``."""

    def __init__(self, stop_at_epoch: int | None = None, tuner=None) -> None:
        super().__init__()
        self.stop_at_epoch, self.tuner = stop_at_epoch, tuner

    def batch(self, progress) -> None:
        super().batch(progress)
        if progress.epoch == self.stop_at_epoch:
            self.tuner.stop()


@pytest.fixture(scope="module")
def tuned(start, mine, replay):
    recorder = Recorder()
    tuner = FineTuner(
        start, *mine, replay, config=FAST, report_interval=0, snapshot_interval=1e-9
    )
    return tuner.run(recorder), recorder


@pytest.mark.slow
def test_it_learns_my_samples_and_keeps_the_replayed_data(tuned, start) -> None:
    result, _ = tuned
    assert result.status == "finished"
    assert (result.train_samples, result.held_out) == (70, 30)
    assert result.mine_before.accuracy < 0.5
    assert result.mine_after.accuracy >= 0.9
    # The old task stays within 5 points of where it was.
    assert result.mnist_before.accuracy >= 0.9
    assert result.mnist_after.accuracy >= result.mnist_before.accuracy - 0.05
    assert result.best_epoch >= 1
    assert result.val_accuracy == result.mnist_after.accuracy
    assert result.val_accuracy_before == result.mnist_before.accuracy
    # The model keeps its starting calibration, and is measured with it.
    assert result.thresholds == start.thresholds


@pytest.mark.slow
def test_it_reports_like_the_trainer(tuned) -> None:
    result, recorder = tuned
    assert recorder.events[0][0] == "started"
    info = recorder.of("started")[0]
    assert (info.train_samples, info.batches_per_epoch) == (70, 10)
    # The epochs it plans are the runs table's and the progress bar's figure.
    assert info.epochs == FAST.max_epochs == finetune_recipe(TINY, FAST).train.epochs
    assert {b.epochs for b in recorder.of("batch")} == {FAST.max_epochs}
    epochs = recorder.of("epoch")
    assert [e.epoch for e in epochs] == list(range(len(result.epochs)))
    assert all(e.val_accuracy is not None and e.val_loss > 0 for e in epochs)
    batches = recorder.of("batch")
    assert len(batches) == 10 * len(epochs)
    assert batches[-1].batch == 10 and batches[-1].samples_per_second > 0
    assert len(recorder.of("snapshot")) >= len(epochs)
    # The model handed back is the NumPy network's twin, in the starting recipe.
    x = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    keras_out = np.asarray(result.keras_model(x, training=False))
    assert np.allclose(keras_out, result.network.predict(x), atol=1e-5)
    assert result.recipe == TINY


@pytest.mark.slow
def test_a_stop_request_ends_it_and_keeps_the_best_whole_epoch(
    start, mine, replay
) -> None:
    # Every batch reported: with the default interval, a fast epoch may report none.
    tuner = FineTuner(
        start, *mine, replay, config=with_config(FAST, patience=8), report_interval=0
    )
    recorder = Recorder(stop_at_epoch=2, tuner=tuner)
    result = tuner.run(recorder)
    assert result.status == "stopped"
    assert len(result.epochs) == 2 and result.keras_model is not None
    assert result.mine_after is not None

    early = FineTuner(start, *mine, replay, config=FAST)
    early.stop()
    result = early.run(Recorder())
    assert result.status == "stopped" and result.keras_model is None


@pytest.mark.slow
def test_l2sp_keeps_the_weights_near_the_start(start, mine, replay) -> None:
    def distance(l2sp: float) -> float:
        config = with_config(FAST, l2sp=l2sp, patience=8, max_epochs=3, guard_weight=0)
        network = FineTuner(start, *mine, replay, config=config).run().network
        return sum(
            float(((a.kernel - b.kernel) ** 2).sum())
            for a, b in zip(network.blocks, start.network.blocks, strict=True)
        )

    assert distance(1.0) < 0.5 * distance(0.0)


@pytest.mark.slow
def test_a_saved_fine_tuned_model_loads_with_its_figures(tuned, tmp_path) -> None:
    from nnpad.core.training.finetune import save_finetuned

    result, _ = tuned
    path = save_finetuned(
        result, tmp_path / "tuned.keras", started_from="tiny", samples_per_digit={1: 3}
    )
    loaded = read_model(path)
    meta = loaded.metadata["finetuned"]
    assert meta["samples"] == 3 and meta["from"] == "tiny"
    assert meta["settings"]["l2sp"] == FAST.l2sp
    assert meta["mine_after"]["accuracy"] == result.mine_after.accuracy
    assert len(meta["mnist_before"]["per_digit"]) == 10
    assert loaded.val_accuracy == pytest.approx(result.mnist_after.accuracy)
    assert "fine-tuned" in loaded.metadata["trained_on"]
    assert np.allclose(loaded.network.blocks[0].kernel, result.network.blocks[0].kernel)

"""The fine-tuning loop itself: importing this module imports TensorFlow.

A plain loop around one compiled step, rather than ``model.fit``: each step mixes
my samples with replayed MNIST in one batch and adds the L2-SP penalty, and the
loop checks a stop request before every step (a few milliseconds apart). See
:mod:`nnpad.core.training.finetune` for what it does and why.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.model.keras_bridge import from_network, to_network
from nnpad.core.model.network import Network
from nnpad.core.progress import BatchProgress, EpochResult, Status, TrainingStarted

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.progress import TrainingListener
    from nnpad.core.training.finetune import FineTuner, MnistParts

keras = tf_env.keras()
import tensorflow as tf  # noqa: E402  (after tf_env has set the environment)

# An epoch must lower the criterion by more than this to count as better.
MIN_IMPROVEMENT = 1e-4


@dataclass
class LoopOutcome:
    """How the loop ended and the best weights found (None without a whole epoch)."""

    status: Status
    message: str = ""
    epochs: list[EpochResult] = field(default_factory=list)
    best_epoch: int = 0
    model: Any = None  # keras.Model with the starting model's architecture
    network: Network | None = None


def train_loop(
    tuner: FineTuner,
    mine_x: np.ndarray,
    mine_y: np.ndarray,
    parts: MnistParts,
    criterion: Callable[[Network], tuple[float, float | None]],
    listener: TrainingListener,
    held_out: int,
) -> LoopOutcome:
    """Run the epochs; keep the weights with the lowest ``criterion``."""
    cfg = tuner.config
    if tuner.threads:
        _limit_threads(tuner.threads)
    keras.utils.set_random_seed(cfg.seed)
    spec = tuner.start.recipe.architecture
    # The starting weights in an architecture with the fine-tuning's augmentation.
    start = tuner.start.network
    model = from_network(
        Network(
            replace(spec, augmentation=cfg.augmentation), start.blocks, start.features
        )
    )
    step = _make_step(model, cfg.learning_rate, cfg.l2sp, cfg.mine_per_batch)
    rng = np.random.default_rng(cfg.seed)
    m, r = cfg.mine_per_batch, cfg.replay_per_batch
    steps = max(cfg.min_steps_per_epoch, math.ceil(len(mine_x) / m))
    mine = mine_x.astype(np.float32) / np.float32(255.0)
    labels = np.concatenate([np.zeros(m, np.int32), np.zeros(r, np.int32)])
    best, _ = criterion(tuner.start.network)
    best_weights = model.get_weights()
    outcome = LoopOutcome("finished")
    listener.started(TrainingStarted(cfg.max_epochs, steps, len(mine_x), held_out))
    clock = _Clock(tuner, steps, m + r)
    for epoch in range(cfg.max_epochs):
        order = _cycled(rng, len(mine_x), steps * m)
        losses, hits = [], []
        for batch in range(steps):
            if tuner.stop_requested:
                outcome.status, outcome.message = "stopped", "stopped"
                break
            pick = order[batch * m : (batch + 1) * m]
            replay = rng.integers(0, len(parts.replay_x), r)
            x = np.concatenate(
                [mine[pick], parts.replay_x[replay].astype(np.float32) / 255.0]
            )
            labels[:m], labels[m:] = mine_y[pick], parts.replay_y[replay]
            loss, hit = (float(v) for v in step(x, labels))
            if not math.isfinite(loss):
                outcome.status = "nan"
                outcome.message = (
                    f"the loss became {loss} in epoch {epoch + 1}; the best weights"
                    " so far were kept (try a smaller learning rate)"
                )
                break
            losses.append(loss)
            hits.append(hit)
            clock.batch(listener, epoch, batch + 1, losses, hits, model, spec)
        if outcome.status != "finished":
            break
        network = to_network(model, spec)
        value, held_accuracy = criterion(network)
        result = EpochResult(
            epoch, float(np.mean(losses)), float(np.mean(hits)), value, held_accuracy
        )
        outcome.epochs.append(result)
        listener.epoch(result)
        if tuner.snapshot_interval:
            listener.snapshot(network)
        if value < best - MIN_IMPROVEMENT:
            best, outcome.best_epoch = value, epoch + 1
            best_weights = model.get_weights()
        elif epoch + 1 - outcome.best_epoch >= cfg.patience:
            outcome.message = (
                f"stopped early after epoch {epoch + 1}: epoch"
                f" {outcome.best_epoch} was best"
            )
            break
    if not outcome.epochs:
        return outcome
    if outcome.best_epoch == 0 and outcome.status == "finished":
        outcome.message = (
            "no epoch did better than the starting model on the held-out samples"
            " and MNIST together, so it is returned unchanged"
        )
    model.set_weights(best_weights)
    outcome.network = to_network(model, spec)
    outcome.model = from_network(outcome.network)
    return outcome


def _make_step(model: Any, learning_rate: float, l2sp: float, mine: int) -> Any:
    """One compiled training step on a batch of ``mine`` samples then replay."""
    variables = model.trainable_variables
    anchors = [tf.constant(v.numpy()) for v in variables]
    optimizer = keras.optimizers.Adam(learning_rate)
    # Built here, not on the first call: creating variables inside the compiled
    # step makes TensorFlow trace it twice (seconds).
    optimizer.build(variables)
    strength = tf.constant(l2sp, tf.float32)

    @tf.function
    def step(x: Any, y: Any) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            p = model(x, training=True)
            each = keras.losses.sparse_categorical_crossentropy(y, p)
            # My samples and the replay weigh the same, whatever their numbers.
            loss = tf.reduce_mean(each[:mine])
            if x.shape[0] > mine:
                loss += tf.reduce_mean(each[mine:])
            penalty = tf.add_n(
                [
                    tf.reduce_sum(tf.square(v - a))
                    for v, a in zip(variables, anchors, strict=True)
                ]
            )
            total = loss + strength * penalty
        optimizer.apply(tape.gradient(total, variables), variables)
        guess = tf.argmax(p[:mine], axis=-1, output_type=tf.int32)
        return total, tf.reduce_mean(tf.cast(tf.equal(guess, y[:mine]), tf.float32))

    return step


def _cycled(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    """``length`` indices that visit all of ``0..n-1`` in turn, each round shuffled."""
    rounds = math.ceil(length / n)
    return np.concatenate([rng.permutation(n) for _ in range(rounds)])[:length]


class _Clock:
    """Throttled batch reports, timed snapshots, and the rate and ETA."""

    def __init__(self, tuner: FineTuner, steps: int, batch_size: int) -> None:
        self.tuner = tuner
        self.steps = steps
        self.batch_size = batch_size
        self.start = self.last_report = self.last_snapshot = time.perf_counter()
        self.done = 0

    def batch(
        self,
        listener: TrainingListener,
        epoch: int,
        batch: int,
        losses: list[float],
        hits: list[float],
        model: Any,
        spec: Any,
    ) -> None:
        self.done += 1
        now = time.perf_counter()
        epochs = self.tuner.config.max_epochs
        if now - self.last_report >= self.tuner.report_interval or batch == self.steps:
            self.last_report = now
            rate = self.done / max(now - self.start, 1e-9)
            remaining = epochs * self.steps - self.done
            listener.batch(
                BatchProgress(
                    epoch=epoch,
                    batch=batch,
                    batches_per_epoch=self.steps,
                    epochs=epochs,
                    loss=float(np.mean(losses)),
                    accuracy=float(np.mean(hits)),
                    samples_per_second=rate * self.batch_size,
                    eta_seconds=remaining / rate,
                )
            )
        interval = self.tuner.snapshot_interval
        if interval and now - self.last_snapshot >= interval:
            self.last_snapshot = now
            listener.snapshot(to_network(model, spec))


def _limit_threads(threads: int) -> None:
    """Cap TensorFlow's thread pools (no effect once its runtime has started)."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass

"""The fine-tuning loop itself: importing this module imports TensorFlow.

A plain loop around one compiled step, rather than ``model.fit``: each step mixes
my samples with replayed MNIST in one batch and adds the L2-SP penalty, and the
loop checks a stop request before every step (a few milliseconds apart). See
:mod:`nnpad.core.training.finetune` for what it does and why.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.model.keras_bridge import from_network, to_network
from nnpad.core.model.network import Network
from nnpad.core.progress import BatchProgress, EpochResult, Status, TrainingStarted

if TYPE_CHECKING:
    from nnpad.core.progress import TrainingListener
    from nnpad.core.recipe.spec import Architecture
    from nnpad.core.training.finetune_config import FinetuneConfig

keras = tf_env.keras()
import tensorflow as tf  # noqa: E402  (after tf_env has set the environment)

# An epoch must lower the criterion by more than this to count as better.
MIN_IMPROVEMENT = 1e-4

Criterion = Callable[[Network], tuple[float, float | None]]


@dataclass(frozen=True, eq=False)
class LoopPlan:
    """Everything the loop needs, given explicitly (the fine-tuner builds it).

    ``criterion(network)`` gives the stopping criterion (lower is better) and the
    accuracy on my held-out samples; ``stop_requested()`` is checked before every
    step.
    """

    start: Network
    spec: Architecture  # the starting model's (the result keeps it)
    config: FinetuneConfig
    mine_x: np.ndarray  # uint8 (n, 28, 28): my samples to train on
    mine_y: np.ndarray
    replay_x: np.ndarray  # uint8 MNIST images replayed in every batch
    replay_y: np.ndarray
    held_out: int  # how many of my samples are held out (for the report)
    criterion: Criterion
    stop_requested: Callable[[], bool]
    report_interval: float = 0.05
    snapshot_interval: float = 0.0
    threads: int | None = None

    @property
    def steps(self) -> int:
        """Steps per epoch: at least one pass over my samples."""
        cfg = self.config
        return max(
            cfg.min_steps_per_epoch, math.ceil(len(self.mine_x) / cfg.mine_per_batch)
        )


@dataclass
class LoopOutcome:
    """How the loop ended and the best weights found (None without a whole epoch)."""

    status: Status
    message: str = ""
    epochs: list[EpochResult] = field(default_factory=list)
    best_epoch: int = 0
    model: Any = None  # keras.Model with the starting model's architecture
    network: Network | None = None


def train_loop(plan: LoopPlan, listener: TrainingListener) -> LoopOutcome:
    """Run the epochs; keep the weights with the lowest criterion."""
    cfg = plan.config
    if plan.threads:
        _limit_threads(plan.threads)
    keras.utils.set_random_seed(cfg.seed)
    # The starting weights in an architecture with the fine-tuning's augmentation.
    start = plan.start
    augmented = replace(plan.spec, augmentation=cfg.augmentation)
    model = from_network(Network(augmented, list(start.blocks), start.features))
    step = _make_step(model, cfg.learning_rate, cfg.l2sp, cfg.mine_per_batch)
    best, _ = plan.criterion(plan.start)
    best_weights = model.get_weights()
    outcome = LoopOutcome("finished")
    listener.started(
        TrainingStarted(cfg.max_epochs, plan.steps, len(plan.mine_x), plan.held_out)
    )
    epochs = _Epochs(plan, model, step, listener)
    for epoch in range(cfg.max_epochs):
        losses, hits = epochs.train(epoch, outcome)
        if outcome.status != "finished":
            break
        network = to_network(model, plan.spec)
        value, held_accuracy = plan.criterion(network)
        result = EpochResult(
            epoch, float(np.mean(losses)), float(np.mean(hits)), value, held_accuracy
        )
        outcome.epochs.append(result)
        listener.epoch(result)
        if plan.snapshot_interval:
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
    outcome.network = to_network(model, plan.spec)
    outcome.model = from_network(outcome.network)
    return outcome


class _Epochs:
    """The steps of one epoch: my samples and replayed MNIST in every batch."""

    def __init__(
        self, plan: LoopPlan, model: Any, step: Any, listener: TrainingListener
    ) -> None:
        self.plan, self.model, self.step, self.listener = plan, model, step, listener
        cfg = plan.config
        self.rng = np.random.default_rng(cfg.seed)
        self.m, self.r = cfg.mine_per_batch, cfg.replay_per_batch
        self.mine = plan.mine_x.astype(np.float32) / np.float32(255.0)
        self.labels = np.zeros(self.m + self.r, np.int32)
        self.clock = _Clock(plan, self.m + self.r)

    def train(
        self, epoch: int, outcome: LoopOutcome
    ) -> tuple[list[float], list[float]]:
        """Train one epoch; a stop or a NaN is written into ``outcome``."""
        plan, m, r = self.plan, self.m, self.r
        order = _cycled(self.rng, len(self.mine), plan.steps * m)
        losses: list[float] = []
        hits: list[float] = []
        for batch in range(plan.steps):
            if plan.stop_requested():
                outcome.status, outcome.message = "stopped", "stopped"
                break
            pick = order[batch * m : (batch + 1) * m]
            replay = self.rng.integers(0, len(plan.replay_x), r)
            x = np.concatenate(
                [self.mine[pick], plan.replay_x[replay].astype(np.float32) / 255.0]
            )
            self.labels[:m], self.labels[m:] = plan.mine_y[pick], plan.replay_y[replay]
            loss, hit = (float(v) for v in self.step(x, self.labels))
            if not math.isfinite(loss):
                outcome.status = "nan"
                outcome.message = (
                    f"the loss became {loss} in epoch {epoch + 1}; the best weights"
                    " so far were kept (try a smaller learning rate)"
                )
                break
            losses.append(loss)
            hits.append(hit)
            self.clock.batch(self.listener, epoch, batch + 1, losses, hits, self.model)
        return losses, hits


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

    def __init__(self, plan: LoopPlan, batch_size: int) -> None:
        self.plan = plan
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
    ) -> None:
        self.done += 1
        now = time.perf_counter()
        plan = self.plan
        steps, epochs = plan.steps, plan.config.max_epochs
        if now - self.last_report >= plan.report_interval or batch == steps:
            self.last_report = now
            rate = self.done / max(now - self.start, 1e-9)
            remaining = epochs * steps - self.done
            listener.batch(
                BatchProgress(
                    epoch=epoch,
                    batch=batch,
                    batches_per_epoch=steps,
                    epochs=epochs,
                    loss=float(np.mean(losses)),
                    accuracy=float(np.mean(hits)),
                    samples_per_second=rate * self.batch_size,
                    eta_seconds=remaining / rate,
                )
            )
        interval = plan.snapshot_interval
        if interval and now - self.last_snapshot >= interval:
            self.last_snapshot = now
            listener.snapshot(to_network(model, plan.spec))


def _limit_threads(threads: int) -> None:
    """Cap TensorFlow's thread pools (no effect once its runtime has started)."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass

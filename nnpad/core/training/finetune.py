"""Fine-tune a model on my samples without making it forget MNIST.

What keeps it from forgetting, each measured in ``tests/benchmarks/bench_finetune.py``:

- **replay**: every batch holds ``mine_per_batch`` of my samples and
  ``replay_per_batch`` MNIST images, and the loss weighs the two parts equally;
- **L2-SP**: ``l2sp`` times the sum of squared differences between the weights and
  the starting model's (Li et al., "Explicit inductive bias for transfer learning
  with convolutional networks", 2018) keeps the network near where it started;
- a low learning rate (Adam) and few epochs, with early stopping on a criterion
  that adds the loss on my held-out samples and on 1000 MNIST images set apart
  from the replay (so an epoch that gains a little on mine and loses more on MNIST
  is not chosen); the best epoch's weights are kept, the starting ones included.

Light augmentation (rotation, shift, zoom) stretches the few samples a person
draws. A stratified part of my samples is held out: ``holdout`` of each digit,
rounded, only for digits with at least ``min_for_holdout`` samples (with two
drawings of a digit, holding one out would halve what it learns from, and one
drawing says little), and at least one always stays to train on.

The fine-tuner has the trainer's surface (``run(listener)``, ``stop()``) and reports
through :class:`~nnpad.core.progress.TrainingListener`, so the window can run it in
its training thread with live charts. This module imports Keras only inside
:meth:`FineTuner.run`.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core.data import Dataset, split_validation
from nnpad.core.evaluation import Evaluation, evaluate
from nnpad.core.progress import (
    SilentListener,
    Stoppable,
    TrainingListener,
    TrainResult,
)
from nnpad.core.spec import NUM_CLASSES, Augmentation

if TYPE_CHECKING:
    from pathlib import Path

    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel


@dataclass(frozen=True)
class FinetuneConfig:
    """How to fine-tune; the defaults were chosen by measurement (see the README)."""

    learning_rate: float = 3e-4
    max_epochs: int = 15
    patience: int = 4  # epochs without a better criterion before stopping
    min_steps_per_epoch: int = 10  # an epoch passes over my samples at least once
    mine_per_batch: int = 16
    replay_per_batch: int = 48
    l2sp: float = 0.1
    augmentation: Augmentation = field(
        default_factory=lambda: Augmentation(rotation=8.0, shift=2.0, zoom=0.1)
    )
    holdout: float = 0.25
    min_for_holdout: int = 3
    guard_images: int = 1000  # MNIST images of the stopping criterion, not replayed
    guard_weight: float = 1.0  # their loss's weight in it (0: my held-out part only)
    seed: int = 0

    def validate(self) -> FinetuneConfig:
        """Raise ValueError when a setting is out of range; return self."""
        if not 0 < self.learning_rate <= 0.1:
            raise ValueError("learning_rate must be in (0, 0.1]")
        if self.max_epochs < 1 or self.patience < 1 or self.min_steps_per_epoch < 1:
            raise ValueError(
                "max_epochs, patience and min_steps_per_epoch must be >= 1"
            )
        if self.mine_per_batch < 1 or self.replay_per_batch < 0:
            raise ValueError("mine_per_batch must be >= 1, replay_per_batch >= 0")
        if not (self.l2sp >= 0 and math.isfinite(self.l2sp)):
            raise ValueError("l2sp must be finite and >= 0")
        if not (self.guard_weight >= 0 and math.isfinite(self.guard_weight)):
            raise ValueError("guard_weight must be finite and >= 0")
        if not 0 <= self.holdout < 1:
            raise ValueError("holdout must be in [0, 1)")
        self.augmentation.validate()
        return self


@dataclass
class FinetuneResult(TrainResult):
    """A training result (the trainer's fields) plus the before/after figures.

    ``mine_*`` are on my held-out samples (None when none were held out) and
    ``mnist_*`` on the MNIST check images (``check_source`` says which).
    """

    mine_before: Evaluation | None = None
    mine_after: Evaluation | None = None
    mnist_before: Evaluation | None = None
    mnist_after: Evaluation | None = None
    train_samples: int = 0
    held_out: int = 0
    best_epoch: int = 0  # 0: the starting model was best
    replay_source: str = ""
    check_source: str = ""
    settings: dict[str, Any] = field(default_factory=dict)  # the FinetuneConfig

    @property
    def val_accuracy(self) -> float | None:
        """MNIST check accuracy of the model returned (what the window compares)."""
        after = self.mnist_after
        return None if after is None or self.network is None else after.accuracy

    def figures(self) -> dict[str, Any]:
        """Before/after figures as plain JSON data (saved in the model's metadata)."""

        def part(evaluation: Evaluation | None) -> dict[str, Any] | None:
            if evaluation is None:
                return None
            return {
                "accuracy": evaluation.accuracy,
                "per_digit": evaluation.per_class,
                "samples": evaluation.samples,
            }

        return {
            "mine_before": part(self.mine_before),
            "mine_after": part(self.mine_after),
            "mnist_before": part(self.mnist_before),
            "mnist_after": part(self.mnist_after),
        }


def split_held_out(
    labels: np.ndarray, fraction: float, seed: int, min_for_holdout: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Indices to train on and to hold out, stratified by digit (see module doc)."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for digit in range(NUM_CLASSES):
        (where,) = np.nonzero(labels == digit)
        where = rng.permutation(where)
        n = len(where)
        k = int(n * fraction + 0.5) if n >= min_for_holdout else 0
        k = min(max(k, 1 if n >= min_for_holdout and fraction > 0 else 0), n - 1)
        held.append(where[:k])
        train.append(where[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


@dataclass(frozen=True, eq=False)
class MnistParts:
    """MNIST split three ways: replayed, the stopping guard, and the reported check."""

    replay_x: np.ndarray
    replay_y: np.ndarray
    guard_x: np.ndarray
    guard_y: np.ndarray
    check_x: np.ndarray
    check_y: np.ndarray
    check_source: str


def mnist_parts(data: Dataset, guard: int, seed: int) -> MnistParts:
    """Split ``data``: its test images (else its last sixth) are the check set.

    For the MNIST training file the last sixth is the classic validation split the
    shipped model never trained on; the shipped sample was drawn from the images it
    trained on, so its check figures show forgetting, not generalisation.
    """
    if data.x_test is not None and data.y_test is not None:
        pool_x, pool_y = data.x_train, data.y_train
        check_x, check_y = data.x_test, data.y_test
        where = "test images"
    else:
        pool_x, pool_y, check_x, check_y = split_validation(
            data.x_train, data.y_train, 1 / 6
        )
        where = "last sixth"
    order = np.random.default_rng(seed).permutation(len(pool_x))
    guard = min(guard, len(pool_x) // 5)
    g, r = order[:guard], order[guard:]
    source = f"{data.source or 'MNIST'}: {where} ({len(check_x)} images)"
    return MnistParts(
        pool_x[r], pool_y[r], pool_x[g], pool_y[g], check_x, check_y, source
    )


def _cross_entropy(network: Network, x: np.ndarray, y: np.ndarray) -> float:
    if not len(x):
        return 0.0
    p = network.predict(x.astype(np.float32) / np.float32(255.0))
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1.0))))


class FineTuner(Stoppable):
    """Fine-tune ``start`` on my samples, replaying ``replay``; ``stop()`` any time.

    Parameters
    ----------
    start
        The model to start from (:func:`nnpad.core.model.store.load`).
    images, labels
        My samples: uint8 ``(N, 28, 28)`` white on black, and their digits.
    replay
        MNIST images to replay (the shipped sample, a local file...).
    config
        Settings (:class:`FinetuneConfig`).
    report_interval, snapshot_interval, threads
        As for :class:`nnpad.core.training.Trainer`.

    Listeners get the trainer's reports: an epoch's ``loss`` is the training loss
    (my part plus the replayed part plus the L2-SP term) and its ``accuracy`` that
    on my augmented training samples; ``val_loss`` is the stopping criterion and
    ``val_accuracy`` the accuracy on my held-out samples (None without any).
    """

    def __init__(
        self,
        start: TrainedModel,
        images: np.ndarray,
        labels: np.ndarray,
        replay: Dataset,
        *,
        config: FinetuneConfig | None = None,
        report_interval: float = 0.05,
        snapshot_interval: float = 0.0,
        threads: int | None = None,
    ) -> None:
        if len(images) != len(labels) or not len(images):
            raise ValueError("fine-tuning needs samples, with one label each")
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() > 9:
            raise ValueError("sample labels must be digits 0-9")
        self.start = start
        self.images = np.asarray(images, dtype=np.uint8)
        self.labels = labels.astype(np.int64)
        self.replay = replay
        self.config = (config or FinetuneConfig()).validate()
        self.report_interval = report_interval
        self.snapshot_interval = snapshot_interval
        self.threads = threads
        super().__init__()

    def run(self, listener: TrainingListener | None = None) -> FinetuneResult:
        """Fine-tune and return the result with before/after figures."""
        from nnpad.core.training.finetune_loop import train_loop

        listener = listener or SilentListener()
        started = time.perf_counter()
        cfg = self.config
        recipe = self.start.recipe
        train_idx, held_idx = split_held_out(
            self.labels, cfg.holdout, cfg.seed, cfg.min_for_holdout
        )
        parts = mnist_parts(self.replay, cfg.guard_images, cfg.seed)
        held_x, held_y = self.images[held_idx], self.labels[held_idx]
        network = self.start.network
        result = FinetuneResult(
            "stopped",
            recipe,
            train_samples=len(train_idx),
            held_out=len(held_idx),
            replay_source=self.replay.source,
            check_source=parts.check_source,
            settings=asdict(cfg),
            mine_before=evaluate(network, held_x, held_y) if len(held_x) else None,
            mnist_before=evaluate(network, parts.check_x, parts.check_y),
        )
        if self.stop_requested:
            result.message = "stopped before start"
            return result
        mine_x, mine_y = self.images[train_idx], self.labels[train_idx]
        # Without held-out samples, the training samples stand in (un-augmented).
        crit_x, crit_y = (held_x, held_y) if len(held_x) else (mine_x, mine_y)

        def criterion(net: Network) -> tuple[float, float | None]:
            value = _cross_entropy(net, crit_x, crit_y)
            if cfg.guard_weight:
                guard = _cross_entropy(net, parts.guard_x, parts.guard_y)
                value += cfg.guard_weight * guard
            held = evaluate(net, held_x, held_y).accuracy if len(held_x) else None
            return value, held

        outcome = train_loop(
            self, mine_x, mine_y, parts, criterion, listener, len(held_x)
        )
        result.status = outcome.status
        result.message = outcome.message
        result.epochs = outcome.epochs
        result.best_epoch = outcome.best_epoch
        if outcome.network is not None:
            final = outcome.network
            result.network = final
            result.keras_model = outcome.model
            result.mine_after = evaluate(final, held_x, held_y) if len(held_x) else None
            result.mnist_after = evaluate(final, parts.check_x, parts.check_y)
        result.seconds = time.perf_counter() - started
        return result


def start_description(start: TrainedModel) -> str:
    """A short name for the starting model, for metadata."""
    return str(start.metadata.get("trained_on") or start.recipe.architecture.describe())


def save_finetuned(
    result: FinetuneResult,
    path: str | Path,
    *,
    started_from: str,
    samples_per_digit: dict[int, int],
) -> Path:
    """Save a fine-tuned model (atomic) with what it was tuned on and its figures."""
    from nnpad.core.model import store

    total = sum(samples_per_digit.values())
    return store.save(
        result,
        path,
        trained_on=f"fine-tuned on {total} of my samples from {started_from}",
        extra={
            "finetuned": {
                "from": started_from,
                "samples": total,
                "samples_per_digit": {str(d): n for d, n in samples_per_digit.items()},
                "train_samples": result.train_samples,
                "held_out": result.held_out,
                "replayed": result.replay_source,
                "checked_on": result.check_source,
                "best_epoch": result.best_epoch,
                "seconds": round(result.seconds, 1),
                "settings": result.settings,
                **result.figures(),
            },
        },
    )


def with_config(config: FinetuneConfig, **changes: Any) -> FinetuneConfig:
    """A validated copy with some settings replaced."""
    return replace(config, **changes).validate()

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

import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core.measure.evaluation import (
    Evaluation,
    evaluate,
    images_to_measure,
    measure,
)
from nnpad.core.progress import (
    SilentListener,
    Stoppable,
    TrainingListener,
    TrainResult,
)
from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.core.training.finetune_config import (
    FinetuneConfig,
    finetune_recipe,
    with_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from nnpad.core.data import Dataset
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel


__all__ = [
    "FineTuner",
    "FinetuneConfig",
    "FinetuneResult",
    "MnistParts",
    "finetune_recipe",
    "mnist_parts",
    "save_finetuned",
    "split_held_out",
    "start_description",
    "with_config",
]


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
        """MNIST check accuracy of the model returned (what the window compares).

        Not my held-out samples' (a handful, and read by the stopping criterion):
        the MNIST check images say whether it still reads digits as well.
        """
        after = self.mnist_after
        return None if after is None or self.network is None else after.accuracy

    @property
    def val_accuracy_before(self) -> float | None:
        """The starting model's accuracy on the same MNIST check images."""
        before = self.mnist_before
        return None if before is None else before.accuracy

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
    """Split ``data``: the check set is what :func:`images_to_measure` picks.

    Its test images, else its last :data:`VALIDATION_PART` (the replay needs the
    rest). For the MNIST training file that is the classic validation split the
    shipped model never trained on; the shipped sample was drawn from the images it
    trained on, so its check figures show forgetting, not generalisation.
    """
    check = images_to_measure(data, keep_rest=True)
    pool_x, pool_y = check.rest_x, check.rest_y
    order = np.random.default_rng(seed).permutation(len(pool_x))
    guard = min(guard, len(pool_x) // 5)
    g, r = order[:guard], order[guard:]
    source = f"{check.describe()} ({len(check.y)} images)"
    return MnistParts(
        pool_x[r], pool_y[r], pool_x[g], pool_y[g], check.x, check.y, source
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
        """Fine-tune and return the result with before/after figures.

        Every figure is measured with :func:`measure`, at the starting model's
        temperature: the fine-tuned model keeps its calibration (its thresholds),
        since fine-tuning moves the weights only a little.
        """
        from nnpad.core.training.finetune_loop import LoopPlan, train_loop

        started = time.perf_counter()
        cfg = self.config
        train_idx, held_idx = split_held_out(
            self.labels, cfg.holdout, cfg.seed, cfg.min_for_holdout
        )
        parts = mnist_parts(self.replay, cfg.guard_images, cfg.seed)
        held_x, held_y = self.images[held_idx], self.labels[held_idx]
        result = FinetuneResult(
            "stopped",
            self.start.recipe,
            thresholds=self.start.thresholds,
            train_samples=len(train_idx),
            held_out=len(held_idx),
            replay_source=self.replay.source,
            check_source=parts.check_source,
            settings=asdict(cfg),
            mine_before=_measured(self.start, held_x, held_y),
            mnist_before=measure(self.start, parts.check_x, parts.check_y),
        )
        if self.stop_requested:
            result.message = "stopped before start"
            return result
        plan = LoopPlan(
            start=self.start.network,
            spec=self.start.recipe.architecture,
            config=cfg,
            mine_x=self.images[train_idx],
            mine_y=self.labels[train_idx],
            replay_x=parts.replay_x,
            replay_y=parts.replay_y,
            held_out=len(held_idx),
            criterion=self._criterion(parts, held_x, held_y, train_idx),
            stop_requested=lambda: self.stop_requested,
            report_interval=self.report_interval,
            snapshot_interval=self.snapshot_interval,
            threads=self.threads,
        )
        outcome = train_loop(plan, listener or SilentListener())
        result.status, result.message = outcome.status, outcome.message
        result.epochs, result.best_epoch = outcome.epochs, outcome.best_epoch
        if outcome.network is not None:
            tuned = replace(self.start, network=outcome.network)
            result.network, result.keras_model = outcome.network, outcome.model
            result.mine_after = _measured(tuned, held_x, held_y)
            result.mnist_after = measure(tuned, parts.check_x, parts.check_y)
        result.seconds = time.perf_counter() - started
        return result

    def _criterion(
        self,
        parts: MnistParts,
        held_x: np.ndarray,
        held_y: np.ndarray,
        train_idx: np.ndarray,
    ) -> Callable[[Network], tuple[float, float | None]]:
        """The stopping criterion, and the accuracy on my held-out samples."""
        # Without held-out samples, the training samples stand in (un-augmented).
        if len(held_x):
            crit_x, crit_y = held_x, held_y
        else:
            crit_x, crit_y = self.images[train_idx], self.labels[train_idx]
        weight = self.config.guard_weight

        def criterion(net: Network) -> tuple[float, float | None]:
            value = _cross_entropy(net, crit_x, crit_y)
            if weight:
                value += weight * _cross_entropy(net, parts.guard_x, parts.guard_y)
            held = evaluate(net, held_x, held_y).accuracy if len(held_x) else None
            return value, held

        return criterion


def _measured(
    model: TrainedModel, images: np.ndarray, labels: np.ndarray
) -> Evaluation | None:
    """``measure`` for my held-out samples, None when none were held out."""
    return measure(model, images, labels) if len(images) else None


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

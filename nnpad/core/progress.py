"""What a training run reports: plain values a listener can pass between threads.

Kept apart from :mod:`nnpad.core.training` so that the window can use these types
without importing TensorFlow.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.model.network import Network
    from nnpad.core.reading.verdict import Thresholds
    from nnpad.core.recipe.spec import Recipe

Status = Literal["finished", "stopped", "nan"]


@dataclass(frozen=True)
class TrainingStarted:
    """What a run will do, sent once before the first batch."""

    epochs: int
    batches_per_epoch: int
    train_samples: int
    val_samples: int


@dataclass(frozen=True)
class BatchProgress:
    """Running figures within an epoch (Keras' running means)."""

    epoch: int  # 0-based
    batch: int  # batches done in this epoch
    batches_per_epoch: int
    epochs: int
    loss: float
    accuracy: float
    samples_per_second: float
    eta_seconds: float

    @property
    def fraction(self) -> float:
        """Share of the whole run done, 0..1."""
        done = self.epoch * self.batches_per_epoch + self.batch
        return min(1.0, done / max(1, self.epochs * self.batches_per_epoch))


@dataclass(frozen=True)
class EpochResult:
    """Figures at the end of an epoch."""

    epoch: int  # 0-based
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None


@dataclass
class TrainResult:
    """How a run ended, and the model it produced (None if nothing usable).

    ``keras_model`` is for saving; ``network`` is the same weights in NumPy, made in
    the training thread, for the window to use at once.
    """

    status: Status
    recipe: Recipe
    epochs: list[EpochResult] = field(default_factory=list)
    keras_model: Any = None  # keras.Model; Any keeps this module free of Keras
    network: Network | None = None
    message: str = ""
    seconds: float = 0.0
    best_epoch: int | None = None  # the lowest validation loss (None: no validation)
    restored_epoch: int | None = None  # whose weights were restored, if any
    thresholds: Thresholds | None = None  # fitted on the validation split

    @property
    def val_accuracy(self) -> float | None:
        """The validation accuracy of the model made: what is offered, kept, shown.

        For a training, that of the epoch whose weights the model holds.
        """
        kept = kept_epoch(self.epochs, self.restored_epoch)
        return None if kept is None else kept.val_accuracy

    @property
    def val_accuracy_before(self) -> float | None:
        """The same figure for the model it started from (None: it started afresh)."""
        return None


def kept_epoch(
    epochs: Sequence[EpochResult], restored_epoch: int | None
) -> EpochResult | None:
    """The epoch whose weights a run's model holds: the restored one, else the last."""
    if restored_epoch is not None:
        for result in epochs:
            if result.epoch == restored_epoch:
                return result
    return epochs[-1] if epochs else None


class TrainingListener(Protocol):
    """Receives progress; every method is called from the training thread."""

    def started(self, info: TrainingStarted) -> None:
        """Training is about to run its first batch."""

    def batch(self, progress: BatchProgress) -> None:
        """Running loss and accuracy (throttled)."""

    def epoch(self, result: EpochResult) -> None:
        """An epoch ended."""

    def snapshot(self, network: Network) -> None:
        """The weights as they are now, for live predictions."""


class SilentListener(TrainingListener):
    """A listener that ignores everything."""

    def started(self, info: TrainingStarted) -> None:  # noqa: D102
        return None

    def batch(self, progress: BatchProgress) -> None:  # noqa: D102
        return None

    def epoch(self, result: EpochResult) -> None:  # noqa: D102
        return None

    def snapshot(self, network: Network) -> None:  # noqa: D102
        return None


class Stoppable:
    """A long run that any thread may ask to stop; the run checks between steps."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the run to stop; safe from any thread, also before it starts."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()


def format_percent(share: float | None) -> str:
    """``0.98765`` -> ``"98.77%"``, the one way the window writes an accuracy."""
    return "—" if share is None or not math.isfinite(share) else f"{share:.2%}"


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1:15"``; hours when needed; ``"—"`` when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

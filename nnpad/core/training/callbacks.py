"""Small Keras callbacks, one job each, sharing how a run goes (:class:`RunState`).

Order matters: the stop and NaN guards run first, so that the epoch recorder knows
whether an epoch was cut short; reports and snapshots come after.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.model.keras_bridge import to_network
from nnpad.core.progress import BatchProgress, EpochResult

if TYPE_CHECKING:
    import threading

    from nnpad.core.progress import Status, TrainingListener
    from nnpad.core.recipe.spec import Architecture

keras = tf_env.keras()
Callback: Any = keras.callbacks.Callback  # Keras ships no types


@dataclass
class RunState:
    """How the run is going, written by the guards and read by the recorder."""

    status: Status = "finished"
    message: str = ""
    epoch: int = 0  # the epoch in progress, 0-based
    history: list[EpochResult] = field(default_factory=list)
    good_weights: list[np.ndarray] | None = None  # at the end of the last good epoch

    @property
    def healthy(self) -> bool:
        """Neither stopped nor diverged."""
        return self.status == "finished"


class StopOnRequest(Callback):
    """Stop between Keras executions (training and validation) once asked to."""

    def __init__(self, state: RunState, requested: threading.Event) -> None:
        super().__init__()
        self.state = state
        self.requested = requested

    def _check(self) -> None:
        if self.requested.is_set() and self.state.healthy:
            self.state.status, self.state.message = "stopped", "stopped"
        if self.requested.is_set():
            self.model.stop_training = True
            self.model.stop_evaluating = True

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.state.epoch = epoch
        self._check()

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._check()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._check()

    def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._check()


class StopOnNaN(Callback):
    """Stop when the loss stops being a number, saying so for people."""

    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.state = state

    def _check(self, logs: Any) -> None:
        loss = float((logs or {}).get("loss", math.nan))
        if math.isfinite(loss) or self.state.status == "nan":
            return
        self.state.status = "nan"
        self.state.message = (
            f"the loss became {loss} in epoch {self.state.epoch + 1}: training"
            " diverged (try a smaller learning rate); the last good weights were kept"
        )
        self.model.stop_training = True

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._check(logs)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self._check(logs)


class EpochRecorder(Callback):
    """Record each complete epoch, keep its weights and report it.

    An epoch cut short by a stop or a NaN is not recorded: its figures would mislead.
    """

    def __init__(self, state: RunState, listener: TrainingListener) -> None:
        super().__init__()
        self.state = state
        self.listener = listener

    def on_train_begin(self, logs: Any = None) -> None:
        self.state.good_weights = [np.array(w) for w in self.model.get_weights()]

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if not self.state.healthy:
            return
        logs = logs or {}
        result = EpochResult(
            epoch=epoch,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            val_loss=_optional(logs.get("val_loss")),
            val_accuracy=_optional(logs.get("val_accuracy")),
        )
        self.state.history.append(result)
        self.state.good_weights = [np.array(w) for w in self.model.get_weights()]
        self.listener.epoch(result)


class BatchReporter(Callback):
    """Report running loss and accuracy, at most every ``interval`` seconds."""

    def __init__(
        self,
        state: RunState,
        listener: TrainingListener,
        *,
        batches_per_epoch: int,
        epochs: int,
        batch_size: int,
        interval: float,
    ) -> None:
        super().__init__()
        self.state = state
        self.listener = listener
        self.batches_per_epoch = batches_per_epoch
        self.epochs = epochs
        self.batch_size = batch_size
        self.interval = interval
        self._last = 0.0
        self._start = time.perf_counter()

    def on_train_begin(self, logs: Any = None) -> None:
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if not self.state.healthy:
            return
        # With several steps per execution Keras reports the last step's index, and
        # the last execution of an epoch may hold fewer steps.
        done = min(batch + 1, self.batches_per_epoch)
        now = time.perf_counter()
        if now - self._last < self.interval and done < self.batches_per_epoch:
            return
        self._last = now
        logs = logs or {}
        total = self.state.epoch * self.batches_per_epoch + done
        rate = total / max(now - self._start, 1e-9)
        remaining = self.epochs * self.batches_per_epoch - total
        self.listener.batch(
            BatchProgress(
                epoch=self.state.epoch,
                batch=done,
                batches_per_epoch=self.batches_per_epoch,
                epochs=self.epochs,
                loss=float(logs.get("loss", math.nan)),
                accuracy=float(logs.get("accuracy", math.nan)),
                samples_per_second=rate * self.batch_size,
                eta_seconds=remaining / rate if rate > 0 else math.inf,
            )
        )


class SnapshotSender(Callback):
    """Send the weights as a NumPy network every ``interval`` s and at epoch ends."""

    def __init__(
        self,
        state: RunState,
        listener: TrainingListener,
        architecture: Architecture,
        interval: float,
    ) -> None:
        super().__init__()
        self.state = state
        self.listener = listener
        self.architecture = architecture
        self.interval = interval
        self._last = time.perf_counter()

    def _send(self) -> None:
        self._last = time.perf_counter()
        self.listener.snapshot(to_network(self.model, self.architecture))

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.state.healthy and time.perf_counter() - self._last >= self.interval:
            self._send()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if self.state.healthy:
            self._send()


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)

"""Train a spec on a dataset with Keras ``fit``, reporting progress to a listener.

Importing this module imports TensorFlow (8-10 s): the window imports it only when a
person clicks Train. The trainer owns its Keras model for the whole run and hands it
back at the end; listeners receive plain values and NumPy network snapshots, so they
can be called from the training thread and forwarded anywhere.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.data import Dataset, split_validation
from nnpad.core.keras_model import build, to_network
from nnpad.core.progress import (
    BatchProgress,
    EpochResult,
    SilentListener,
    Status,
    TrainingListener,
    TrainingStarted,
    TrainResult,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.spec import Recipe

keras = tf_env.keras()

# Keras calls back once per execution of several steps: more is faster (about 2x at
# 32, see tests/benchmarks/bench_training.py), fewer draws finer curves and stops
# sooner. By default nnpad aims for about this many reports per epoch, up to 32 steps.
REPORTS_PER_EPOCH = 50
MAX_STEPS_PER_EXECUTION = 32


def auto_steps_per_execution(batches_per_epoch: int) -> int:
    """Steps per execution giving about REPORTS_PER_EPOCH callbacks an epoch."""
    return max(1, min(MAX_STEPS_PER_EXECUTION, batches_per_epoch // REPORTS_PER_EPOCH))


class Trainer:
    """Run one training of ``recipe`` on ``data``; ``stop()`` ends it within a batch.

    Parameters
    ----------
    recipe
        The spec and training settings.
    data
        Training images; the last ``validation_split`` of them are held out.
    report_interval
        Least seconds between two ``batch`` reports.
    snapshot_interval
        Least seconds between two weight snapshots (0 disables them).
    steps_per_execution
        Batches Keras runs per call; callbacks (reports, stop checks) fire between
        calls. None picks :func:`auto_steps_per_execution`.
    jit_compile
        Compile the training step with XLA where the model allows it (XLA cannot
        compile the random augmentation layers).
    callbacks
        Further Keras callbacks, run after nnpad's own.
    threads
        Most CPU threads TensorFlow may use for its operations (None: all). The
        window leaves a core to itself this way; it only takes effect before
        TensorFlow has run its first operation in this process.
    """

    def __init__(
        self,
        recipe: Recipe,
        data: Dataset,
        *,
        report_interval: float = 0.05,
        snapshot_interval: float = 0.0,
        steps_per_execution: int | None = None,
        jit_compile: bool = True,
        callbacks: Sequence[Any] = (),
        threads: int | None = None,
    ) -> None:
        self.recipe = recipe.validate()
        self.data = data
        self.report_interval = report_interval
        self.snapshot_interval = snapshot_interval
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self.callbacks = list(callbacks)
        self.threads = threads
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the run to stop; safe from any thread, also before it starts."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def run(self, listener: TrainingListener | None = None) -> TrainResult:
        """Train and return the result; exceptions from Keras propagate."""
        listener = listener or SilentListener()
        started = time.perf_counter()
        if self._stop.is_set():
            return TrainResult("stopped", self.recipe, message="stopped before start")
        train = self.recipe.train
        x_train, y_train, x_val, y_val = split_validation(
            self.data.x_train, self.data.y_train, train.validation_split
        )
        if self.threads:
            _limit_threads(self.threads)
        model = build(self.recipe.model, seed=train.seed)
        full_batches = max(1, len(x_train) // train.batch_size)
        steps = min(
            full_batches,
            self.steps_per_execution or auto_steps_per_execution(full_batches),
        )
        # Whole executions of whole batches only: Keras retraces (and XLA recompiles,
        # for seconds) whenever a batch or an execution comes out shorter. The few
        # batches left over differ each epoch, as the data is reshuffled.
        batches = full_batches - full_batches % steps
        model.compile(
            optimizer=keras.optimizers.Adam(self._learning_rate(batches)),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            steps_per_execution=steps,
            jit_compile=self.jit_compile and not self.recipe.model.augmentation.enabled,
        )
        progress = _ProgressCallback(self, listener, batches, len(x_val))
        listener.started(
            TrainingStarted(train.epochs, batches, len(x_train), len(x_val))
        )
        validation = _batches(x_val, y_val, train.batch_size) if len(x_val) else None
        model.fit(
            _batches(x_train, y_train, train.batch_size, train.seed).take(batches),
            epochs=train.epochs,
            validation_data=validation,
            shuffle=False,  # the pipeline reshuffles every epoch itself
            verbose=0,
            callbacks=[progress, *self.callbacks],
        )
        result = progress.result(model)
        result.seconds = time.perf_counter() - started
        return result

    def _learning_rate(self, batches_per_epoch: int) -> Any:
        train = self.recipe.train
        if train.lr_schedule == "cosine":
            return keras.optimizers.schedules.CosineDecay(
                train.learning_rate, decay_steps=batches_per_epoch * train.epochs
            )
        return train.learning_rate


def _limit_threads(threads: int) -> bool:
    """Cap TensorFlow's thread pools; False if its runtime had already started."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        return False
    return True


def _batches(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None = None,
) -> Any:
    """Scaled images in batches; for training (seeded) reshuffled every epoch.

    Training batches are all whole (the last partial one is dropped, and it differs
    each epoch), so the step function has one input shape; validation keeps every
    image.
    """
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices(
        (images.astype(np.float32) / np.float32(255.0), labels.astype(np.int32))
    )
    training = shuffle_seed is not None
    if training:
        data = data.shuffle(
            len(images), seed=shuffle_seed, reshuffle_each_iteration=True
        )
    whole = training and len(images) >= batch_size
    return data.batch(batch_size, drop_remainder=whole).prefetch(tf.data.AUTOTUNE)


class _ProgressCallback(keras.callbacks.Callback):
    """Report throttled progress; stop on request (between steps) and on NaN."""

    def __init__(
        self,
        trainer: Trainer,
        listener: TrainingListener,
        batches_per_epoch: int,
        val_samples: int,
    ) -> None:
        super().__init__()
        self.trainer = trainer
        self.listener = listener
        self.batches_per_epoch = batches_per_epoch
        self.epochs_total = trainer.recipe.train.epochs
        self.batch_size = trainer.recipe.train.batch_size
        self.history: list[EpochResult] = []
        self.good_weights: list[np.ndarray] | None = None
        self.status: Status = "finished"
        self.message = ""
        self._epoch = 0
        self._last_report = 0.0
        self._last_snapshot = time.perf_counter()
        self._run_start = time.perf_counter()
        self._batches_done = 0

    # Stop requests are honoured between Keras steps, in training and validation.
    def _check_stop(self) -> None:
        if self.trainer.stop_requested:
            self.status = "stopped"
            self.message = "stopped"
            self.model.stop_training = True
            self.model.stop_evaluating = True

    def on_train_begin(self, logs: Any = None) -> None:
        self.good_weights = [np.array(w) for w in self.model.get_weights()]
        self._run_start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch = epoch
        self._check_stop()

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._check_stop()

    def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._check_stop()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        logs = logs or {}
        loss = float(logs.get("loss", math.nan))
        if not math.isfinite(loss):
            self.status = "nan"
            self.message = (
                f"the loss became {loss} in epoch {self._epoch + 1}: training"
                " diverged (try a smaller learning rate); the last good weights"
                " were kept"
            )
            self.model.stop_training = True
            return
        # With several steps per execution Keras reports the last step's index, and
        # the last execution of an epoch may hold fewer steps.
        done = min(batch + 1, self.batches_per_epoch)
        self._batches_done = self._epoch * self.batches_per_epoch + done
        now = time.perf_counter()
        if now - self._last_report >= self.trainer.report_interval or (
            done >= self.batches_per_epoch
        ):
            self._last_report = now
            self.listener.batch(self._progress(done, loss, logs, now))
        interval = self.trainer.snapshot_interval
        if interval and now - self._last_snapshot >= interval:
            self._last_snapshot = now
            self.listener.snapshot(to_network(self.model, self.trainer.recipe.model))
        self._check_stop()

    def _progress(
        self, done: int, loss: float, logs: dict[str, Any], now: float
    ) -> BatchProgress:
        elapsed = max(now - self._run_start, 1e-9)
        rate = self._batches_done / elapsed
        remaining = self.epochs_total * self.batches_per_epoch - self._batches_done
        return BatchProgress(
            epoch=self._epoch,
            batch=done,
            batches_per_epoch=self.batches_per_epoch,
            epochs=self.epochs_total,
            loss=loss,
            accuracy=float(logs.get("accuracy", math.nan)),
            samples_per_second=rate * self.batch_size,
            eta_seconds=remaining / rate if rate > 0 else math.inf,
        )

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        # A stopped or diverged epoch is incomplete: its figures would mislead.
        if self.status != "finished":
            return
        logs = logs or {}
        result = EpochResult(
            epoch=epoch,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            val_loss=_optional(logs.get("val_loss")),
            val_accuracy=_optional(logs.get("val_accuracy")),
        )
        if not math.isfinite(result.loss):
            self.status = "nan"
            self.model.stop_training = True
            return
        self.history.append(result)
        self.good_weights = [np.array(w) for w in self.model.get_weights()]
        self.listener.epoch(result)
        if self.trainer.snapshot_interval:
            self.listener.snapshot(to_network(self.model, self.trainer.recipe.model))

    def result(self, model: keras.Model) -> TrainResult:
        """Summarise the run.

        After a stop or a NaN the weights go back to the end of the last complete
        epoch, so the model matches the figures reported for it; without a complete
        epoch there is no model.
        """
        if self.status != "finished" and self.history and self.good_weights:
            model.set_weights(self.good_weights)
        return TrainResult(
            status=self.status,
            recipe=self.trainer.recipe,
            epochs=list(self.history),
            model=model if self.history else None,
            message=self.message,
        )


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)

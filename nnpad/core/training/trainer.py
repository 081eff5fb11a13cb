"""Train a recipe on a dataset with Keras ``fit``, reporting progress to a listener.

Importing this module imports TensorFlow (8-10 s): the window imports it only when a
person clicks Train. The trainer owns its Keras model for the whole run and hands it
back at the end, with a NumPy copy of it; listeners receive plain values and NumPy
network snapshots, so they can be called from the training thread and forwarded
anywhere.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.data import Dataset, split_validation
from nnpad.core.measure.rejection import fit_thresholds
from nnpad.core.model.keras_bridge import build, to_network
from nnpad.core.progress import (
    SilentListener,
    Stoppable,
    TrainingStarted,
    TrainResult,
)
from nnpad.core.runs.curves import best_epoch
from nnpad.core.training import distillation, elastic, outlier_exposure
from nnpad.core.training.callbacks import (
    BatchReporter,
    EpochRecorder,
    RunState,
    SnapshotSender,
    StopOnNaN,
    StopOnRequest,
)
from nnpad.core.training.early_stopping import BestEpochCallback, make_callback
from nnpad.core.training.pipeline import batches as make_batches

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.progress import TrainingListener
    from nnpad.core.recipe.spec import Recipe

keras = tf_env.keras()

# Keras calls back once per execution of several steps: more is faster (about 2x at
# 32, see tests/benchmarks/bench_training.py), fewer draws finer curves and stops
# sooner. By default nnpad aims for about this many reports per epoch, up to 32 steps.
REPORTS_PER_EPOCH = 50
MAX_STEPS_PER_EXECUTION = 32
# XLA takes 1.5-2 s of CPU here to compile a step (5 s with dropout) and makes the
# small networks' steps little faster: only a long run repays it. Measured on the
# shipped sample, every preset took 1.5-5 s less CPU without it.
JIT_MIN_STEPS = 5000
# Validation batches need no gradients, so they can be large whatever the training
# batch: fewer Keras steps per epoch, which matters for small-batch runs.
VALIDATION_BATCH = 256


def auto_steps_per_execution(batches_per_epoch: int) -> int:
    """Steps per execution giving about REPORTS_PER_EPOCH callbacks an epoch."""
    return max(1, min(MAX_STEPS_PER_EXECUTION, batches_per_epoch // REPORTS_PER_EPOCH))


class Trainer(Stoppable):
    """Run one training of ``recipe`` on ``data``; ``stop()`` ends it within a batch.

    Parameters
    ----------
    recipe
        The spec and training settings.
    data
        Training images; the last ``validation_split`` of them are held out, and
        ``train_samples`` (if set) keeps only the first images of the rest.
    report_interval
        Least seconds between two ``batch`` reports.
    snapshot_interval
        Least seconds between two weight snapshots (0 disables them).
    steps_per_execution
        Batches Keras runs per call; callbacks (reports, stop checks) fire between
        calls. None picks :func:`auto_steps_per_execution`.
    jit_compile
        Compile the training step with XLA where the model allows it (XLA cannot
        compile the random augmentation layers) and the run has at least
        JIT_MIN_STEPS steps (compiling costs more than it saves in shorter ones).
    callbacks
        Further Keras callbacks, run after nnpad's own.
    threads
        Most CPU threads TensorFlow may use for its operations (None: all). The
        window leaves a core to itself this way; it only takes effect before
        TensorFlow has run its first operation in this process.
    extra
        Images ``(n, 28, 28)`` uint8 and labels that join the training side only
        (never validation), such as traced handwriting rendered as the canvas
        renders it (`nnpad.core.data.traced`).
    teacher
        A trained model whose readings join the labels as targets
        (`nnpad.core.training.distillation`).
    elastic_copies
        Elastically distorted copies of each training digit (the extra images
        included) that join the training side (`nnpad.core.training.elastic`).
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
        extra: tuple[np.ndarray, np.ndarray] | None = None,
        teacher: distillation.Teacher | None = None,
        elastic_copies: int = 0,
    ) -> None:
        if elastic_copies < 0:
            raise ValueError(f"elastic copies must be 0 or more, not {elastic_copies}")
        self.recipe = recipe.validate()
        self.data = data
        self.report_interval = report_interval
        self.snapshot_interval = snapshot_interval
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self.callbacks = list(callbacks)
        self.threads = threads
        self.extra = extra
        self.teacher = teacher
        self.elastic_copies = elastic_copies
        super().__init__()

    def run(self, listener: TrainingListener | None = None) -> TrainResult:
        """Train and return the result; exceptions from Keras propagate."""
        listener = listener or SilentListener()
        started = time.perf_counter()
        if self.stop_requested:
            return TrainResult("stopped", self.recipe, message="stopped before start")
        train = self.recipe.train
        x_train, y_train, x_val, y_val = self._training_set()
        if self.threads:
            _limit_threads(self.threads)
        model = build(self.recipe.architecture, seed=train.seed)
        full_batches = max(1, len(x_train) // train.batch_size)
        steps = min(
            full_batches,
            self.steps_per_execution or auto_steps_per_execution(full_batches),
        )
        # Whole executions of whole batches only: Keras retraces (and XLA recompiles,
        # for seconds) whenever a batch or an execution comes out shorter. The few
        # batches left over differ each epoch, as the data is reshuffled.
        batches = full_batches - full_batches % steps
        self._compile(model, batches, steps)
        state = RunState()
        listener.started(
            TrainingStarted(train.epochs, batches, len(x_train), len(x_val))
        )
        # With a teacher, validation's targets are its plain labels, in rows.
        y_fit = y_val if self.teacher is None else distillation.dense_labels(y_val)
        validation = (
            make_batches(x_val, y_fit, max(train.batch_size, VALIDATION_BATCH))
            if len(x_val)
            else None
        )
        best = make_callback(train, lambda: state.healthy)
        callbacks = self._callbacks(state, listener, batches)
        model.fit(
            make_batches(x_train, y_train, train.batch_size, train.seed).take(batches),
            epochs=train.epochs,
            validation_data=validation,
            shuffle=False,  # the pipeline reshuffles every epoch itself
            verbose=0,
            callbacks=[*callbacks, *([best] if best else []), *self.callbacks],
        )
        result = self._result(state, model, best)
        if result.network is not None and len(x_val):
            # Calibrate on the held-out images: the temperature and the thresholds
            # of "sure", "unsure" and "not a digit" (kept in the model file).
            logits = result.network.logits(x_val.astype(np.float32) / 255.0)
            result.thresholds = fit_thresholds(logits, y_val)
        result.seconds = time.perf_counter() - started
        return result

    def _training_set(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``x_train, y_train, x_val, y_val`` of the run.

        The split, with the extra images, outlier exposure's non-digits and the
        teacher's targets on the training side.
        """
        train = self.recipe.train
        x_train, y_train, x_val, y_val = split_validation(
            self.data.x_train, self.data.y_train, train.validation_split
        )
        if train.train_samples is not None:
            x_train = x_train[: train.train_samples]
            y_train = y_train[: train.train_samples]
        if self.extra is not None and len(self.extra[0]):
            x_train = np.concatenate((x_train, self.extra[0]))
            y_train = np.concatenate((y_train, self.extra[1]))
        if self.elastic_copies and len(x_train):
            rng = np.random.default_rng(train.seed)
            copies = [elastic.distort(x_train, rng) for _ in range(self.elastic_copies)]
            x_train = np.concatenate((x_train, *copies))
            y_train = np.tile(y_train, self.elastic_copies + 1)
        # Outlier exposure: non-digits join the training images only.
        if outlier_exposure.enabled(train):
            x_train, y_train = outlier_exposure.with_outliers(x_train, y_train, train)
        if self.teacher is not None:
            y_train = distillation.taught_labels(self.teacher, x_train, y_train)
        return x_train, y_train, x_val, y_val

    def _compile(self, model: Any, batches: int, steps: int) -> None:
        """Compile ``model`` with the run's optimiser, loss and accuracy."""
        train = self.recipe.train
        exposed = outlier_exposure.enabled(train)
        if self.teacher is not None:
            loss = distillation.distilled_loss(train.outlier_exposure)
        elif exposed:
            loss = outlier_exposure.outlier_loss(train.outlier_exposure)
        else:
            loss = "sparse_categorical_crossentropy"
        dense = self.teacher is not None
        model.compile(
            optimizer=keras.optimizers.Adam(self._learning_rate(batches)),
            loss=loss,
            metrics=[
                outlier_exposure.digit_accuracy(dense=dense)
                if exposed or dense
                else "accuracy"
            ],
            steps_per_execution=steps,
            jit_compile=self.jit_compile
            and not self.recipe.architecture.augmentation.enabled
            and batches * train.epochs >= JIT_MIN_STEPS,
        )

    def _callbacks(
        self, state: RunState, listener: TrainingListener, batches_per_epoch: int
    ) -> list[Any]:
        train = self.recipe.train
        callbacks = [
            StopOnRequest(state, self._stop),
            StopOnNaN(state),
            EpochRecorder(state, listener),
            BatchReporter(
                state,
                listener,
                batches_per_epoch=batches_per_epoch,
                epochs=train.epochs,
                batch_size=train.batch_size,
                interval=self.report_interval,
            ),
        ]
        if self.snapshot_interval:
            callbacks.append(
                SnapshotSender(
                    state,
                    listener,
                    self.recipe.architecture,
                    self.snapshot_interval,
                )
            )
        return callbacks

    def _result(
        self, state: RunState, model: Any, best: BestEpochCallback | None
    ) -> TrainResult:
        """Summarise the run.

        After a stop or a NaN the weights go back to the end of the last complete
        epoch, so the model matches the figures reported for it; without a complete
        epoch there is no model. With ``restore_best_weights`` they go to the
        epoch with the lowest validation loss instead.
        """
        if not state.history:
            return TrainResult(state.status, self.recipe, message=state.message)
        if not state.healthy and state.good_weights:
            model.set_weights(state.good_weights)
        result = TrainResult(
            status=state.status,
            recipe=self.recipe,
            epochs=list(state.history),
            keras_model=model,
            message=state.message,
            best_epoch=best_epoch(state.history),
        )
        if best is not None:
            best.finish(model, result)
        result.network = to_network(model, self.recipe.architecture)
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

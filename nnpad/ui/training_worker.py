"""Run a training in a QThread and hand its progress to the GUI thread as Qt signals.

:class:`TrainingWorker` lives in the training thread and turns the core's listener
callbacks into signals. :class:`TrainingController` lives on the GUI thread, owns the
thread and the worker, and re-emits everything from ``@Slot`` methods, so widgets and
tests connect only to the controller and always run on the GUI thread.

TensorFlow is imported inside :meth:`TrainingWorker.run`, that is, only once a person
has asked for a training.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from nnpad.core import data as data_module
from nnpad.core.data import DataError, Dataset
from nnpad.core.progress import TrainResult
from nnpad.core.spec import SpecError

if TYPE_CHECKING:
    from nnpad.core.network import Network
    from nnpad.core.progress import BatchProgress, EpochResult, TrainingStarted
    from nnpad.core.spec import Recipe

log = logging.getLogger(__name__)

REPORT_INTERVAL = 0.1  # seconds between batch reports (throttled in the core)
SNAPSHOT_INTERVAL = 1.0  # seconds between weight snapshots for live predictions
# Leave one core to the window, so drawing stays smooth while training. The small
# networks nnpad trains gain nothing from a second thread here (measured: 1.1 s an
# epoch of the classic spec on MNIST with 1 or 2 threads, on 2 cores).
TRAINING_THREADS = max(1, (os.cpu_count() or 2) - 1)


class TrainingWorker(QObject):
    """Load the data, import TensorFlow and train; lives in the training thread.

    Parameters
    ----------
    recipe
        What to build and how to train it.
    source
        ``"sample"``, ``"mnist"``, a local path, or a loaded :class:`Dataset`.
    trainer_options
        Extra keyword arguments for :class:`nnpad.core.training.Trainer`.
    """

    phase = Signal(str)
    started = Signal(object)  # TrainingStarted
    batch = Signal(object)  # BatchProgress
    epoch = Signal(object)  # EpochResult
    snapshot = Signal(object)  # Network
    finished = Signal(object)  # TrainResult
    failed = Signal(str)

    def __init__(
        self,
        recipe: Recipe,
        source: str | Dataset,
        trainer_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._recipe = recipe
        self._source = source
        self._options = {
            "report_interval": REPORT_INTERVAL,
            "snapshot_interval": SNAPSHOT_INTERVAL,
            "threads": TRAINING_THREADS,
            **(trainer_options or {}),
        }
        self._lock = threading.Lock()
        self._trainer: Any = None
        self._stop_requested = False

    def request_stop(self) -> None:
        """Ask the run to stop; safe from any thread, also before training starts."""
        with self._lock:
            self._stop_requested = True
            trainer = self._trainer
        if trainer is not None:
            trainer.stop()

    @Slot()
    def run(self) -> None:
        """Train, then emit ``finished`` or ``failed``; never raises."""
        try:
            result = self._train()
        except (DataError, SpecError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("training failed")
            self.failed.emit(f"Training failed: {type(exc).__name__}: {exc}")
        else:
            self.finished.emit(result)

    def _train(self) -> TrainResult:
        source = self._source
        if isinstance(source, Dataset):
            dataset = source
        else:
            # Before TensorFlow, so that a wrong path fails in a moment, not in 10 s.
            self.phase.emit("Loading data…")
            dataset = data_module.load_source(source)
        if self._stop_requested:
            return TrainResult("stopped", self._recipe, message="stopped before start")
        self.phase.emit("Loading TensorFlow…")
        from nnpad.core.training import Trainer

        self.phase.emit("Building the model…")
        trainer = Trainer(self._recipe, dataset, **self._options)
        with self._lock:
            self._trainer = trainer
            if self._stop_requested:
                trainer.stop()
        return trainer.run(_SignalListener(self))


class _SignalListener:
    """A core TrainingListener that emits the worker's signals (training thread)."""

    def __init__(self, worker: TrainingWorker) -> None:
        self._worker = worker

    def started(self, info: TrainingStarted) -> None:
        self._worker.started.emit(info)

    def batch(self, progress: BatchProgress) -> None:
        self._worker.batch.emit(progress)

    def epoch(self, result: EpochResult) -> None:
        self._worker.epoch.emit(result)

    def snapshot(self, network: Network) -> None:
        self._worker.snapshot.emit(network)


class TrainingController(QObject):
    """Start and stop trainings; every signal is emitted on the GUI thread.

    ``running_changed(False)`` comes after ``finished`` or ``failed``, once the thread
    has ended: from then on :meth:`start` may be called again.

    Parameters
    ----------
    parent
        The owning QObject (usually the training panel).
    trainer_options
        Extra keyword arguments for every :class:`~nnpad.core.training.Trainer`.
    """

    phase = Signal(str)
    started = Signal(object)  # TrainingStarted
    batch = Signal(object)  # BatchProgress
    epoch = Signal(object)  # EpochResult
    snapshot = Signal(object)  # Network
    finished = Signal(object)  # TrainResult
    failed = Signal(str)
    running_changed = Signal(bool)

    # Threads still running, whatever happens to their controller: Qt aborts the
    # process if a running QThread is destroyed.
    _alive: ClassVar[set[tuple[QThread, TrainingWorker]]] = set()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        trainer_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._trainer_options = dict(trainer_options or {})
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None

    def is_running(self) -> bool:
        """Whether a run's thread exists (from :meth:`start` to ``running_changed``)."""
        return self._thread is not None

    def start(self, recipe: Recipe, source: str | Dataset) -> None:
        """Train ``recipe`` on ``source`` in a new thread.

        Raises
        ------
        SpecError
            If the recipe is invalid (checked here, on the GUI thread).
        RuntimeError
            If a run is still going.
        """
        if self.is_running():
            raise RuntimeError("a training is already running")
        recipe.validate()
        thread = QThread()
        thread.setObjectName("nnpad-training")
        worker = TrainingWorker(recipe, source, self._trainer_options)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Deleted in its own thread as that thread ends (Qt's documented idiom).
        thread.finished.connect(worker.deleteLater)
        worker.phase.connect(self._on_phase)
        worker.started.connect(self._on_started)
        worker.batch.connect(self._on_batch)
        worker.epoch.connect(self._on_epoch)
        worker.snapshot.connect(self._on_snapshot)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self._alive.add((thread, worker))
        thread.start()
        self.running_changed.emit(True)

    def stop(self) -> None:
        """Ask the current run to stop; it ends with status ``"stopped"``."""
        if self._worker is not None:
            self._worker.request_stop()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the run and wait for its thread; return whether it ended in time.

        If it did not (TensorFlow cannot be interrupted while it imports), the run
        ends on its own later and ``running_changed(False)`` says so.
        """
        thread = self._thread
        if thread is None:
            return True
        self.stop()
        thread.quit()
        if not thread.wait(timeout_ms):
            return False
        # Deliver the run's queued signals now, so that it ends the usual way.
        QCoreApplication.sendPostedEvents(self)
        self._on_thread_finished()
        return True

    @Slot(str)
    def _on_phase(self, text: str) -> None:
        self.phase.emit(text)

    @Slot(object)
    def _on_started(self, info: TrainingStarted) -> None:
        self.started.emit(info)

    @Slot(object)
    def _on_batch(self, progress: BatchProgress) -> None:
        self.batch.emit(progress)

    @Slot(object)
    def _on_epoch(self, result: EpochResult) -> None:
        self.epoch.emit(result)

    @Slot(object)
    def _on_snapshot(self, network: Network) -> None:
        self.snapshot.emit(network)

    @Slot(object)
    def _on_finished(self, result: TrainResult) -> None:
        self._end_thread()
        self.finished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end_thread()
        self.failed.emit(message)

    def _end_thread(self) -> None:
        # The worker's run() executes inside QThread.started, before the thread's
        # event loop; quit() now makes that loop return as soon as it begins.
        if self._thread is not None:
            self._thread.quit()

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return  # already cleaned up by shutdown()
        # QThread.finished is emitted just before the thread really ends.
        thread.wait()
        self._thread = self._worker = None
        self._alive.discard((thread, worker))
        thread.deleteLater()
        self.running_changed.emit(False)

"""Training in a background thread, its progress handed to the GUI thread as signals.

:class:`TrainingJob` is what the training thread runs: a plain Python object (see the
threading rule in :mod:`nnpad.ui.background`). :class:`TrainingController` lives on
the GUI thread, runs one job at a time and emits typed signals, so widgets and tests
connect only to the controller and always run on the GUI thread.

TensorFlow is imported inside :meth:`TrainingJob.run`, that is, only once a person
has asked for a training.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from nnpad.core import data as data_module
from nnpad.core.data import DataError, Dataset
from nnpad.core.model.network import Network
from nnpad.core.progress import BatchProgress, EpochResult, TrainingStarted, TrainResult
from nnpad.ui.background import JobRunner

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.recipe.spec import Recipe
    from nnpad.core.training.finetune_config import FinetuneConfig

REPORT_INTERVAL = 0.1  # seconds between batch reports (throttled in the core)
SNAPSHOT_INTERVAL = 1.0  # seconds between weight snapshots for live predictions
# Leave one core to the window, so drawing stays smooth while training. The small
# networks nnpad trains gain nothing from a second thread here (measured: 1.1 s an
# epoch of the classic spec on MNIST with 1 or 2 threads, on 2 cores).
TRAINING_THREADS = max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class Phase:
    """What a run is doing before it trains, for people ("Loading TensorFlow…")."""

    text: str


class TrainingJob:
    """Load the data, import TensorFlow and train; runs in the training thread.

    Parameters
    ----------
    recipe
        What to build and how to train it.
    source
        ``"sample"``, ``"mnist"``, a local path, or a loaded :class:`Dataset`.
    trainer_options
        Extra keyword arguments for :class:`nnpad.core.training.Trainer`.
    """

    def __init__(
        self,
        recipe: Recipe,
        source: str | Dataset,
        trainer_options: dict[str, Any] | None = None,
    ) -> None:
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

    def run(self, report: Callable[[object], None]) -> TrainResult:
        """Train and return the result (DataError and SpecError reach the caller)."""
        source = self._source
        if isinstance(source, Dataset):
            dataset = source
        else:
            # Before TensorFlow, so that a wrong path fails in a moment, not in 10 s.
            report(Phase("Loading data…"))
            dataset = data_module.load_source(source)
        if self._stop_requested:
            return TrainResult("stopped", self._recipe, message="stopped before start")
        report(Phase("Loading TensorFlow…"))
        from nnpad.core.training import outlier_exposure
        from nnpad.core.training.trainer import Trainer

        train = self._recipe.train
        if outlier_exposure.enabled(train):
            report(Phase(f"Drawing {train.outliers:,} non-digits to learn from…"))
            outlier_exposure.training_outliers(train.outliers, train.seed)
        report(Phase("Building the model…"))
        trainer = Trainer(self._recipe, dataset, **self._options)
        with self._lock:
            self._trainer = trainer
            if self._stop_requested:
                trainer.stop()
        return trainer.run(_Reporter(report))


class FinetuneJob:
    """Fine-tune a model on my samples, replaying MNIST (in the training thread).

    Parameters
    ----------
    model
        The model to start from (the one in use).
    samples
        The folder of my samples.
    replay
        ``"sample"``, ``"mnist"``, a local path, or a loaded :class:`Dataset`.
    config
        How to fine-tune (None: the defaults).
    """

    def __init__(
        self,
        model: TrainedModel,
        samples: Path,
        replay: str | Dataset,
        options: dict[str, Any] | None = None,
        config: FinetuneConfig | None = None,
    ) -> None:
        self._model, self._samples, self._replay = model, samples, replay
        self._options = {
            "config": config,
            "report_interval": REPORT_INTERVAL,
            "snapshot_interval": SNAPSHOT_INTERVAL,
            "threads": TRAINING_THREADS,
            **(options or {}),
        }
        self._lock = threading.Lock()
        self._tuner: Any = None
        self._stop_requested = False

    def request_stop(self) -> None:
        """Ask the run to stop; safe from any thread."""
        with self._lock:
            self._stop_requested = True
            tuner = self._tuner
        if tuner is not None:
            tuner.stop()

    def run(self, report: Callable[[object], None]) -> TrainResult:
        """Fine-tune and return the result with before/after figures."""
        from nnpad.core.data.samples.store import SampleStore

        report(Phase("Reading my samples…"))
        mine = SampleStore(self._samples).load()
        if not len(mine.labels):
            raise DataError("there are no samples yet: draw digits and keep them")
        replay = self._replay
        if not isinstance(replay, Dataset):
            report(Phase("Loading data…"))
            replay = data_module.load_source(replay)
        report(Phase("Loading TensorFlow…"))
        from nnpad.core.training.finetune import FineTuner

        tuner = FineTuner(
            self._model, mine.images, mine.labels, replay, **self._options
        )
        with self._lock:
            self._tuner = tuner
            if self._stop_requested:
                tuner.stop()
        return tuner.run(_Reporter(report))


class _Reporter:
    """A core TrainingListener handing every report to ``report`` (training thread)."""

    def __init__(self, report: Callable[[object], None]) -> None:
        self.started = self.batch = self.epoch = self.snapshot = report


class TrainingController(QObject):
    """Start and stop trainings; every signal is emitted on the GUI thread.

    ``running_changed(False)`` comes after ``finished`` or ``failed``, once the thread
    has ended: from then on :meth:`start` may be called again.

    Parameters
    ----------
    parent
        The owning QObject.
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

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        trainer_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._trainer_options = dict(trainer_options or {})
        self._runner = JobRunner(self, name="nnpad-training", what="Training")
        self._runner.reported.connect(self._on_reported)
        self._runner.finished.connect(self.finished)
        self._runner.failed.connect(self.failed)
        self._runner.running_changed.connect(self.running_changed)

    def is_running(self) -> bool:
        """Whether a run's thread exists (from :meth:`start` to ``running_changed``)."""
        return self._runner.is_running()

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
        self._runner.start_job(TrainingJob(recipe, source, self._trainer_options))

    def start_finetune(
        self,
        model: TrainedModel,
        samples: Path,
        replay: str | Dataset,
        config: FinetuneConfig | None = None,
    ) -> None:
        """Fine-tune ``model`` on the samples in ``samples`` in a new thread."""
        if self.is_running():
            raise RuntimeError("a training is already running")
        self._runner.start_job(FinetuneJob(model, samples, replay, config=config))

    def stop(self) -> None:
        """Ask the current run to stop; it ends with status ``"stopped"``."""
        self._runner.stop()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the run and wait for its thread; return whether it ended in time."""
        return self._runner.shutdown(timeout_ms)

    @Slot(object)
    def _on_reported(self, event: object) -> None:
        if isinstance(event, Phase):
            self.phase.emit(event.text)
        elif isinstance(event, TrainingStarted):
            self.started.emit(event)
        elif isinstance(event, BatchProgress):
            self.batch.emit(event)
        elif isinstance(event, EpochResult):
            self.epoch.emit(event)
        elif isinstance(event, Network):
            self.snapshot.emit(event)

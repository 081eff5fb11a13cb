"""Run long jobs (training, evaluation) in a QThread without freezing the window.

The threading rule, and why
---------------------------
PySide calls into Qt while holding the GIL. When a Python-wrapped QObject is destroyed
in another thread, ``~QObject`` takes Qt's signal-slot lock and then waits for the GIL
(to look for a Python override), while the GUI thread, holding the GIL, may be waiting
for that same lock in any connect or disconnect (pyqtgraph's ``setHtml`` does one).
Both wait forever: the window hung this way at the end of a training run, when the
old worker QObject was deleted in its own thread by ``deleteLater``.

So no Python-wrapped QObject is ever created or destroyed outside the GUI thread:

- A :class:`Job` is a plain Python object, never a QObject. It runs in the thread and
  reports plain values through a callback; it must not create QObjects.
- The only QObject of a run is its :class:`_JobThread`. It is created on the GUI
  thread, lives there (its ``run`` executes in the new thread, the object does not),
  is waited for and then dropped on the GUI thread, which deletes it there.
- Its ``reported`` signal is emitted from the job's thread and connected only to
  :class:`JobRunner`'s slots, so Qt queues each call to the GUI thread. Never connect
  a lambda or a plain function to it: those would run in the job's thread.
- While a job runs, automatic garbage collection is off and :class:`_GuiCollector`
  collects on the GUI thread from a timer: otherwise an allocation in the job could
  start a collection there that destroys some unrelated QObject wrapper caught in a
  reference cycle (pyqtgraph items often are), in the job's thread.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

GC_INTERVAL_MS = 250


class Job(Protocol):
    """Work for a background thread: a plain Python object, never a QObject."""

    def run(self, report: Callable[[object], None]) -> object:
        """Do the work in the job's thread; ``report`` plain values as it goes.

        Returns the result; raises an :data:`EXPECTED_ERRORS` error with a message
        for people, or anything else for a bug.
        """

    def request_stop(self) -> None:
        """Ask the work to stop soon; called from the GUI thread at any time."""


# Failures with a message meant for people; anything else is logged as a bug.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError)


@dataclass(frozen=True)
class _Done:
    result: object


@dataclass(frozen=True)
class _Failed:
    message: str


class _JobThread(QThread):
    """The thread of one job. The QObject itself lives on the GUI thread."""

    reported = Signal(object)

    def __init__(self, job: Job, name: str, what: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.job = job
        self.what = what

    def run(self) -> None:
        """Run the job (in the new thread) and report how it ended; never raises."""
        try:
            result = self.job.run(self.reported.emit)
        except EXPECTED_ERRORS as exc:
            self.reported.emit(_Failed(str(exc)))
        except Exception as exc:
            log.exception("%s failed", self.what)
            message = f"{self.what} failed: {type(exc).__name__}: {exc}"
            self.reported.emit(_Failed(message))
        else:
            self.reported.emit(_Done(result))


class _GuiCollector(QObject):
    """Collect garbage on the GUI thread only, while background jobs run.

    The young generations are collected by Python's thresholds, from a timer. The
    oldest is left until the job ends: with TensorFlow loaded a full collection
    walks millions of objects (a second, here), which Python itself does rarely
    (only once the survivors have grown by a quarter); it would freeze the window.
    """

    _instance: ClassVar[_GuiCollector | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._jobs = 0
        self._timer = QTimer(self, interval=GC_INTERVAL_MS)
        self._timer.timeout.connect(self._collect)
        self._threshold = gc.get_threshold()
        self._was_enabled = True

    @classmethod
    def job_started(cls) -> None:
        """A job started: take garbage collection over, if not done yet."""
        if cls._instance is None:
            cls._instance = _GuiCollector()
        collector = cls._instance
        if collector._jobs == 0:
            collector._was_enabled = gc.isenabled()
            gc.disable()
            collector._timer.start()
        collector._jobs += 1

    @classmethod
    def job_ended(cls) -> None:
        """A job ended: give garbage collection back when none is left."""
        collector = cls._instance
        if collector is None or collector._jobs == 0:
            return
        collector._jobs -= 1
        if collector._jobs == 0:
            collector._timer.stop()
            if collector._was_enabled:
                gc.enable()

    @Slot()
    def _collect(self) -> None:
        counts = gc.get_count()
        for generation in (1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                return


class JobRunner(QObject):
    """Run one job at a time in a QThread; every signal is emitted on the GUI thread.

    ``running_changed(False)`` comes after ``finished`` or ``failed``, once the thread
    has ended: from then on :meth:`start_job` may be called again. ``what`` names the
    work in messages about unexpected failures ("Training failed: ...").
    """

    reported = Signal(object)  # whatever the job reports
    finished = Signal(object)  # the job's result
    failed = Signal(str)
    running_changed = Signal(bool)

    # Threads still running, whatever happens to their runner: Qt aborts the process
    # if a running QThread is destroyed.
    _alive: ClassVar[set[_JobThread]] = set()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        name: str = "nnpad-job",
        what: str = "The job",
    ) -> None:
        super().__init__(parent)
        self._name = name
        self._what = what
        self._thread: _JobThread | None = None

    def is_running(self) -> bool:
        """Whether a job's thread exists (from :meth:`start` to ``running_changed``)."""
        return self._thread is not None

    def start_job(self, job: Job) -> None:
        """Run ``job`` in a new thread; raise RuntimeError if one is still running."""
        if self.is_running():
            raise RuntimeError("a job is already running")
        thread = _JobThread(job, self._name, self._what)
        # Queued: emitted in the job's thread, received here on the GUI thread.
        thread.reported.connect(self._on_reported)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._alive.add(thread)
        _GuiCollector.job_started()
        thread.start()
        self.running_changed.emit(True)

    def stop(self) -> None:
        """Ask the running job to stop."""
        if self._thread is not None:
            self._thread.job.request_stop()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the job and wait for its thread; return whether it ended in time.

        If it did not (importing TensorFlow cannot be interrupted), the job ends on
        its own later and ``running_changed(False)`` says so.
        """
        thread = self._thread
        if thread is None:
            return True
        self.stop()
        if not thread.wait(timeout_ms):
            return False
        # Deliver the job's queued reports now, so that it ends the usual way.
        QCoreApplication.sendPostedEvents(self)
        self._on_thread_finished()
        return True

    @Slot(object)
    def _on_reported(self, event: object) -> None:
        if isinstance(event, _Done):
            self.finished.emit(event.result)
        elif isinstance(event, _Failed):
            self.failed.emit(event.message)
        else:
            self.reported.emit(event)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        if thread is None:
            return  # already cleaned up by shutdown()
        # QThread.finished is emitted just before the thread really ends.
        thread.wait()
        self._thread = None
        # The last references go here, on the GUI thread, which deletes the QThread.
        self._alive.discard(thread)
        _GuiCollector.job_ended()
        self.running_changed.emit(False)

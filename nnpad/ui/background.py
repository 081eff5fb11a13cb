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
- Automatic garbage collection is off while a job runs, and in the app for its whole
  life (:func:`collect_garbage_on_gui_thread`); :class:`_GuiCollector` collects on the
  GUI thread from a timer instead. Otherwise an allocation in the job could start a
  collection there that destroys some unrelated QObject wrapper caught in a reference
  cycle (pyqtgraph items often are), in the job's thread; and on the GUI thread, a
  collection started inside a Qt call that holds the signal-slot lock deadlocks the
  thread on itself when it destroys such a wrapper.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

GC_INTERVAL_MS = 250
FULL_CHECK_INTERVAL_S = 30.0


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
    """Collect garbage on the GUI thread only, from a timer.

    While a background job runs, and for the app's whole life once
    :func:`collect_garbage_on_gui_thread` was called. The young generations are
    collected by Python's thresholds. The oldest never while a job runs: with
    TensorFlow loaded a full collection walks all its objects (0.2-1 s here),
    which Python itself does rarely (only once the survivors have grown by a
    quarter); it would freeze the window. With no job running, it is collected by
    that same rule, checked at most once every :data:`FULL_CHECK_INTERVAL_S`
    (counting the oldest generation takes 25 ms with TensorFlow loaded).
    """

    _instance: ClassVar[_GuiCollector | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._jobs = 0
        self._for_good = False
        self._timer = QTimer(self, interval=GC_INTERVAL_MS)
        self._timer.timeout.connect(self._collect)
        self._threshold = gc.get_threshold()
        self._was_enabled = True
        self._old_size = 0
        self._last_full_check = time.monotonic()

    @classmethod
    def instance(cls) -> _GuiCollector:
        """The one collector, made on first use (on the GUI thread)."""
        if cls._instance is None:
            cls._instance = _GuiCollector()
        return cls._instance

    def take_over_for_good(self) -> None:
        """Collect from the timer from now on, whether or not a job runs."""
        if not self._for_good:
            self._take_over()
            self._for_good = True

    def give_back(self) -> None:
        """Undo :meth:`take_over_for_good` (tests), unless a job still runs."""
        self._for_good = False
        self._give_back()

    def job_started(self) -> None:
        """A job started: take garbage collection over, if not done yet."""
        self._take_over()
        self._jobs += 1

    def job_ended(self) -> None:
        """A job ended: give garbage collection back when none is left."""
        if self._jobs == 0:
            return
        self._jobs -= 1
        self._give_back()

    def _take_over(self) -> None:
        if self._jobs == 0 and not self._for_good:
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._timer.start()

    def _give_back(self) -> None:
        if self._jobs == 0 and not self._for_good:
            self._timer.stop()
            if self._was_enabled:
                # Collect the job's backlog here, in a slot that holds no Qt lock: left
                # to the next automatic collection, it would start at whatever
                # allocation comes next, perhaps inside a connect (the deadlock above).
                gc.collect(1)
                gc.enable()

    @Slot()
    def _collect(self) -> None:
        counts = gc.get_count()
        if self._jobs == 0 and counts[2] > self._threshold[2] and self._old_grown():
            gc.collect(2)
            self._old_size = len(gc.get_objects(generation=2))
            return
        for generation in (1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                return

    def _old_grown(self) -> bool:
        """Whether the oldest generation grew by a quarter since the last full one."""
        now = time.monotonic()
        if now - self._last_full_check < FULL_CHECK_INTERVAL_S:
            return False
        self._last_full_check = now
        return len(gc.get_objects(generation=2)) > self._old_size * 5 // 4


def collect_garbage_on_gui_thread() -> None:
    """Collect garbage only from the GUI thread's timer, for the app's whole life.

    An automatic collection starts at whichever allocation crosses a threshold, also
    inside a Qt call that holds the signal-slot lock (connecting a signal looks for
    Python overrides, which allocates). If it destroys a QObject wrapper caught in a
    reference cycle, ``~QObject`` waits for that same lock: the thread deadlocks on
    itself (seen in the test suite with gdb). A timer's slot holds no Qt lock.
    """
    _GuiCollector.instance().take_over_for_good()


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
        _GuiCollector.instance().job_started()
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
        _GuiCollector.instance().job_ended()
        self.running_changed.emit(False)

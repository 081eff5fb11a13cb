"""The background-job runner: GUI-thread reports, failures, QObject lifetimes."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject, Qt, Slot

from nnpad.ui import background
from nnpad.ui.background import JobRunner, collect_garbage_on_gui_thread

TIMEOUT = 10_000


class ListJob:
    """Reports each item, then returns their sum (or raises ``error``)."""

    def __init__(self, items, error: Exception | None = None) -> None:
        self.items = items
        self.error = error
        self.thread: int | None = None

    def run(self, report):
        self.thread = threading.get_ident()
        for item in self.items:
            report(item)
        if self.error is not None:
            raise self.error
        return sum(self.items)

    def request_stop(self) -> None:
        pass


class _Watcher(QObject):
    """Records the thread each watched QObject is destroyed in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []

    def watch(self, obj: QObject) -> None:
        # Direct: the slot runs in the destroying thread. (PySide drops plain Python
        # callables connected to destroyed before it is emitted.)
        obj.destroyed.connect(self._gone, Qt.ConnectionType.DirectConnection)

    @Slot()
    def _gone(self) -> None:
        self.threads.append(threading.get_ident())


@pytest.fixture
def runner(qtbot):
    # Free the earlier tests' garbage now, from Python: an automatic collection that
    # happens to start inside a Qt call here (connecting a signal looks for Python
    # overrides, which allocates) and destroys a QObject wrapper deadlocks on Qt's
    # signal-slot lock, held by that same call. Seen once in CI; gdb showed
    # ~QObject in QBasicMutex::lockInternal under gc_collect_main under
    # Sbk_GetPyOverride.
    gc.collect()
    job_runner = JobRunner(what="Counting")
    yield job_runner
    assert job_runner.shutdown(TIMEOUT)


def test_reports_and_result_arrive_on_the_gui_thread(qtbot, runner) -> None:
    received: list[tuple[str, object, int]] = []
    for name in ("reported", "finished", "running_changed"):
        signal = getattr(runner, name)
        signal.connect(
            lambda value, n=name: received.append((n, value, threading.get_ident()))
        )
    job = ListJob([1, 2, 3])
    watcher = _Watcher()
    with qtbot.waitSignal(
        runner.running_changed, timeout=TIMEOUT, check_params_cb=lambda r: not r
    ):
        runner.start_job(job)
        assert runner.is_running()
        watcher.watch(runner._thread)
    assert watcher.threads == [threading.get_ident()], "QThread deleted elsewhere"
    assert job.thread != threading.get_ident()
    assert [(n, v) for n, v, _ in received] == [
        ("running_changed", True),
        ("reported", 1),
        ("reported", 2),
        ("reported", 3),
        ("finished", 6),
        ("running_changed", False),
    ]
    assert {t for *_, t in received} == {threading.get_ident()}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("no such file: x.npz"), "no such file: x.npz"),
        (RuntimeError("boom"), "Counting failed: RuntimeError: boom"),
    ],
)
def test_failures_are_reported_with_a_message(qtbot, runner, error, message) -> None:
    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT) as failed:
        runner.start_job(ListJob([1], error))
    assert failed.args == [message]
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=TIMEOUT)
    with pytest.raises(RuntimeError):  # one job at a time
        runner.start_job(ListJob([]))
        runner.start_job(ListJob([]))


class _Cyclic(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self  # only the garbage collector can free it


class _Allocating:
    """Drops the last reference to ``doomed``, then makes cyclic garbage."""

    def __init__(self, doomed: list[QObject]) -> None:
        self.doomed = doomed

    def run(self, report):
        self.doomed.clear()  # now only a collection can free it
        for _ in range(300_000):
            cycle: list[object] = []
            cycle.append(cycle)
        return None

    def request_stop(self) -> None:
        pass


def test_qobjects_in_garbage_cycles_are_destroyed_on_the_gui_thread(
    qtbot, runner
) -> None:
    # Were a collection started by the job's allocations, ~QObject would run in the
    # job's thread: the deadlock described in nnpad/ui/background.py.
    watcher = _Watcher()
    doomed = [_Cyclic()]  # young: the runner fixture has just collected everything
    watcher.watch(doomed[0])
    assert gc.isenabled()
    with qtbot.waitSignal(runner.finished, timeout=TIMEOUT):
        runner.start_job(_Allocating(doomed))
        assert not gc.isenabled()
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=TIMEOUT)
    assert gc.isenabled()
    # Collected as the job ended, on the GUI thread: left to the first automatic
    # collection, the backlog made that start at the next allocation, once inside
    # the ~QObject of the signal blocker above (it hung CI on Qt's lock).
    assert watcher.threads == [threading.get_ident()]


@pytest.fixture
def collector_for_good(monkeypatch):
    monkeypatch.setattr(background, "FULL_CHECK_INTERVAL_S", 0.0)
    collector = background._GuiCollector.instance()
    monkeypatch.setattr(collector, "_old_size", 0)  # as if never fully collected
    gc.collect()
    assert gc.isenabled()
    collect_garbage_on_gui_thread()
    yield collector
    collector.give_back()
    assert gc.isenabled()


def _garbage_qobject(watcher: _Watcher, *, old: bool) -> None:
    doomed = _Cyclic()
    watcher.watch(doomed)
    if old:
        gc.collect(1)  # it survives into the oldest generation
    del doomed


def test_the_app_collects_young_garbage_from_the_gui_thread_for_good(
    qtbot, runner, collector_for_good
) -> None:
    assert not gc.isenabled()
    with qtbot.waitSignal(runner.finished, timeout=TIMEOUT):
        runner.start_job(ListJob([1]))
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=TIMEOUT)
    assert not gc.isenabled(), "a job's end must not turn automatic collection on"
    watcher = _Watcher()
    _garbage_qobject(watcher, old=False)
    cycles = []
    for _ in range(2 * gc.get_threshold()[0]):
        cycle: list[object] = []
        cycle.append(cycle)
        cycles.append(cycle)  # no collection may start here, only from the timer
    assert watcher.threads == []
    qtbot.waitUntil(lambda: watcher.threads != [], timeout=TIMEOUT)
    assert watcher.threads == [threading.get_ident()]


def test_the_oldest_generation_is_collected_when_no_job_runs(
    qtbot, collector_for_good
) -> None:
    watcher = _Watcher()
    _garbage_qobject(watcher, old=True)
    for _ in range(gc.get_threshold()[2] + 1):
        gc.collect(1)  # what ten young collections would have done
    assert watcher.threads == []
    qtbot.waitUntil(lambda: watcher.threads != [], timeout=TIMEOUT)
    assert watcher.threads == [threading.get_ident()]

"""UI test set-up: fail any test that leaves a QThread running."""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtCore import QThread


def _running_threads() -> list[QThread]:
    main = QThread.currentThread()
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, QThread)
        and obj is not main
        and shiboken6.isValid(obj)  # its C++ object may already be deleted
        and obj.isRunning()
    ]


@pytest.fixture(autouse=True)
def no_running_qthreads(qtbot):
    """Fail a test that leaves a QThread running (Qt aborts when one is destroyed)."""
    yield
    leftover = _running_threads()
    for thread in leftover:
        thread.quit()
        thread.wait(10_000)
    assert not leftover, f"test left {len(leftover)} QThread(s) running"

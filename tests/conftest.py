"""Shared test set-up: headless Qt, private user folders, a watchdog for hangs."""

from __future__ import annotations

import faulthandler
import os
import tempfile

# Before anything imports Qt or Keras.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NNPAD_HOME"] = tempfile.mkdtemp(prefix="nnpad-test-home-")
os.environ["KERAS_HOME"] = os.path.join(os.environ["NNPAD_HOME"], "keras")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

from nnpad.core.data import Dataset

# pytest-timeout (pyproject: timeout) stops a test that runs too long and prints every
# thread's stack. But a deadlock that holds the GIL (nnpad/ui/background.py explains
# the one we had) stops every Python thread, pytest-timeout's too. faulthandler's
# watchdog is a C thread that needs no GIL: a little after pytest-timeout's limit it
# dumps every thread's Python stack and ends the process, so a hang costs minutes,
# not CI's 90.
WATCHDOG_MARGIN = 30


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    marker = item.get_closest_marker("timeout")
    limit = marker.args[0] if marker and marker.args else item.config.getini("timeout")
    faulthandler.dump_traceback_later(float(limit) + WATCHDOG_MARGIN, exit=True)
    try:
        return (yield)
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def tiny_dataset() -> Dataset:
    """Make 300 synthetic 28x28 images of 10 easy classes (a bar at a row per class)."""
    rng = np.random.default_rng(0)
    n = 300
    y = np.arange(n, dtype=np.uint8) % 10
    x = rng.integers(0, 30, size=(n, 28, 28), dtype=np.uint8)
    for i, label in enumerate(y):
        row = 4 + 2 * int(label)
        x[i, row : row + 2, 6:22] = 255
    return Dataset(x, y, source="synthetic bars")

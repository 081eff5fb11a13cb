"""Shared test set-up: headless Qt, private user folders, no stray threads."""

from __future__ import annotations

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

"""The small test CNN in the place of the shipped one, while assets/ has none.

The shipped CNN (``assets/cnn_model.keras``) is trained separately; tests point the
resolver at ``tests/data/cnn_small.keras`` so they hold whichever is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nnpad.core.model import store

if TYPE_CHECKING:
    import pytest

CNN_MODEL = Path(__file__).parent.parent / "data" / "cnn_small.keras"


def use_test_cnn(monkeypatch: pytest.MonkeyPatch, path: Path = CNN_MODEL) -> Path:
    """Make ``cnn`` name ``path`` for the rest of the test."""
    shipped = store.shipped_path
    monkeypatch.setattr(
        store, "shipped_path", lambda n: path if n == "cnn" else shipped(n)
    )
    return path

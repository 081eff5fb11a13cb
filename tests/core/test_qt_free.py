"""The core must never pull in Qt, and the predict path never TensorFlow."""

from __future__ import annotations

import pkgutil

import nnpad.core
from tests.support.recording import modules_loaded_after

# These import TensorFlow on purpose: they train, and nothing else imports them
# before a person asks for a training.
TRAINING_MODULES = {
    "nnpad.core.training.trainer",
    "nnpad.core.training.callbacks",
    "nnpad.core.training.early_stopping",
    "nnpad.core.training.finetune_loop",
}


def core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(nnpad.core.__path__, "nnpad.core.")
        if info.name not in TRAINING_MODULES
    )


def test_core_imports_no_qt_and_no_tensorflow() -> None:
    modules = [*core_modules(), "nnpad.cli"]
    assert "nnpad.core.reading.preprocess" in modules and len(modules) > 20
    loaded = modules_loaded_after("\n".join(f"import {m}" for m in modules))
    assert set(modules) <= loaded
    heavy = {m.split(".")[0] for m in loaded} & {
        "PySide6",
        "pyqtgraph",
        "tensorflow",
        "keras",
    }
    assert not heavy, f"importing the core loaded {heavy}"

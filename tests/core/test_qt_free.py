"""The core must never pull in Qt, and the predict path never TensorFlow."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import nnpad.core

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


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_imports_no_qt_and_no_tensorflow() -> None:
    modules = [*core_modules(), "nnpad.cli"]
    assert "nnpad.core.preprocess" in modules and len(modules) > 20
    loaded = _loaded_after("\n".join(f"import {m}" for m in modules))
    assert set(modules) <= loaded
    heavy = {m.split(".")[0] for m in loaded} & {
        "PySide6",
        "pyqtgraph",
        "tensorflow",
        "keras",
    }
    assert not heavy, f"importing the core loaded {heavy}"

"""The core must never pull in Qt, and the predict path never TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "nnpad.core.data",
    "nnpad.core.inference",
    "nnpad.core.keras_model",
    "nnpad.core.model_file",
    "nnpad.core.network",
    "nnpad.core.preprocess",
    "nnpad.core.progress",
    "nnpad.core.segment",
    "nnpad.core.spec",
    "nnpad.core.strokes",
    "nnpad.cli",
]


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_imports_no_qt_and_no_tensorflow() -> None:
    loaded = _loaded_after("\n".join(f"import {m}" for m in CORE_MODULES))
    assert "nnpad.core.preprocess" in loaded
    heavy = {m.split(".")[0] for m in loaded} & {
        "PySide6",
        "pyqtgraph",
        "tensorflow",
        "keras",
    }
    assert not heavy, f"importing the core loaded {heavy}"

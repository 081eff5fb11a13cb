"""``nnpad --self-test``: check an installation (or a frozen app) end to end.

Each step prints ``ok`` or ``FAILED`` with the reason; the exit code is 0 only when
every step passed, so a build script can trust it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def _predict_sample() -> str:
    from nnpad.core.data import load_sample
    from nnpad.core.inference import evaluate, load_model

    model = load_model()
    sample = load_sample()
    result = evaluate(model.network, sample.x_train[:500], sample.y_train[:500])
    if result.accuracy < 0.95:
        raise RuntimeError(f"accuracy on the sample is only {result.accuracy:.1%}")
    return f"default model: {result.accuracy:.1%} on 500 shipped samples"


def _train_and_save() -> str:
    from nnpad.core import keras_model
    from nnpad.core.data import Dataset, load_sample
    from nnpad.core.model_file import read_model
    from nnpad.core.spec import ModelSpec, Recipe, TrainConfig
    from nnpad.core.training import Trainer

    sample = load_sample()
    data = Dataset(sample.x_train[:256], sample.y_train[:256], source="self-test")
    recipe = Recipe(ModelSpec(hidden=(16,)), TrainConfig(epochs=1, batch_size=64))
    result = Trainer(recipe, data).run()
    if result.model is None:
        raise RuntimeError(f"training ended with {result.status}: {result.message}")
    with tempfile.TemporaryDirectory() as folder:
        path = keras_model.save(result.model, recipe, Path(folder) / "m.keras")
        loaded = read_model(path)
    if loaded.recipe.model.hidden != (16,):
        raise RuntimeError("the reloaded model has another architecture")
    return f"Keras {keras_model.tf_env.keras().__version__}: trained, saved, reloaded"


def _build_window() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnpad.app import create_window, settings_at

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_at(Path(folder) / "settings.ini")
        window, _ = create_window(settings)
        window.show()
        app.processEvents()
        window.close()
        settings.sync()
    return "main window built"


STEPS: list[tuple[str, Callable[[], str]]] = [
    ("predict", _predict_sample),
    ("train", _train_and_save),
    ("window", _build_window),
]


def run() -> int:
    """Run every step; return 0 if all passed, else 1."""
    failed = []
    for name, step in STEPS:
        started = time.perf_counter()
        try:
            detail = step()
        except Exception as exc:
            failed.append(name)
            print(f"self-test {name}: FAILED: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
            continue
        print(
            f"self-test {name}: ok ({detail}; {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    print("self-test: " + ("FAILED: " + ", ".join(failed) if failed else "passed"))
    return 1 if failed else 0

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
    from nnpad.core.measure.evaluation import evaluate
    from nnpad.core.model import store

    sample = load_sample()
    found = []
    for name in ("fnn", "cnn"):
        model = store.load(name)
        result = evaluate(model.network, sample.x_train[:500], sample.y_train[:500])
        if result.accuracy < 0.95:
            raise RuntimeError(
                f"the shipped {name.upper()} reads only {result.accuracy:.1%}"
            )
        found.append(f"{name.upper()} {result.accuracy:.1%}")
    from nnpad.core.reading.segment.pair_reader import shipped_pair_reader

    if shipped_pair_reader() is None:
        raise RuntimeError("the shipped pair reader (touching digits) is missing")
    return f"shipped models on 500 shipped samples: {', '.join(found)}; pair reader ok"


def _train_and_save() -> str:
    from nnpad.core import tf_env
    from nnpad.core.data import Dataset, load_sample
    from nnpad.core.model import store
    from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
    from nnpad.core.training.trainer import Trainer

    sample = load_sample()
    data = Dataset(sample.x_train[:256], sample.y_train[:256], source="self-test")
    recipe = Recipe(Architecture(hidden=(16,)), TrainConfig(epochs=1, batch_size=64))
    result = Trainer(recipe, data).run()
    if result.keras_model is None:
        raise RuntimeError(f"training ended with {result.status}: {result.message}")
    with tempfile.TemporaryDirectory() as folder:
        loaded = store.load(store.save(result, Path(folder) / "m.keras"))
    if loaded.recipe.architecture.hidden != (16,):
        raise RuntimeError("the reloaded model has another architecture")
    return f"Keras {tf_env.keras().__version__}: trained, saved, reloaded"


def _build_window() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QDeadlineTimer
    from PySide6.QtWidgets import QApplication

    from nnpad.app import create_window, settings_at

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_at(Path(folder) / "settings.ini")
        window = create_window(settings)
        window.show()
        deadline = QDeadlineTimer(10_000)
        while not window.is_ready():
            if deadline.hasExpired():
                raise RuntimeError("the window did not load its model and panels")
            app.processEvents()
        window.close()
        settings.sync()
    return "main window built, model loaded"


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

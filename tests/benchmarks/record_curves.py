"""Train recipes for real and record their curves as JSON fixtures for the diagnosis.

Each run is written to ``OUT/NAME.json`` (default ``tests/core/curves``) with its
recipe, status, seconds, epoch results and running batch losses; the line printed for
it shows the time, the final figures and what :func:`nnpad.core.runs.diagnosis.diagnose`
says. ``tests/core/test_diagnosis.py`` states what each recorded run should show.

Run from the repository root, one training at a time::

    python tests/benchmarks/record_curves.py                 # every problem preset
    python tests/benchmarks/record_curves.py overfit lr-high # some presets
    python tests/benchmarks/record_curves.py --name classic-sample \
        --recipe '{"train": {"epochs": 5}}'                  # any recipe, named
    python tests/benchmarks/record_curves.py --data mnist_train.npz --out /tmp/c

A NAME is a preset (see ``nnpad train --help``); the data default to the shipped
sample (6000 images). The fixtures in ``tests/core/curves`` are the output of the
first command and of ``record_curves.py classic regularized`` (two healthy runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

PROBLEM_PRESETS = (
    "overfit",
    "overfit-dropout",
    "overfit-l2",
    "underfit",
    "lr-high",
    "lr-low",
)
MAX_BATCH_POINTS = 400


class _Recorder:
    def __init__(self) -> None:
        from nnpad.core.runs.curves import BatchPoint

        self._point = BatchPoint.from_progress
        self.batches: list = []

    def started(self, info: object) -> None: ...

    def batch(self, progress) -> None:
        self.batches.append(self._point(progress))

    def epoch(self, result: object) -> None: ...

    def snapshot(self, network: object) -> None: ...


def record(name: str, recipe, data, out: Path, threads: int | None = None) -> dict:
    """Train ``recipe`` on ``data``, write ``out/name.json`` and return the record."""
    from nnpad.core.runs.curves import thinned
    from nnpad.core.runs.diagnosis import diagnose
    from nnpad.core.training.trainer import Trainer

    recorder = _Recorder()
    started = time.perf_counter()
    cpu = time.process_time()
    result = Trainer(recipe, data, report_interval=0, threads=threads).run(recorder)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    points = recorder.batches
    while len(points) > MAX_BATCH_POINTS:
        points = thinned(points, MAX_BATCH_POINTS)
    diagnosis = diagnose(
        result.epochs, points, planned_epochs=recipe.train.epochs, status=result.status
    )
    record = {
        "name": name,
        "val_crossentropy_without_penalty": _val_crossentropy(result, data),
        "recipe": recipe.to_dict(),
        "data": data.source,
        "status": result.status,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "best_epoch": result.best_epoch,
        "epochs": [
            {
                "epoch": e.epoch,
                "loss": e.loss,
                "accuracy": e.accuracy,
                "val_loss": e.val_loss,
                "val_accuracy": e.val_accuracy,
            }
            for e in result.epochs
        ],
        "batches": [[round(p.x, 4), p.loss, p.accuracy] for p in points],
        "diagnosis_when_recorded": diagnosis.kind,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
    last = result.epochs[-1] if result.epochs else None
    figures = (
        f"loss {last.loss:.4f} acc {last.accuracy:.1%} val loss {last.val_loss:.4f}"
        f" val acc {last.val_accuracy:.1%}"
        if last and last.val_loss is not None and last.val_accuracy is not None
        else "no epochs"
    )
    without = record["val_crossentropy_without_penalty"]
    penalty = "" if without is None else f" ({without:.4f} without the L2 penalty)"
    print(
        f"{name}: {seconds:.1f} s ({cpu:.1f} s CPU), {len(result.epochs)} epochs,"
        f" {figures}{penalty}; best epoch {result.best_epoch};"
        f" {diagnosis.kind}: {diagnosis.message}",
        flush=True,
    )
    return record


def _val_crossentropy(result, data) -> float | None:
    """The final validation loss without the L2 penalty Keras adds (None: no L2)."""
    import numpy as np

    from nnpad.core.data import split_validation

    if result.keras_model is None or not result.recipe.architecture.l2:
        return None
    *_, x_val, y_val = split_validation(
        data.x_train, data.y_train, result.recipe.train.validation_split
    )
    if not len(x_val):
        return None
    probabilities = result.keras_model.predict(x_val / np.float32(255.0), verbose=0)
    picked = probabilities[np.arange(len(y_val)), y_val.astype(int)]
    return round(float(-np.mean(np.log(np.maximum(picked, 1e-7)))), 4)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and record each run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="presets to record")
    parser.add_argument("--recipe", help="a recipe as JSON (needs --name)")
    parser.add_argument("--name", help="the fixture name for --recipe")
    parser.add_argument("--data", default="sample", help="sample, mnist or a file")
    parser.add_argument("--out", type=Path, default=Path("tests/core/curves"))
    parser.add_argument(
        "--threads", type=int, help="TensorFlow threads (the window uses cores - 1)"
    )
    args = parser.parse_args(argv)

    from nnpad.core.data import load_source
    from nnpad.core.recipe import presets, spec

    data = load_source(args.data)
    runs = []
    if args.recipe:
        if not args.name:
            parser.error("--recipe needs --name")
        runs.append((args.name, spec.Recipe.from_json(args.recipe)))
    names = args.names or ([] if args.recipe else list(PROBLEM_PRESETS))
    runs += [(name, presets.preset(name)) for name in names]
    for name, recipe in runs:
        record(name, recipe, data, args.out, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())

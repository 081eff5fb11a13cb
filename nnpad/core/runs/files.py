"""Kept runs on disk: one JSON file per run, written atomically, read carefully.

A file that cannot be read is refused with a :class:`RunFileError` saying which file
and why; :func:`load_runs` reports it and still returns every other run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from nnpad.core.files import atomic_path
from nnpad.core.progress import EpochResult, kept_epoch
from nnpad.core.recipe.spec import Recipe, SpecError
from nnpad.core.runs.curves import BatchPoint
from nnpad.core.runs.run import STATUSES, Run, clean_name, rediagnosed

#: The version of the run files written by :func:`save_run`.
RUN_FORMAT = 1
RUN_FILE_PATTERN = "run-*.json"


class RunFileError(ValueError):
    """A saved run nnpad cannot read or write; the message says which and why."""


def run_file(folder: str | Path, run_id: str) -> Path:
    """Where the run with ``run_id`` is saved in ``folder``."""
    return Path(folder) / f"run-{run_id}.json"


def save_run(run: Run, folder: str | Path) -> Path:
    """Write ``run`` as JSON into ``folder`` atomically; raise RunFileError."""
    path = run_file(folder, run.id)
    data = {
        "format": RUN_FORMAT,
        "id": run.id,
        "name": run.name,
        "recipe": run.recipe.to_dict(),
        "created": run.created,
        "source": run.source,
        "status": run.status,
        "message": run.message,
        "seconds": _number(run.seconds),
        "model_path": run.model_path,
        "restored_epoch": run.restored_epoch,
        "val_accuracy": _number(run.val_accuracy),
        "epochs": [
            [
                e.epoch,
                _number(e.loss),
                _number(e.accuracy),
                _number(e.val_loss),
                _number(e.val_accuracy),
            ]
            for e in run.epochs
        ],
        "batches": [
            [_number(b.x), _number(b.loss), _number(b.accuracy)] for b in run.batches
        ],
    }
    text = json.dumps(data, indent=1, allow_nan=False)
    try:
        with atomic_path(path, suffix=".json") as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise RunFileError(
            f"cannot save run {run.name!r} to {path}: {exc.strerror or exc}"
        ) from None
    return path


def load_run(path: str | Path) -> Run:
    """Read a run saved by :func:`save_run`; raise RunFileError saying what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFileError(f"{path.name}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunFileError(f"{path.name}: not valid JSON ({exc})") from None
    try:
        return _run_from_dict(data)
    except (SpecError, KeyError, TypeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise RunFileError(f"{path.name}: not a saved nnpad run ({detail})") from None


def load_runs(folder: str | Path) -> tuple[list[Run], list[str]]:
    """Read every saved run in ``folder``: the runs, and one line per file refused."""
    folder = Path(folder)
    runs: list[Run] = []
    problems: list[str] = []
    if not folder.is_dir():
        return runs, problems
    for path in sorted(folder.glob(RUN_FILE_PATTERN)):
        try:
            runs.append(load_run(path))
        except RunFileError as exc:
            problems.append(str(exc))
    return runs, problems


def _run_from_dict(data: Any) -> Run:
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a JSON object")
    if data.get("format") != RUN_FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    status = data["status"]
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    epochs = tuple(
        EpochResult(
            epoch=_whole(row[0]),
            loss=_float(row[1]),
            accuracy=_float(row[2]),
            val_loss=_optional(row[3]),
            val_accuracy=_optional(row[4]),
        )
        for row in _rows(data["epochs"], 5, "epochs")
    )
    batches = tuple(
        BatchPoint(_float(row[0]), _float(row[1]), _float(row[2]))
        for row in _rows(data["batches"], 3, "batches")
    )
    model_path = data.get("model_path")
    restored = (
        None if data.get("restored_epoch") is None else _whole(data["restored_epoch"])
    )
    # Runs saved before the figure was kept: the kept epoch's, as the result said.
    kept = kept_epoch(epochs, restored) if status != "running" else None
    fallback = None if kept is None else kept.val_accuracy
    val_accuracy = _optional(data.get("val_accuracy", fallback))
    run = Run(
        id=_text(data["id"], "id"),
        name=clean_name(_text(data["name"], "name")),
        recipe=Recipe.from_dict(data["recipe"]),
        epochs=epochs,
        batches=batches,
        seconds=_float(data["seconds"]),
        status=status,
        created=_text(data.get("created", ""), "created"),
        model_path=None if model_path is None else _text(model_path, "model_path"),
        source=_text(data.get("source", ""), "source"),
        message=_text(data.get("message", ""), "message"),
        restored_epoch=restored,
        val_accuracy=val_accuracy,
        kept=True,
    )
    if not run.id.isalnum():
        raise ValueError(f"invalid id {run.id!r}")
    return rediagnosed(run)


def _rows(value: Any, width: int, key: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(
        isinstance(row, list) and len(row) == width for row in value
    ):
        raise ValueError(f"{key} must be a list of rows of {width} values")
    return value


def _number(value: float | None) -> float | None:
    """JSON has no NaN: a missing or non-finite figure is written as null."""
    return None if value is None or not math.isfinite(value) else float(value)


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


def _optional(value: Any) -> float | None:
    return None if value is None else _float(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not an epoch number")
    return value


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


def delete_run(folder: str | Path, run_id: str) -> None:
    """Delete the saved file of a run, if there is one; raise RunFileError."""
    try:
        run_file(folder, run_id).unlink(missing_ok=True)
    except OSError as exc:
        raise RunFileError(
            f"cannot delete the saved run {run_id}: {exc.strerror or exc}"
        ) from None

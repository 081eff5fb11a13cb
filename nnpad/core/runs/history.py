"""The runs of a session, in the order they started, updated as they train."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnpad.core.progress import BatchProgress, EpochResult
from nnpad.core.runs.curves import BatchPoint, thinned
from nnpad.core.runs.files import delete_run, load_runs, save_run
from nnpad.core.runs.run import Run, clean_name, preset_name, rediagnosed

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nnpad.core.progress import TrainResult
    from nnpad.core.recipe.spec import Recipe

#: Batch points kept per run; older ones are thinned, so memory stays bounded.
MAX_BATCH_POINTS = 1000


class RunHistory:
    """The runs of this session, in the order they started.

    Parameters
    ----------
    folder
        Where kept runs are saved (one ``run-<id>.json`` each) and loaded from;
        None keeps everything in memory only.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = None if folder is None else Path(folder)
        self._runs: dict[str, Run] = {}
        self._started = 0
        self.current_id: str | None = None  # the run whose model is in use

    # -- reading ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[Run]:
        return iter(list(self._runs.values()))

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._runs

    def runs(self) -> list[Run]:
        """Every run, oldest first."""
        return list(self._runs.values())

    @property
    def current(self) -> Run | None:
        """The run whose model is in use, if the model in use came from a run."""
        return self._runs.get(self.current_id) if self.current_id else None

    def get(self, run_id: str) -> Run:
        """The run with this id; KeyError if there is none."""
        try:
            return self._runs[run_id]
        except KeyError:
            raise KeyError(f"no run {run_id!r}") from None

    # -- a run as it trains ------------------------------------------------------------

    def start(
        self, recipe: Recipe, *, name: str | None = None, source: str = ""
    ) -> Run:
        """Add a new run of ``recipe``, running, and return it.

        Its name defaults to the preset it equals, else ``run N``.
        """
        self._started += 1
        if name:
            name = clean_name(name)
        run = Run(
            id=uuid.uuid4().hex[:12],
            name=name or preset_name(recipe) or f"run {self._started}",
            recipe=recipe,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            source=source,
        )
        return self._put(rediagnosed(run))

    def add_batch(self, run_id: str, point: BatchPoint | BatchProgress) -> Run:
        """Record a running loss; the list is thinned past MAX_BATCH_POINTS."""
        if isinstance(point, BatchProgress):
            point = BatchPoint.from_progress(point)
        run = self.get(run_id)
        points = thinned([*run.batches, point], MAX_BATCH_POINTS)
        return self._put(rediagnosed(replace(run, batches=tuple(points))))

    def add_epoch(
        self, run_id: str, result: EpochResult, seconds: float | None = None
    ) -> Run:
        """Record a complete epoch (and the time so far) and update the diagnosis."""
        run = self.get(run_id)
        changes: dict[str, Any] = {"epochs": (*run.epochs, result)}
        if seconds is not None:
            changes["seconds"] = seconds
        return self._put(rediagnosed(replace(run, **changes)))

    def finish(self, run_id: str, result: TrainResult) -> Run:
        """Record how the run ended; its epochs become the result's (authoritative)."""
        run = replace(
            self.get(run_id),
            epochs=tuple(result.epochs),
            seconds=result.seconds,
            status=result.status,
            message=result.message,
            restored_epoch=result.restored_epoch,
            val_accuracy=result.val_accuracy,
        )
        return self._save_if_kept(self._put(rediagnosed(run)))

    # -- what the person does ---------------------------------------------------------
    # Updating a kept run rewrites its file; if that fails, RunFileError is raised
    # after the run was updated in memory.

    def mark_current(self, run_id: str | None) -> None:
        """Mark the run whose model is now in use (None: a model from elsewhere)."""
        if run_id is not None:
            self.get(run_id)
        self.current_id = run_id

    def rename(self, run_id: str, name: str) -> Run:
        """Rename a run; ValueError for an empty name."""
        run = replace(self.get(run_id), name=clean_name(name))
        return self._save_if_kept(self._put(run))

    def set_model_path(self, run_id: str, path: str | Path | None) -> Run:
        """Remember where the run's model was saved."""
        run = replace(self.get(run_id), model_path=None if path is None else str(path))
        return self._save_if_kept(self._put(run))

    def keep(self, run_id: str, kept: bool = True) -> Run:
        """Keep a run beyond this session (saved now), or stop (its file is removed).

        Raises RunFileError if the file cannot be written; the run is then not kept.
        """
        run = replace(self.get(run_id), kept=kept)
        if self.folder is not None:
            if kept:
                save_run(run, self.folder)
            else:
                delete_run(self.folder, run.id)
        return self._put(run)

    def remove(self, run_id: str) -> None:
        """Forget a run, and delete its saved file if it was kept."""
        run = self._runs.pop(run_id, None)
        if self.current_id == run_id:
            self.current_id = None
        if run is not None and run.kept and self.folder is not None:
            delete_run(self.folder, run.id)

    def load(self) -> list[str]:
        """Add the kept runs saved in the folder; return one line per file refused.

        Runs already in the history are left as they are.
        """
        if self.folder is None:
            return []
        runs, problems = load_runs(self.folder)
        for run in sorted(runs, key=lambda r: r.created):
            self._runs.setdefault(run.id, run)
        return problems

    # -- internals ---------------------------------------------------------------------

    def _put(self, run: Run) -> Run:
        self._runs[run.id] = run
        return run

    def _save_if_kept(self, run: Run) -> Run:
        if run.kept and self.folder is not None:
            save_run(run, self.folder)
        return run

"""The runs of this session: their history, their curves, and what the curves show.

:class:`RunBoard` keeps a :class:`~nnpad.core.runs.RunHistory` up to date from the
training controller's reports, and drives three widgets the Train tab lays out: the
runs table, the overlaid charts and the diagnosis line under them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel

from nnpad.core.runs import RunHistory
from nnpad.ui import style
from nnpad.ui.training.runs_table import RunsTable
from nnpad.ui.training.training_charts import TrainingCharts

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QColor

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.progress import BatchProgress, EpochResult, TrainResult
    from nnpad.core.recipe.spec import Recipe
    from nnpad.core.runs import Run
    from nnpad.ui.training.training_worker import TrainingController

_STYLES = {
    "problem": style.PROBLEM_STYLE,
    "healthy": style.HEALTHY_STYLE,
    "quiet": style.QUIET_STYLE,
}


class RunBoard(QObject):
    """Follow every run; overlay the ticked ones; say what the curves show.

    ``recipe_wanted(Recipe)`` asks the form to show a run's recipe again.
    """

    recipe_wanted = Signal(object)

    def __init__(
        self, controller: TrainingController, folder: Path | None = None
    ) -> None:
        super().__init__()
        self.history = RunHistory(folder)
        self.problems = self.history.load() if folder is not None else []
        self.table = RunsTable()
        self.charts = TrainingCharts()
        self.diagnosis = QLabel()
        self.diagnosis.setObjectName("diagnosis")
        self.diagnosis.setAccessibleName("What the curves show")
        self.diagnosis.setWordWrap(True)
        self._colours: dict[str, QColor] = {}
        self._ticked: set[str] = {run.id for run in self.history.runs()[-2:]}
        self._live: str | None = None
        self._shown_diagnosis: str | None = None  # the run the line speaks of
        self._networks: dict[str, object] = {}  # each finished run's network
        controller.batch.connect(self._on_batch)
        controller.epoch.connect(self._on_epoch)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(self._on_failed)
        self.table.ticked_changed.connect(self._on_ticked)
        self.table.renamed.connect(self._on_renamed)
        self.table.recipe_wanted.connect(
            lambda run_id: self.recipe_wanted.emit(self.history.get(run_id).recipe)
        )
        self.table.keep_wanted.connect(self._on_keep)
        self.table.remove_wanted.connect(self._on_remove)
        self.table.selected.connect(self._say)
        self.refresh()

    def live_id(self) -> str | None:
        """The run now training, if any."""
        return self._live

    def begin(self, recipe: Recipe, source: str, name: str | None = None) -> Run:
        """A run starts: list it, tick it, and follow it."""
        run = self.history.start(recipe, source=source, name=name)
        self._live = run.id
        self._ticked.add(run.id)
        self._say(run.id)
        self.refresh()
        return run

    def model_changed(self, model: TrainedModel, path: str | Path | None) -> None:
        """A model is in use: mark the run it came from, if it came from one."""
        run_id = next(
            (k for k, net in self._networks.items() if net is model.network), None
        )
        self.history.mark_current(run_id)
        if run_id is not None and path is not None:
            self.history.set_model_path(run_id, path)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the table and the ticked runs' curves."""
        runs = self.history.runs()
        for run in runs:
            self._colours.setdefault(run.id, style.run_colour(len(self._colours)))
        self._ticked &= {run.id for run in runs}
        self.table.set_runs(runs, self._colours, self._ticked, self.history.current_id)
        self.charts.show_runs(
            [run for run in runs if run.id in self._ticked], self._colours
        )
        self._say(self._shown_diagnosis)

    @Slot(str)
    def _say(self, run_id: str | None) -> None:
        """Put what ``run_id``'s curves show under the charts."""
        if run_id is None or run_id not in self.history:
            self._shown_diagnosis = None
            self.diagnosis.setText("")
            return
        self._shown_diagnosis = run_id
        run = self.history.get(run_id)
        found = run.diagnosis
        if found is None:
            self.diagnosis.setText("")
            return
        style = (
            "problem"
            if found.is_problem
            else "healthy"
            if found.kind == "healthy"
            else "quiet"
        )
        self.diagnosis.setStyleSheet(_STYLES[style])
        self.diagnosis.setText(f"{run.name}: {found.message}")

    @Slot(object)
    def _on_batch(self, progress: BatchProgress) -> None:
        if self._live is not None:
            self.charts.follow(self.history.add_batch(self._live, progress))

    @Slot(object)
    def _on_epoch(self, result: EpochResult) -> None:
        if self._live is None:
            return
        run = self.history.add_epoch(self._live, result)
        self.charts.follow(run)
        if self._shown_diagnosis == run.id:
            self._say(run.id)

    @Slot(object)
    def _on_finished(self, result: TrainResult) -> None:
        if self._live is None:
            return
        self.charts.settle()
        self.history.finish(self._live, result)
        if result.network is not None:
            self._networks[self._live] = result.network
        self._live = None
        self.refresh()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._live is not None:
            self.charts.settle()
            self.history.remove(self._live)  # nothing was trained
            self._live = None
            self.refresh()

    @Slot()
    def _on_ticked(self) -> None:
        self._ticked = set(self.table.ticked())
        runs = self.history.runs()
        self.charts.show_runs(
            [run for run in runs if run.id in self._ticked], self._colours
        )

    @Slot(str, str)
    def _on_renamed(self, run_id: str, name: str) -> None:
        if name.strip() and name != self.history.get(run_id).name:
            self.history.rename(run_id, name)
            self._say(self._shown_diagnosis)

    @Slot(str, bool)
    def _on_keep(self, run_id: str, kept: bool) -> None:
        self.history.keep(run_id, kept)
        self.refresh()

    @Slot(str)
    def _on_remove(self, run_id: str) -> None:
        if run_id == self._live:
            return  # still training
        self.history.remove(run_id)
        self._ticked.discard(run_id)
        self.refresh()

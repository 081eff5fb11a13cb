"""Runs side by side: the table, the overlaid curves, names, recipes, keeping."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nnpad.core.progress import BatchProgress, EpochResult, TrainResult
from nnpad.core.recipe import presets
from nnpad.core.runs import RunHistory
from nnpad.ui.training.run_board import RunBoard
from nnpad.ui.training.training_worker import TrainingController


def feed(board: RunBoard, controller: TrainingController, losses, name="overfit"):
    """Play a run through the controller's signals, as a training would."""
    recipe = presets.preset(name)
    board.begin(recipe, "shipped sample")
    epochs = []
    for epoch, (loss, val_loss) in enumerate(losses):
        controller.batch.emit(
            BatchProgress(epoch, 5, 10, len(losses), loss, 0.9, 100.0, 1.0)
        )
        result = EpochResult(epoch, loss, 0.9, val_loss, 0.85)
        epochs.append(result)
        controller.epoch.emit(result)
    controller.finished.emit(TrainResult("finished", recipe, epochs, seconds=3.0))


OVERFITTING = [
    (1.0, 0.8),
    (0.5, 0.6),
    (0.2, 0.55),
    (0.1, 0.7),
    (0.05, 0.8),
    (0.02, 0.9),
]
HEALTHY = [(1.0, 0.9), (0.6, 0.6), (0.4, 0.45), (0.3, 0.35), (0.25, 0.3), (0.2, 0.28)]


@pytest.fixture
def board(qtbot, tmp_path: Path):
    controller = TrainingController()
    made = RunBoard(controller, tmp_path / "runs")
    qtbot.addWidget(made.table)
    qtbot.addWidget(made.charts)
    return made, controller


def test_two_runs_overlay_and_the_line_names_the_problem(board) -> None:
    made, controller = board
    feed(made, controller, OVERFITTING, "overfit")
    first = made.history.runs()[0]
    assert "overfitting" in made.diagnosis.text()
    feed(made, controller, HEALTHY, "overfit-dropout")
    second = made.history.runs()[1]
    assert made.charts.shown() == [first.id, second.id]
    assert made.table.table.rowCount() == 2
    assert made.table.table.item(0, 0).text() == "overfit"
    assert made.table.table.item(1, 0).text() == "overfit-dropout"
    assert (
        "healthy" not in made.diagnosis.text().lower()
        or "overfit" not in (made.diagnosis.text().split(":")[1])
    )
    # Each run in its own colour: the table's swatch is the curve's pen.
    pens = {
        made.charts.curves(run_id).train_loss.opts["pen"].color().name()
        for run_id in (first.id, second.id)
    }
    assert len(pens) == 2
    # Untick the first: only the second is drawn.
    made.table.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert made.charts.shown() == [second.id]


def test_rename_load_recipe_keep_and_forget(board, tmp_path: Path, qtbot) -> None:
    made, controller = board
    feed(made, controller, OVERFITTING)
    run = made.history.runs()[0]
    made.table.table.item(0, 0).setText("too many epochs")
    assert made.history.get(run.id).name == "too many epochs"
    made.table.table.selectRow(0)
    with qtbot.waitSignal(made.recipe_wanted) as wanted:
        made.table.load_button.click()
    assert wanted.args[0] == presets.overfit()
    made.table.keep_button.click()
    assert (tmp_path / "runs" / f"run-{run.id}.json").is_file()
    # A kept run comes back in the next session.
    again = RunHistory(tmp_path / "runs")
    assert again.load() == [] and [r.name for r in again.runs()] == ["too many epochs"]
    made.table.remove_button.click()
    assert len(made.history) == 0 and made.table.table.rowCount() == 0


def test_every_finished_run_gets_its_best_epoch_star(board, qtbot) -> None:
    made, controller = board
    feed(made, controller, OVERFITTING, "overfit")
    feed(made, controller, HEALTHY, "overfit-dropout")
    qtbot.wait(300)  # a redraw still pending from the last epoch must not undo it
    first, second = made.history.runs()
    for run, best in ((first, 2), (second, 5)):
        assert run.best_epoch == best
        stars, _ = made.charts.curves(run.id).best_loss.getData()
        assert list(stars) == [best + 1.0]

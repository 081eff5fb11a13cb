"""Widgets with logic of their own, each tested alone (no window around them)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QSlider

from nnpad.core.measure.evaluation import Evaluation
from nnpad.core.model import store
from nnpad.core.progress import EpochResult, TrainResult, format_percent
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.core.runs import RunHistory
from nnpad.core.training.finetune import FinetuneResult
from nnpad.core.training.finetune_config import FinetuneConfig, finetune_recipe
from nnpad.ui import style
from nnpad.ui.evaluate.confusion_view import ConfusionView
from nnpad.ui.inside.activation_view import ActivationView
from nnpad.ui.session import Session
from nnpad.ui.training.model_offer import ModelOffer
from nnpad.ui.training.runs_table import RunsTable
from nnpad.ui.window.actions import ACTIONS, CANVAS_TOOLS, MENUS, Actions, Parts

RECIPE = Recipe(Architecture(hidden=(8,)), TrainConfig(epochs=3))


def evaluation(accuracy: float, samples: int = 100) -> Evaluation:
    right = round(accuracy * samples)
    labels = np.zeros(samples, int)
    probabilities = np.zeros((samples, 10), np.float32)
    probabilities[:right, 0] = 1.0
    probabilities[right:, 1] = 1.0
    return Evaluation(labels, probabilities)


def fine_tuning() -> FinetuneResult:
    epochs = [EpochResult(0, 0.5, 0.9, 0.4, 1.0)]
    return FinetuneResult(
        "finished",
        RECIPE,
        epochs,
        network=object(),
        mine_before=evaluation(0.5, 4),
        mine_after=evaluation(1.0, 4),
        mnist_before=evaluation(0.99),
        mnist_after=evaluation(0.98),
    )


def test_the_offer_compares_a_new_training_with_the_model_in_use(qtbot) -> None:
    offer = ModelOffer(lambda: "bars")
    qtbot.addWidget(offer)
    offer.set_current_accuracy(0.99)
    epochs = [EpochResult(0, 0.5, 0.9, 0.4, 0.93)]
    offer.offer(TrainResult("finished", RECIPE, epochs, network=object()))
    assert (
        offer.label.text() == "New model: val accuracy 93.00% — current model: 99.00%"
    )
    assert not offer.use_button.isHidden()


def test_the_offer_compares_a_fine_tuning_with_its_start_on_the_same_images(
    qtbot,
) -> None:
    offer = ModelOffer(lambda: "bars")
    qtbot.addWidget(offer)
    offer.set_current_accuracy(0.5)  # another figure, on other images: not used
    offer.offer(fine_tuning())
    text = offer.label.text()
    assert "val accuracy 98.00% on MNIST check images" in text
    assert "started from: 99.00%" in text and "50.00%" not in text.split("<br>")[0]
    assert "your 4 held-out samples: 50.00% → 100.00%" in text


def test_the_runs_table_shows_the_figure_the_result_reports(qtbot) -> None:
    table = RunsTable()
    qtbot.addWidget(table)
    history = RunHistory()
    run = history.start(finetune_recipe(RECIPE, FinetuneConfig(max_epochs=15)))
    run = history.add_epoch(run.id, EpochResult(0, 0.5, 0.9, 0.4, 1.0))
    colours = {run.id: style.run_colour(0)}
    table.set_runs([run], colours, set(), None)
    assert table.table.item(0, 1).text() == "1/15"
    assert table.table.item(0, 3).text() == "…"  # running: no model yet
    result = fine_tuning()
    run = history.finish(run.id, result)
    table.set_runs([run], colours, set(), None)
    assert table.table.item(0, 3).text() == format_percent(result.val_accuracy)
    assert table.table.item(0, 3).text() == "98.00%"  # MNIST, not the held-out 100%


def test_clicking_a_confusion_cell_selects_it(qtbot) -> None:
    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.set_counts(np.eye(10, dtype=int) * 5)
    with qtbot.waitSignal(view.cell_clicked) as clicked:
        centre = view.cell_rect(4, 7).center().toPoint()
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args == [4, 7] and view.selected() == (4, 7)


def test_the_look_inside_view_follows_the_session_until_disconnected(qtbot) -> None:
    session = Session(store.load(), store.default_model_path())
    view = ActivationView()
    qtbot.addWidget(view)
    view.set_session_connected(session)
    assert view.network() is session.model.network
    other = store.load()
    session.set_model(other)
    assert view.network() is other.network
    view.set_session_connected(session, connect=False)
    session.set_model(store.load())
    assert view.network() is other.network  # no longer told


class _Canvas:
    def __init__(self) -> None:
        self.undoable = False

    def can_undo(self) -> bool:
        return self.undoable

    def can_redo(self) -> bool:
        return False

    def __getattr__(self, name: str):
        return lambda *args: None


class _Controller:
    running = False

    def is_running(self) -> bool:
        return self.running

    def stop(self) -> None:
        pass


@pytest.fixture
def actions(qtbot) -> tuple[Actions, _Canvas, _Controller]:
    window = QMainWindow()
    qtbot.addWidget(window)
    canvas, controller = _Canvas(), _Controller()
    parts = Parts(window, _Canvas(), canvas, QSlider(), controller, None, lambda: None)
    return Actions(parts), canvas, controller


def test_actions_are_enabled_while_their_condition_holds(actions) -> None:
    table, canvas, controller = actions
    assert not table["undo"].isEnabled() and table["train"].isEnabled()
    canvas.undoable, controller.running = True, True
    table.refresh()
    assert table["undo"].isEnabled()
    assert not table["train"].isEnabled() and table["stop"].isEnabled()


def test_every_menu_and_tool_names_an_action_of_the_table(actions) -> None:
    table, _, _ = actions
    names = {spec.name for spec in ACTIONS}
    assert len(names) == len(ACTIONS)  # no name twice
    listed = {name for _, menu in MENUS for name in menu if name is not None}
    assert listed <= names and set(CANVAS_TOOLS) <= names
    assert table["undo"].toolTip() == "Undo the last stroke (Ctrl+Z)"


def test_look_inside_takes_a_moving_pens_readings_less_often_for_a_cnn(qtbot) -> None:
    from nnpad.ui.inside.activation_view import CNN_FEED_MS, FNN_FEED_MS
    from tests.support.shipped import CNN_MODEL

    session = Session(store.load(), store.default_model_path())
    view = ActivationView()
    qtbot.addWidget(view)
    view.set_session_connected(session)
    assert view._feed._interval == FNN_FEED_MS / 1000
    session.set_model(store.load(CNN_MODEL))
    assert view._feed._interval == CNN_FEED_MS / 1000 > FNN_FEED_MS / 1000
    session.set_model(store.load())
    assert view._feed._interval == FNN_FEED_MS / 1000

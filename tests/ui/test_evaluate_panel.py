"""The Evaluate tab: a background evaluation, the matrix, the gallery, the canvas."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnpad.core.data import load_sample
from nnpad.core.model import store
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.ui.evaluate.evaluate_panel import STALE, EvaluatePanel
from nnpad.ui.session import Session

TIMEOUT = 20_000


@pytest.fixture
def panel(qtbot) -> EvaluatePanel:
    widget = EvaluatePanel(Session(store.load(), store.default_model_path()))
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    yield widget
    assert widget.runner.shutdown(10_000)


def run(qtbot, panel: EvaluatePanel) -> None:
    with qtbot.waitSignal(panel.runner.finished, timeout=TIMEOUT):
        panel.evaluate_button.click()
    qtbot.waitUntil(lambda: not panel.runner.is_running(), timeout=TIMEOUT)


def test_the_shipped_held_out_images_are_evaluated_in_the_background(
    qtbot, panel
) -> None:
    run(qtbot, panel)
    scored = panel.scored()
    assert scored is not None and scored.evaluation.samples == 1000
    assert scored.evaluation.accuracy > 0.97
    assert panel.confusion.counts().sum() == 1000
    assert "right on 1,000 images" in panel.summary.text()
    assert panel.progress.value() == panel.progress.maximum()
    # The surest mistake's cell is selected and listed, the surest first.
    true, predicted = panel.confusion.selected()
    assert true != predicted
    shown = [panel.gallery.item(i) for i in range(panel.gallery.count())]
    assert shown and len(shown) == scored.evaluation.confusion[true, predicted]
    confidences = [
        scored.evaluation.confidences[item.data(Qt.ItemDataRole.UserRole)]
        for item in shown
    ]
    assert confidences == sorted(confidences, reverse=True)


def test_clicking_a_cell_and_an_image(qtbot, panel) -> None:
    run(qtbot, panel)
    rect = panel.confusion.cell_rect(3, 3)
    qtbot.mouseClick(
        panel.confusion, Qt.MouseButton.LeftButton, pos=rect.center().toPoint()
    )
    assert panel.confusion.selected() == (3, 3)
    assert panel.gallery.count() == panel.scored().evaluation.confusion[3, 3]
    assert "images of 3 read right" in panel.gallery_label.text()
    first = panel.gallery.item(0)
    with qtbot.waitSignal(panel.image_chosen) as chosen:
        panel.gallery.itemClicked.emit(first)
    image, label = chosen.args
    assert label == 3 and image.shape == (28, 28) and image.dtype == np.uint8


def test_a_bad_file_is_explained(qtbot, panel, tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    panel.data_combo.setCurrentIndex(panel.data_combo.findData("any-file"))
    panel.set_file(str(bad))
    with qtbot.waitSignal(panel.runner.failed, timeout=TIMEOUT):
        panel.evaluate_button.click()
    assert "bad.npz" in panel.summary.text()
    assert panel.scored() is None


def test_an_image_from_the_gallery_goes_behind_the_ink(make_window) -> None:
    window = make_window(show=True)
    session = window.session
    panel = window.evaluation
    sample = load_sample()
    panel.image_chosen.emit(sample.x_test[0], int(sample.y_test[0]))
    assert window.canvas.has_reference()
    assert window.panels.current() == "inside"
    assert session.recognition.current.digit == int(sample.y_test[0])
    assert window.prediction.text().startswith(f"{sample.y_test[0]} (")


def evaluate_in(qtbot, panel: EvaluatePanel) -> None:
    """Evaluate the model in use and check the tab says it is of that model."""
    run(qtbot, panel)
    assert panel.is_current()
    assert STALE not in panel.summary.text()
    assert panel.scored().model is panel.session.model


def assert_marked_stale(panel: EvaluatePanel, old_accuracy: str) -> None:
    assert not panel.is_current()
    text = panel.summary.text()
    assert STALE in text
    assert old_accuracy in text  # the old figures, shown as the previous model's


@pytest.mark.slow
def test_the_evaluate_tab_marks_an_evaluation_of_a_model_no_longer_in_use(
    qtbot, make_window, tiny_dataset, tmp_path: Path
) -> None:
    window = make_window(show=True)
    panel = window.evaluation
    evaluate_in(qtbot, panel)
    shipped = f"{panel.scored().evaluation.accuracy:.2%}"
    # Another model file.
    copy = tmp_path / "copy.keras"
    shutil.copy(store.default_model_path(), copy)
    assert window.commands.load_model_file(copy)
    assert_marked_stale(panel, shipped)
    evaluate_in(qtbot, panel)
    # The shipped model again, from the menu.
    window.action_table["default_model"].trigger()
    assert_marked_stale(panel, shipped)
    evaluate_in(qtbot, panel)
    # A model just trained, with "Use it".
    training = window.training
    training.data.set_source(tiny_dataset)
    training.set_recipe(
        Recipe(Architecture(hidden=(12,)), TrainConfig(epochs=1, batch_size=16))
    )
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.action_table["train"].trigger()
    qtbot.waitUntil(lambda: not window.controller.is_running(), timeout=60_000)
    training.offer.use_button.click()
    assert_marked_stale(panel, shipped)
    evaluate_in(qtbot, panel)
    trained = panel.scored().evaluation.accuracy
    assert trained < 0.9  # one epoch on bars: not the shipped model's figure
    assert f"{trained:.2%}" in panel.summary.text()


def test_an_evaluation_finished_after_the_model_changed_is_marked(
    qtbot, make_window
) -> None:
    window = make_window(show=True)
    panel = window.evaluation
    with qtbot.waitSignal(panel.runner.finished, timeout=TIMEOUT):
        panel.evaluate_button.click()
        window.action_table["default_model"].trigger()  # while it reads the old one
    qtbot.waitUntil(lambda: not panel.runner.is_running(), timeout=TIMEOUT)
    assert not panel.is_current() and STALE in panel.summary.text()


def test_a_panel_disconnected_from_the_session_no_longer_follows_it(
    qtbot, panel
) -> None:
    run(qtbot, panel)
    panel.set_session_connected(panel.session, connect=False)
    summary = panel.summary.text()
    panel.session.set_model(store.load(), store.default_model_path())
    assert panel.summary.text() == summary  # not told
    panel.set_session_connected(panel.session)
    panel.session.set_model(store.load(), store.default_model_path())
    assert STALE in panel.summary.text()

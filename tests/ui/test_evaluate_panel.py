"""The Evaluate tab: a background evaluation, the matrix, the gallery, the canvas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from nnpad.core.data import load_sample
from nnpad.core.model import store
from nnpad.ui.evaluate_panel import EvaluatePanel
from nnpad.ui.main_window import MainWindow
from nnpad.ui.panels import INSIDE
from nnpad.ui.session import Session
from nnpad.ui.training_worker import TrainingController

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


def test_an_image_from_the_gallery_goes_behind_the_ink(qtbot, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    session = Session(store.load(), store.default_model_path())
    window = MainWindow(settings, session, TrainingController())
    qtbot.addWidget(window)
    window.show()
    panel = window.evaluation
    sample = load_sample()
    panel.image_chosen.emit(sample.x_test[0], int(sample.y_test[0]))
    assert window.canvas.has_reference()
    assert window.tabs.currentIndex() == INSIDE
    assert session.recognition.current.digit == int(sample.y_test[0])
    assert window.prediction.text().startswith(f"{sample.y_test[0]} (")

"""The whole window with the shipped model: draw, recognise, models, settings, close."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from nnpad.core.model_store import load_preferred
from nnpad.ui.main_window import MainWindow
from nnpad.ui.startup_probe import draw_stroke

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    model, path, _ = load_preferred(None)
    win = MainWindow(settings, model, path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []

    def fake(parent, title, text, *args, **kwargs):
        shown.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", fake)
    return shown


def test_object_names_for_key_widgets(window: MainWindow) -> None:
    for name in (
        "canvas",
        "prediction",
        "trainButton",
        "stopButton",
        "lossChart",
        "activations",
    ):
        assert window.findChild(object, name) is not None, name


def test_drawing_a_seven_is_recognised_live(window: MainWindow, qtbot) -> None:
    assert window.prediction.text() == ""
    with qtbot.waitSignal(window.recognizer.recognized):
        draw_stroke(window, SEVEN)
    assert len(window.canvas.drawing().strokes) == 1
    assert window.prediction.text().startswith("7 (")
    assert window.prediction.accessibleDescription() == window.prediction.text()
    # The activation view got the same activations.
    assert window.activations.network() is window.recognizer.model.network


def test_undo_redo_clear_through_actions(window: MainWindow) -> None:
    draw_stroke(window, SEVEN)
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.canvas.is_empty()
    assert window.prediction.text() == ""
    window.redo_action.trigger()
    assert window.prediction.text().startswith("7")
    window.clear_action.trigger()
    assert window.canvas.is_empty() and window.prediction.text() == ""
    window.undo_action.trigger()
    assert not window.canvas.is_empty()


def test_brush_slider_sets_the_canvas_brush(window: MainWindow) -> None:
    window.brush.setValue(30)
    assert window.canvas.brush_size == 30
    window.smaller_action.trigger()
    assert window.canvas.brush_size == 28


def test_sample_is_shown_behind_the_ink_and_classified(window: MainWindow) -> None:
    window.sample_action.trigger()
    assert window.canvas.has_reference()
    assert window.prediction.text() != ""
    assert "MNIST sample" in window.statusBar().currentMessage()
    window.clear_action.trigger()
    assert not window.canvas.has_reference()


def test_open_image_classifies_it(window: MainWindow, tmp_path: Path) -> None:
    from nnpad.core.data import load_sample

    sample = load_sample()
    path = tmp_path / "photo.png"
    Image.fromarray(255 - sample.x_train[3]).resize((120, 120)).save(path)
    window.classify_file(path)
    assert window.prediction.text().startswith(f"{sample.y_train[3]} (")


def test_a_corrupt_model_is_refused_and_the_current_one_stays(
    window: MainWindow, tmp_path: Path, warnings: list[str]
) -> None:
    before = window.recognizer.model
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert window.load_model_file(bad) is False
    assert window.recognizer.model is before
    assert warnings and "corrupt" in warnings[0]
    assert "still in use" in warnings[0]


def test_another_model_can_be_used(window: MainWindow, tmp_path: Path) -> None:
    import shutil

    from nnpad.core.inference import default_model_path

    copy = tmp_path / "copy.keras"
    shutil.copy(default_model_path(), copy)
    assert window.load_model_file(copy)
    assert window.model_path == copy
    assert "Model:" in window.model_label.text()


def test_settings_persist(qtbot, settings: QSettings) -> None:
    model, path, _ = load_preferred(None)
    first = MainWindow(settings, model, path)
    qtbot.addWidget(first)
    first.brush.setValue(33)
    first.tabs.setCurrentIndex(1)
    first.resize(700, 500)  # the offscreen screen is 800x600
    first.close()
    second = MainWindow(settings, model, path)
    qtbot.addWidget(second)
    assert second.brush.value() == 33
    assert second.tabs.currentIndex() == 1
    assert second.size().width() == 700


def test_the_window_imports_no_tensorflow() -> None:
    import subprocess
    import sys

    code = (
        "import os, sys\nos.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
        "from PySide6.QtCore import QSettings\n"
        "from nnpad.core.model_store import load_preferred\n"
        "from nnpad.ui.main_window import MainWindow\n"
        "m, p, _ = load_preferred(None)\n"
        "import tempfile\n"
        "s = QSettings(tempfile.mktemp(suffix='.ini'), QSettings.Format.IniFormat)\n"
        "w = MainWindow(s, m, p); w.show(); app.processEvents()\n"
        "print('TF', 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "TF False False" in out


def test_network_input_is_mnist_like(window: MainWindow) -> None:
    draw_stroke(window, SEVEN)
    image = window.recognizer.image
    assert image is not None and image.shape == (28, 28)
    rows, cols = np.nonzero(image > 0.1)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) <= 20


@pytest.mark.slow
def test_closing_while_training_stops_it_cleanly(
    window: MainWindow, qtbot, tiny_dataset, settings: QSettings
) -> None:
    from nnpad.core.spec import ModelSpec, Recipe, TrainConfig

    controller = window.training.controller
    window.training.set_data_source(tiny_dataset)
    window.training.set_recipe(
        Recipe(ModelSpec(hidden=(8,)), TrainConfig(epochs=500, batch_size=8))
    )
    with qtbot.waitSignal(controller.batch, timeout=60_000):
        window.train_action.trigger()
    assert controller.is_running()
    with qtbot.waitSignal(controller.running_changed, timeout=10_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert not controller.is_running()
    assert settings.value("model/path")  # settings were saved on the way out


@pytest.mark.slow
def test_using_a_trained_model(window: MainWindow, qtbot, tiny_dataset) -> None:
    from nnpad.core.spec import ModelSpec, Recipe, TrainConfig

    controller = window.training.controller
    window.training.set_data_source(tiny_dataset)
    window.training.set_recipe(
        Recipe(ModelSpec(hidden=(12,)), TrainConfig(epochs=2, batch_size=16))
    )
    with qtbot.waitSignal(controller.running_changed, timeout=60_000) as blocker:
        window.train_action.trigger()
        qtbot.waitUntil(lambda: not controller.is_running(), timeout=60_000)
    assert blocker.signal_triggered
    window.training.use_button.click()
    assert window.recognizer.model.recipe.model.hidden == (12,)
    assert window.model_path.parent.name == "models"
    assert window.model_path.is_file()

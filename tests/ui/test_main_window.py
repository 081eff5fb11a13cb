"""The whole window with the shipped model: draw, recognise, models, settings, close."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from nnpad.cli import main as cli
from nnpad.core.model import store
from nnpad.ui.drawing.canvas import CANVAS_WIDTH
from nnpad.ui.verdict_text import TextLines
from nnpad.ui.window import dialogs
from nnpad.ui.window.main_window import MainWindow
from tests.support.canvas_input import draw_stroke, replay
from tests.support.numbers import fitted, random_number

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []

    def fake(parent, title, text, *args, **kwargs):
        shown.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", fake)
    return shown


def test_object_names_for_key_widgets(window: MainWindow) -> None:
    for name in ("canvas", "prediction", "probabilities", "network_input"):
        assert window.findChild(object, name) is not None, name
    window.training  # noqa: B018 - builds the Train panel
    window.activations  # noqa: B018
    for name in ("trainButton", "stopButton", "lossChart", "activations"):
        assert window.findChild(object, name) is not None, name


def test_panels_off_screen_are_built_only_when_shown(qtbot, make_window) -> None:
    win = make_window()
    assert not win.inside.is_built() and not win.train_panel.is_built()
    with qtbot.waitSignal(win.first_painted):
        win.show()
    # The visible Look inside panel comes just after the first frame...
    qtbot.waitUntil(win.inside.is_built)
    assert not win.train_panel.is_built()
    # ... and the Train panel when it is first shown.
    win.tabs.setCurrentIndex(1)
    qtbot.waitUntil(win.train_panel.is_built)
    assert win.findChild(object, "trainButton") is not None


def test_drawing_a_seven_is_recognised_live(window: MainWindow, qtbot) -> None:
    assert window.prediction.text() == ""
    with qtbot.waitSignal(window.session.recognized):
        draw_stroke(window.canvas, SEVEN)
    assert len(window.canvas.drawing().strokes) == 1
    assert window.prediction.text().startswith("7 (")
    assert window.prediction.accessibleDescription() == window.prediction.text()
    # The activation view shows the same model and the same reading.
    assert window.activations.network() is window.session.model.network
    shown = window.activations.image_items()[-1].image
    probabilities = window.session.recognition.current.probabilities
    np.testing.assert_allclose(shown.ravel(), probabilities, rtol=1e-6)


def test_undo_redo_clear_through_actions(window: MainWindow) -> None:
    draw_stroke(window.canvas, SEVEN)
    assert window.action_table["undo"].isEnabled()
    window.action_table["undo"].trigger()
    assert window.canvas.is_empty()
    assert window.prediction.text() == ""
    window.action_table["redo"].trigger()
    assert window.prediction.text().startswith("7")
    window.action_table["clear"].trigger()
    assert window.canvas.is_empty() and window.prediction.text() == ""
    window.action_table["undo"].trigger()
    assert not window.canvas.is_empty()


def test_brush_slider_sets_the_canvas_brush(window: MainWindow) -> None:
    window.brush.setValue(30)
    assert window.canvas.brush_size == 30
    window.action_table["smaller"].trigger()
    assert window.canvas.brush_size == 28


def test_sample_is_shown_behind_the_ink_and_classified(window: MainWindow) -> None:
    window.action_table["sample"].trigger()
    assert window.canvas.has_reference()
    assert window.prediction.text() != ""
    assert "MNIST sample" in window.statusBar().currentMessage()
    window.action_table["clear"].trigger()
    assert not window.canvas.has_reference()


def test_open_image_classifies_it(window: MainWindow, tmp_path: Path) -> None:
    from nnpad.core.data import load_sample

    sample = load_sample()
    path = tmp_path / "photo.png"
    Image.fromarray(255 - sample.x_train[3]).resize((120, 120)).save(path)
    window.commands.classify_file(path)
    assert window.prediction.text().startswith(f"{sample.y_train[3]} (")


def test_a_corrupt_model_is_refused_and_the_current_one_stays(
    window: MainWindow, tmp_path: Path, warnings: list[str]
) -> None:
    before = window.session.model
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert window.commands.load_model_file(bad) is False
    assert window.session.model is before
    assert warnings and "corrupt" in warnings[0]
    assert "still in use" in warnings[0]


def test_another_model_can_be_used(window: MainWindow, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy.keras"
    shutil.copy(store.default_model_path(), copy)
    changed: list[object] = []
    window.session.model_changed.connect(changed.append)
    assert window.commands.load_model_file(copy)
    assert window.session.model_path == copy
    assert changed == [window.session.model]
    assert window.model_label.text().startswith("Model: 784-1024-512-10 · validation")
    full, where, trained_on = window.model_label.toolTip().split("\n")
    assert full == window.session.model.describe()
    assert where == str(copy)
    # The shipped FNN says what it is made of.
    assert trained_on.startswith("Trained on two networks side by side")


def test_settings_persist(make_window) -> None:
    first = make_window()
    first.brush.setValue(33)
    first.tabs.setCurrentIndex(1)
    first.resize(700, 500)  # the offscreen screen is 800x600
    first.close()
    second = make_window()
    assert second.brush.value() == 33
    assert second.tabs.currentIndex() == 1
    assert second.size().width() == 700


def test_the_window_imports_no_tensorflow() -> None:
    import subprocess
    import sys

    code = (
        "import os, sys\nos.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
        "import tempfile, time\n"
        "from nnpad.app import create_window, settings_at\n"
        "w = create_window(settings_at(tempfile.mktemp(suffix='.ini')))\n"
        "w.show(); end = time.time() + 20\n"
        "while not (w.session.model and w.inside.is_built()) and time.time() < end:\n"
        "    app.processEvents()\n"
        "w.activations; w.training; app.processEvents()\n"
        "print('TF', 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
        "print('built', w.session.model is not None, w.inside.is_built())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "TF False False" in out
    assert "built True True" in out


def test_a_number_is_read_digit_by_digit_and_any_digit_looked_at(
    window: MainWindow, qtbot
) -> None:
    number = random_number([2, 0, 2, 6], np.random.default_rng(4), spacing="normal")
    replay(window.canvas, fitted(number, CANVAS_WIDTH))
    recognition = window.session.recognition
    assert recognition.number == "2026"
    text = window.prediction.text()
    assert text.startswith("2026 (") and text == recognition.text
    assert window.prediction.accessibleDescription() == text
    strip = window.prediction.number
    assert strip.isVisible() and strip.chip_count() == 4
    marks = window.canvas.marks()
    assert [m.label.split()[0] for m in marks] == ["2", "0", "2", "6"]
    assert [m.selected for m in marks] == [False, False, False, True]  # the last drawn
    lefts = [m.box[0] for m in marks]
    assert lefts == sorted(lefts)

    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(window.inside.is_built)
    QTest.mouseClick(
        strip, Qt.MouseButton.LeftButton, pos=strip.chip_rect(1).center().toPoint()
    )
    zero = window.session.recognition.current
    assert window.session.recognition.selected == 1 and zero.digit == 0
    np.testing.assert_array_equal(window.prediction.preview.image(), zero.image)
    inputs = window.activations.image_items()[0].image
    np.testing.assert_array_equal(inputs, zero.image)
    assert [m.selected for m in window.canvas.marks()] == [False, True, False, False]
    assert "2nd digit" in window.findChild(TextLines, "whichDigit").text()
    assert window.prediction.text() == text  # the number is still what was read

    # One digit again: no strip, no boxes, and it reads as it always did.
    window.canvas.clear()
    draw_stroke(window.canvas, SEVEN)
    assert not strip.isVisible() and window.canvas.marks() == []
    assert window.prediction.text().startswith("7 (")


def test_a_saved_number_reads_the_same_through_predict(
    window: MainWindow, tmp_path: Path, monkeypatch, capsys
) -> None:
    number = random_number([3, 9, 1], np.random.default_rng(8), spacing="normal")
    replay(window.canvas, fitted(number, CANVAS_WIDTH))
    assert window.session.recognition.number == "391"
    target = tmp_path / "number.png"
    monkeypatch.setattr(dialogs, "save_png", lambda parent: str(target))
    window.commands.save_drawing()
    with Image.open(target) as img:
        assert img.size == (560, 280)  # the whole canvas
    assert cli(["predict", "--json", str(target)]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == "391"


def test_network_input_is_mnist_like(window: MainWindow) -> None:
    draw_stroke(window.canvas, SEVEN)
    image = window.session.image
    assert image is not None and image.shape == (28, 28)
    rows, cols = np.nonzero(image > 0.1)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) <= 20


@pytest.mark.slow
def test_closing_while_training_stops_it_cleanly(
    window: MainWindow, qtbot, tiny_dataset, settings: QSettings
) -> None:
    from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig

    controller = window.controller
    window.training.data.set_source(tiny_dataset)
    window.training.set_recipe(
        Recipe(Architecture(hidden=(8,)), TrainConfig(epochs=500, batch_size=8))
    )
    with qtbot.waitSignal(controller.batch, timeout=60_000):
        window.action_table["train"].trigger()
    assert controller.is_running()
    with qtbot.waitSignal(controller.running_changed, timeout=10_000):
        started = time.perf_counter()
        window.close()
        # Gone from the screen at once: the window never waits on the thread.
        assert not window.isVisible()
        assert time.perf_counter() - started < 0.5
    assert not controller.is_running()
    # Closed for real once the run ended, saving the settings on the way out.
    qtbot.waitUntil(lambda: settings.value("model/path") is not None, timeout=5000)


@pytest.mark.slow
def test_using_a_trained_model(window: MainWindow, qtbot, tiny_dataset) -> None:
    from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig

    controller = window.controller
    window.training.data.set_source(tiny_dataset)
    window.training.set_recipe(
        Recipe(Architecture(hidden=(12,)), TrainConfig(epochs=2, batch_size=16))
    )
    with qtbot.waitSignal(controller.running_changed, timeout=60_000) as blocker:
        window.action_table["train"].trigger()
        qtbot.waitUntil(lambda: not controller.is_running(), timeout=60_000)
    assert blocker.signal_triggered
    result = window.training.offer.result()
    window.training.offer.use_button.click()
    # Handed over in memory (the very network trained), and kept on disk as well.
    assert window.session.model.network is result.network
    assert window.session.model.recipe.architecture.hidden == (12,)
    assert window.session.model_path.parent.name == "models"
    assert store.load(window.session.model_path).recipe.architecture.hidden == (12,)

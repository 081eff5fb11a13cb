"""Training through the real QThread and a real (tiny) Keras fit, and the panel."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread
from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QPushButton

from nnpad.core import data as data_module
from nnpad.core.data import OfflineError
from nnpad.core.model.network import Network
from nnpad.core.model.store import load as read_model
from nnpad.core.progress import (
    BatchProgress,
    EpochResult,
    TrainingStarted,
    TrainResult,
    format_duration,
    format_percent,
)
from nnpad.core.recipe.presets import ALL_PRESETS, preset
from nnpad.core.recipe.spec import (
    Architecture,
    Recipe,
    SpecError,
    TrainConfig,
)
from nnpad.ui.training.recipe_fields import parse_hidden
from nnpad.ui.training.training_panel import TrainingPanel
from nnpad.ui.training.training_worker import TrainingController

TIMEOUT = 60_000
LEFT = Qt.MouseButton.LeftButton


def is_false(value: bool) -> bool:
    return value is False


def tiny_recipe(epochs: int = 2) -> Recipe:
    return Recipe(Architecture(hidden=(16,)), TrainConfig(epochs=epochs, batch_size=32))


@pytest.fixture
def controller(qtbot):
    ctl = TrainingController()
    yield ctl
    assert ctl.shutdown(10_000)


@pytest.fixture
def panel(qtbot):
    widget = TrainingPanel(TrainingController())
    qtbot.addWidget(widget)
    yield widget
    assert widget.controller.shutdown(10_000)


class Recorder:
    """Records the controller's signals and the thread each arrived on."""

    NAMES = ("phase", "started", "batch", "epoch", "snapshot", "finished", "failed")

    def __init__(self, controller: TrainingController) -> None:
        self.events: list[tuple[str, object]] = []
        self.threads: set[bool] = set()
        for name in (*self.NAMES, "running_changed"):
            getattr(controller, name).connect(self._make(name))

    def _make(self, name):
        def record(value) -> None:
            self.threads.add(
                QThread.currentThread() is QCoreApplication.instance().thread()
            )
            self.events.append((name, value))

        return record

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def values(self, name: str) -> list:
        return [value for n, value in self.events if n == name]


@pytest.mark.slow
def test_run_emits_in_order_on_gui_thread(qtbot, controller, tiny_dataset):
    recorder = Recorder(controller)
    with qtbot.waitSignal(
        controller.running_changed, timeout=TIMEOUT, check_params_cb=is_false
    ):
        controller.start(tiny_recipe(), tiny_dataset)
        assert controller.is_running()
    assert not controller.is_running()

    assert recorder.threads == {True}, "a signal arrived off the GUI thread"
    names = [n for n in recorder.names() if n not in ("phase", "snapshot")]
    assert names[0] == "running_changed"
    assert names[1] == "started"
    assert names[-2:] == ["finished", "running_changed"]
    middle = names[2:-2]
    assert set(middle) == {"batch", "epoch"}
    assert middle.count("epoch") == 2
    assert "batch" in middle
    assert middle.index("batch") < middle.index("epoch")
    assert "Loading TensorFlow…" in recorder.values("phase")

    (info,) = recorder.values("started")
    assert isinstance(info, TrainingStarted)
    assert info.epochs == 2
    assert info.train_samples + info.val_samples == len(tiny_dataset)
    assert all(isinstance(b, BatchProgress) for b in recorder.values("batch"))
    assert all(isinstance(e, EpochResult) for e in recorder.values("epoch"))
    snapshots = recorder.values("snapshot")
    assert snapshots, "no weight snapshot for live predictions"
    probabilities = snapshots[-1].predict(tiny_dataset.x_train[:3] / 255.0)
    assert isinstance(snapshots[-1], Network)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)

    (result,) = recorder.values("finished")
    assert result.status == "finished"
    assert result.keras_model is not None and result.network is not None
    assert len(result.epochs) == 2
    assert recorder.values("failed") == []


@pytest.mark.slow
def test_panel_run_draws_curves_and_offers_the_model(qtbot, panel, tiny_dataset):
    panel.offer.set_current_accuracy(0.5)
    panel.set_recipe(tiny_recipe())
    panel.data.set_source(tiny_dataset)
    assert panel.train_button.isEnabled()
    assert not panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.controller.finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(panel.train_button, LEFT)
        assert not panel.train_button.isEnabled()
        assert panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.controller.is_running(), timeout=TIMEOUT)
    result = done.args[0]

    charts = panel.charts
    (run,) = panel.board.history.runs()
    assert charts.shown() == [run.id] and panel.board.table.ticked() == [run.id]
    curves = charts.curves(run.id)
    x, y = curves.train_loss.getData()
    assert x is not None and len(x) > 0
    assert np.all(np.isfinite(y))
    assert 0 < x.min() and x.max() <= 2.0  # the x axis is in epochs
    val_x, _ = curves.val_loss.getData()
    assert list(val_x) == [1.0, 2.0]
    acc_x, acc_y = curves.val_accuracy.getData()
    assert len(acc_x) == 2 and np.all((acc_y >= 0) & (acc_y <= 100))
    best_x, _ = curves.best_loss.getData()
    assert list(best_x) == [run.best_epoch + 1.0]  # the star on the best epoch
    assert panel.findChild(type(charts.loss_plot), "lossChart") is charts.loss_plot
    # Two epochs are too few to judge, and the line under the charts says so.
    assert panel.board.diagnosis.text() == f"{run.name}: {run.diagnosis.message}"
    assert "too few epochs" in run.diagnosis.message

    assert panel.progress.value() == panel.progress.maximum()
    assert panel.phase_label.text().startswith("Finished")
    text = panel.offer.label.text()
    assert f"val accuracy {format_percent(result.val_accuracy)}" in text
    assert "current model: 50.00%" in text
    # The runs table shows the same figure for the run.
    assert panel.board.table.table.item(0, 3).text() in text
    assert not panel.offer.use_button.isHidden()
    assert not panel.offer.save_button.isHidden()
    assert panel.train_button.isEnabled()
    assert not panel.stop_button.isEnabled()

    with qtbot.waitSignal(panel.offer.use_requested) as used:
        qtbot.mouseClick(panel.offer.use_button, LEFT)
    assert used.args[0] is result
    assert panel.data_description() == "synthetic bars"
    assert panel.offer.use_button.isHidden()


@pytest.mark.slow
def test_stop_ends_the_run_within_a_step(qtbot, controller, tiny_dataset):
    # How many seconds that takes is a benchmark's business (README: Stop).
    after_stop: list[BatchProgress] = []
    stopped_in: list[int] = []

    def stop_once(progress: BatchProgress) -> None:
        if stopped_in:
            after_stop.append(progress)
        else:
            stopped_in.append(progress.epoch)
            controller.stop()

    controller.batch.connect(stop_once)
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT) as done:
        controller.start(tiny_recipe(epochs=500), tiny_dataset)
    result = done.args[0]
    assert result.status == "stopped"
    # The epoch it was stopped in is cut short and not counted (unless the stop
    # came at its very end); at most the step already under way reports after it.
    assert stopped_in[0] <= len(result.epochs) <= stopped_in[0] + 1
    assert len(after_stop) <= 1
    qtbot.waitUntil(lambda: not controller.is_running(), timeout=5000)


@pytest.mark.slow
def test_shutdown_during_training_is_clean(qtbot, controller, tiny_dataset):
    running: list[bool] = []
    controller.running_changed.connect(running.append)
    with qtbot.waitSignal(controller.batch, timeout=TIMEOUT):
        controller.start(tiny_recipe(epochs=500), tiny_dataset)
    thread = controller._runner._thread
    started = time.perf_counter()
    assert controller.shutdown(10_000)
    assert time.perf_counter() - started < 5.0
    assert not thread.isRunning()
    del thread  # deleteLater() is pending; keep no wrapper of it
    assert not controller.is_running()
    assert running == [True, False]
    qtbot.wait(50)  # queued signals of the old run must not revive it
    assert running == [True, False]
    assert controller.shutdown(100)  # idle: nothing to wait for


def test_shutdown_that_times_out_ends_later(
    qtbot, controller, tiny_dataset, monkeypatch
):
    # Loading can't be interrupted (nor can importing TensorFlow): shutdown() says
    # so, and the run ends on its own, stopped, before it imports TensorFlow.
    release = threading.Event()

    def slow_load(name):
        release.wait(10)
        return tiny_dataset

    monkeypatch.setattr(data_module, "load_source", slow_load)
    results: list[TrainResult] = []
    controller.finished.connect(results.append)
    controller.start(tiny_recipe(), "sample")
    assert not controller.shutdown(50)
    assert controller.is_running()
    with qtbot.waitSignal(
        controller.running_changed, timeout=10_000, check_params_cb=is_false
    ):
        release.set()
    assert [r.status for r in results] == ["stopped"]
    assert results[0].keras_model is None


def test_missing_file_fails_and_controller_starts_again(qtbot, controller, tmp_path):
    missing = str(tmp_path / "nowhere.npz")
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT) as failed:
        controller.start(tiny_recipe(), missing)
    assert "file not found" in failed.args[0]
    assert missing in failed.args[0]
    qtbot.waitUntil(lambda: not controller.is_running(), timeout=5000)
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT):
        controller.start(tiny_recipe(), missing)


@pytest.mark.slow
def test_unexpected_exception_reaches_failed(
    qtbot, controller, tiny_dataset, monkeypatch
):
    from nnpad.core.training import trainer as training

    def explode(self, listener=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(training.Trainer, "run", explode)
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT) as failed:
        controller.start(tiny_recipe(), tiny_dataset)
    assert failed.args[0] == "Training failed: RuntimeError: boom"
    qtbot.waitUntil(lambda: not controller.is_running(), timeout=5000)

    monkeypatch.undo()
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT) as done:
        controller.start(tiny_recipe(epochs=1), tiny_dataset)
    assert done.args[0].status == "finished"


def test_start_refuses_an_invalid_recipe_or_a_second_run(controller, tiny_dataset):
    bad = Recipe(Architecture(hidden=(0,)))
    with pytest.raises(SpecError):
        controller.start(bad, tiny_dataset)
    assert not controller.is_running()
    controller.start(tiny_recipe(), "does-not-exist.npz")
    with pytest.raises(RuntimeError):
        controller.start(tiny_recipe(), tiny_dataset)


def test_offline_mnist_shows_message_and_offers_local_file(
    qtbot, panel, monkeypatch, tmp_path
):
    message = "MNIST is not in nnpad's cache and could not be downloaded (offline)."

    def offline():
        raise OfflineError(message)

    monkeypatch.setattr(data_module.sources, "load_keras_mnist", offline)
    panel.data.set_source("mnist")
    with qtbot.waitSignal(panel.controller.failed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.train_button, LEFT)
    qtbot.waitUntil(lambda: not panel.controller.is_running(), timeout=5000)
    assert panel.error_label.text() == message
    assert not panel.error_label.isHidden()
    assert not panel.local_file_button.isHidden()
    assert panel.phase_label.text() == "Failed"
    assert panel.train_button.isEnabled()

    chosen = str(tmp_path / "mnist.npz")
    monkeypatch.setattr(
        "nnpad.ui.window.dialogs.QFileDialog.getOpenFileName",
        lambda *args, **kwargs: (chosen, ""),
    )
    qtbot.mouseClick(panel.local_file_button, LEFT)
    assert panel.data.source() == chosen
    assert panel.error_label.isHidden()
    assert panel.local_file_button.isHidden()


@pytest.mark.parametrize("name", list(ALL_PRESETS))
def test_recipe_form_round_trips_presets(qtbot, panel, name):
    recipe = preset(name)
    panel.set_recipe(preset("classic") if name != "classic" else preset("shipped"))
    panel.set_recipe(recipe)
    assert panel.recipe() == recipe
    assert panel.form.preset_combo.currentText() == name


def test_recipe_form_reads_edits(qtbot, panel):
    form = panel.form
    form.hidden_edit.setText("32; 16 8")
    form.lr_edit.setText("1e-4")
    form.epochs_spin.setValue(3)
    form.val_split_spin.setValue(0.2)
    recipe = panel.recipe()
    assert recipe.architecture.hidden == (32, 16, 8)
    assert recipe.train.learning_rate == 1e-4
    assert recipe.train.epochs == 3
    assert recipe.train.validation_split == 0.2


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("hidden_edit", "abc", "'abc' is not a whole number"),
        ("hidden_edit", "", "at least one layer"),
        ("hidden_edit", "128, 0", "layer size 0"),
        ("epochs_spin", 0, "epochs = 0"),
        ("lr_edit", "fast", "'fast' is not a number"),
    ],
)
def test_invalid_input_disables_train_with_a_message(qtbot, panel, field, value, words):
    assert panel.train_button.isEnabled()
    widget = getattr(panel.form, field)
    if isinstance(value, str):
        widget.setText(value)
    else:
        widget.setValue(value)
    assert not panel.train_button.isEnabled()
    error = panel.form.error_label
    assert not error.isHidden()
    assert words in error.text()
    with pytest.raises(SpecError):
        panel.recipe()

    panel.set_recipe(preset("classic"))
    assert panel.train_button.isEnabled()
    assert error.isHidden()


def fake_result(status="finished", val_accuracy=0.95, model=None) -> TrainResult:
    epochs = [EpochResult(0, 0.3, 0.9, 0.25, val_accuracy)]
    network = None if model is None else object()
    return TrainResult(
        status, tiny_recipe(), epochs, keras_model=model, network=network, message="b"
    )


def test_nan_result_is_not_offered(qtbot, panel):
    # Even with the last good weights restored, a diverged run is not offered.
    diverged = fake_result("nan", model=object())
    diverged.message = "the loss became nan"
    panel.controller.finished.emit(diverged)
    assert "diverged" in panel.offer.label.text()
    assert "the loss became nan" in panel.offer.label.text()
    assert panel.offer.use_button.isHidden()
    assert panel.offer.save_button.isHidden()
    assert panel.phase_label.text().startswith("Diverged")


def test_discard_clears_and_current_accuracy_shows(qtbot, panel):
    panel.offer.set_current_accuracy(None)
    panel.controller.finished.emit(fake_result(model=object()))
    assert "current model: —" in panel.offer.label.text()
    panel.offer.set_current_accuracy(0.9)
    assert panel.offer.label.text() == (
        "New model: val accuracy 95.00% — current model: 90.00%"
    )
    received: list[object] = []
    panel.offer.use_requested.connect(received.append)
    qtbot.mouseClick(panel.offer.discard_button, LEFT)
    assert panel.offer.label.isHidden()
    assert panel.offer.use_button.isHidden()
    assert received == []


def test_buttons_have_tooltips_names_and_keyboard_paths(panel):
    buttons = [
        panel.train_button,
        panel.stop_button,
        panel.offer.use_button,
        panel.offer.save_button,
        panel.offer.discard_button,
        panel.local_file_button,
        panel.form.advanced_button,
    ]
    for button in buttons:
        assert button.toolTip(), button.text()
        assert button.accessibleName(), button.text()
        assert "&" in button.text(), button.text()
    assert panel.findChild(QPushButton, "trainButton") is panel.train_button
    assert panel.findChild(QPushButton, "stopButton") is panel.stop_button

    labelled = [w for w in panel.findChildren(QLabel) if "&" in w.text()]
    assert all(label.buddy() is not None for label in labelled)
    texts = [w.text() for w in (*panel.findChildren(QAbstractButton), *labelled)]
    mnemonics = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(mnemonics) >= 15
    assert len(set(mnemonics)) == len(mnemonics), sorted(mnemonics)
    # The main window's menu bar (File Edit Train View Help) and "&Brush" label.
    assert not set(mnemonics) & set("fetvhb"), sorted(mnemonics)


def test_panel_does_not_import_tensorflow():
    code = (
        "import sys; import nnpad.ui.training.training_panel; "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.fixture
def untrained_result() -> TrainResult:
    from nnpad.core.model.keras_bridge import build

    model = build(tiny_recipe().architecture, seed=0)
    return fake_result(val_accuracy=0.875, model=model)


@pytest.mark.slow
def test_save_result_writes_a_loadable_model(panel, untrained_result, tmp_path):
    path = panel.offer.save(untrained_result, tmp_path / "new.keras")
    assert path == tmp_path / "new.keras"
    loaded = read_model(path)
    assert loaded.recipe == untrained_result.recipe
    assert loaded.val_accuracy == 0.875
    assert loaded.metadata["trained_on"] == "shipped MNIST sample"
    assert [p.name for p in tmp_path.iterdir()] == ["new.keras"]


@pytest.mark.slow
def test_save_failure_is_reported_and_loses_nothing(
    qtbot, panel, untrained_result, tmp_path, monkeypatch
):
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text)
    )
    panel.controller.finished.emit(untrained_result)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert panel.offer.save(untrained_result, blocker / "new.keras") is None
    assert len(shown) == 1 and "still here" in shown[0]
    assert not panel.offer.use_button.isHidden()  # still offered
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_parse_hidden_and_format_duration():
    assert parse_hidden(" 128, 64 ") == (128, 64)
    with pytest.raises(SpecError):
        parse_hidden("12.5")
    assert format_duration(75) == "1:15"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(math.inf) == "—"

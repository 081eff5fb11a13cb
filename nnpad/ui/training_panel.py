"""The training panel: data, recipe, Train/Stop, progress, live curves and the result.

The panel owns a :class:`TrainingController` (``panel.controller``): the main window
connects its ``snapshot`` signal to the live prediction and calls ``shutdown`` on
close. :class:`~nnpad.ui.recipe_form.RecipeForm` edits the recipe.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnpad.core import model_store
from nnpad.core.data import Dataset, mnist_cached
from nnpad.core.progress import format_duration
from nnpad.core.spec import (
    Recipe,
    SpecError,
)
from nnpad.ui.recipe_form import ERROR_STYLE, RecipeForm
from nnpad.ui.training_charts import TrainingCharts
from nnpad.ui.training_worker import TrainingController

if TYPE_CHECKING:
    from nnpad.core.progress import BatchProgress, TrainingStarted, TrainResult

PROGRESS_STEPS = 1000
DATA_FILE_FILTER = "MNIST data (*.npz *-ubyte *-ubyte.gz);;All files (*)"


# Mnemonics avoid the main window's menu bar (F, E, T, V, H) and its "&Brush" (B);
# Ctrl+T and Ctrl+. train and stop from anywhere in the window.
def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    return button


def _percent(value: float | None) -> str:
    return "unknown" if value is None else f"{100 * value:.1f}%"


class TrainingPanel(QWidget):
    """Train a new model and offer it: "Use it", "Save…" or "Discard".

    Signals
    -------
    use_model_requested(TrainResult)
        The person wants the new model in the window.
    save_model_requested(TrainResult)
        The person clicked Save…; connected by default to :meth:`save_with_dialog`.
    offer_changed(bool)
        Whether a new model is now on offer (Use it / Save… / Discard).
    """

    use_model_requested = Signal(object)
    save_model_requested = Signal(object)
    offer_changed = Signal(bool)  # whether a new model waits for Use it / Discard

    def __init__(
        self,
        parent: QWidget | None = None,
        controller: TrainingController | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller or TrainingController(self)
        self._local: str | Dataset | None = None
        self._data_index = 0
        self._run_source: str | Dataset | None = None
        self._run_started = False
        self._result: TrainResult | None = None
        self._current_accuracy: float | None = None

        self.data_combo = QComboBox()
        self.data_combo.setAccessibleName("Training data")
        self.data_combo.setToolTip("Images to train on")
        self._local_label = QLabel()
        self._local_label.setWordWrap(True)
        self.form = RecipeForm()
        self.train_button = _button(
            "Trai&n", "trainButton", "Train a new network with these settings"
        )
        self.stop_button = _button(
            "&Stop", "stopButton", "Stop training; epochs already done are kept"
        )
        self.phase_label = QLabel("Ready")
        self.phase_label.setAccessibleName("Training phase")
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setAccessibleName("Training progress")
        self.stats_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.local_file_button = _button(
            "Choose a &local file…",
            "localFileButton",
            "Train on MNIST from an .npz file or IDX files on this computer",
        )
        self.charts = TrainingCharts()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.use_button = _button(
            "&Use it", "useButton", "Recognise drawings with the new model"
        )
        self.save_button = _button(
            "S&ave…", "saveButton", "Save the new model to a .keras file"
        )
        self.discard_button = _button(
            "&Discard", "discardButton", "Forget the new model"
        )
        self._fill_data_combo()
        self._lay_out()
        self._connect()
        self._show_error("")
        self._set_result(None)
        self._on_running_changed(False)

    def _fill_data_combo(self) -> None:
        combo = self.data_combo
        combo.addItem("Shipped sample (6000 images)", "sample")
        combo.addItem("", "mnist")
        combo.addItem("Local file (.npz or IDX)…", "file")
        combo.addItem("Local IDX folder…", "folder")
        self.refresh_mnist_status()

    def _lay_out(self) -> None:
        data = QFormLayout()
        data.addRow("Trainin&g data:", self.data_combo)
        data.addRow("", self._local_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.phase_label, 1)
        error = QHBoxLayout()
        error.addWidget(self.error_label, 1)
        error.addWidget(self.local_file_button, 0, Qt.AlignmentFlag.AlignTop)
        offer = QHBoxLayout()
        offer.addWidget(self.result_label, 1)
        for button in (self.use_button, self.save_button, self.discard_button):
            offer.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(data)
        layout.addWidget(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.stats_label)
        layout.addLayout(error)
        layout.addWidget(self.charts, 1)
        layout.addLayout(offer)

    def _connect(self) -> None:
        self.data_combo.activated.connect(self._on_data_activated)
        self.form.validity_changed.connect(self._update_buttons)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.controller.stop)
        self.local_file_button.clicked.connect(self.choose_local_file)
        self.use_button.clicked.connect(self._on_use)
        self.save_button.clicked.connect(self._on_save)
        self.discard_button.clicked.connect(self.discard_result)
        self.save_model_requested.connect(self.save_with_dialog)
        c = self.controller
        c.phase.connect(self.phase_label.setText)
        c.started.connect(self._on_started)
        c.batch.connect(self._on_batch)
        c.epoch.connect(self.charts.add_epoch)
        c.finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)
        c.running_changed.connect(self._on_running_changed)

    # -- recipe and data ------------------------------------------------------------

    def recipe(self) -> Recipe:
        """The recipe in the form; raises SpecError (also shown) when invalid."""
        return self.form.recipe()

    def set_recipe(self, recipe: Recipe) -> None:
        """Fill the form from ``recipe``."""
        self.form.set_recipe(recipe)

    def data_source(self) -> str | Dataset | None:
        """``"sample"``, ``"mnist"``, a local path or Dataset, or None if not chosen."""
        key = self.data_combo.currentData()
        return self._local if key in ("file", "folder") else key

    def set_data_source(self, source: str | Dataset) -> None:
        """Select ``"sample"``, ``"mnist"``, a local path or a loaded Dataset."""
        if source in ("sample", "mnist"):
            self.data_combo.setCurrentIndex(self.data_combo.findData(source))
        else:
            is_dir = not isinstance(source, Dataset) and Path(source).is_dir()
            self._local = source
            self.data_combo.setCurrentIndex(
                self.data_combo.findData("folder" if is_dir else "file")
            )
        self._data_index = self.data_combo.currentIndex()
        self._show_local()

    def refresh_mnist_status(self) -> None:
        """Say in the data list whether MNIST is already downloaded."""
        state = "cached" if mnist_cached() else "not downloaded yet"
        index = self.data_combo.findData("mnist")
        self.data_combo.setItemText(index, f"MNIST (Keras download / cache) — {state}")

    @Slot(int)
    def _on_data_activated(self, index: int) -> None:
        key = self.data_combo.itemData(index)
        if key == "file":
            self.choose_local_file()
        elif key == "folder":
            self.choose_local_folder()
        else:
            self._data_index = index
            self._show_local()

    @Slot()
    def choose_local_file(self) -> None:
        """Ask for an .npz or IDX file and train on it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose MNIST data", "", DATA_FILE_FILTER
        )
        self._take_local(path)

    @Slot()
    def choose_local_folder(self) -> None:
        """Ask for a folder holding the MNIST IDX files and train on it."""
        self._take_local(QFileDialog.getExistingDirectory(self, "Choose an IDX folder"))

    def _take_local(self, path: str) -> None:
        if path:
            self.set_data_source(path)
            self._show_error("")
        else:  # cancelled: keep the previous choice
            self.data_combo.setCurrentIndex(self._data_index)

    def _show_local(self) -> None:
        source = self.data_source()
        local = self.data_combo.currentData() in ("file", "folder")
        if isinstance(source, Dataset):
            text = f"Local data: {source.source or 'in memory'}"
        else:
            text = f"Local data: {source}" if source else "No local data chosen yet"
        self._local_label.setText(text)
        self._local_label.setVisible(local)

    def data_description(self) -> str | None:
        """What the last run trained on (else the chosen data), for model metadata."""
        source = (
            self._run_source if self._run_source is not None else self.data_source()
        )
        if source is None:
            return None
        if isinstance(source, Dataset):
            return source.source or "a local dataset"
        names = {"sample": "shipped MNIST sample", "mnist": "MNIST (Keras)"}
        return names.get(source, Path(source).name)

    # -- running ---------------------------------------------------------------------

    @Slot()
    def start_training(self) -> None:
        """Train the form's recipe on the chosen data (does nothing while running)."""
        if self.controller.is_running():
            return
        try:
            recipe = self.recipe()
        except SpecError:
            return  # the form shows why
        source = self.data_source()
        if source is None:
            self.choose_local_file()
            source = self.data_source()
            if source is None:
                return
        self._run_source, self._run_started = source, False
        self._show_error("")
        self._set_result(None)
        self.charts.reset(recipe.train.epochs)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.stats_label.clear()
        self.controller.start(recipe, source)

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.form.setEnabled(not running)
        self.data_combo.setEnabled(not running)
        self._update_buttons()
        if not running:
            self.refresh_mnist_status()

    @Slot()
    def _update_buttons(self) -> None:
        running = self.controller.is_running()
        self.train_button.setEnabled(not running and self.form.is_valid())
        self.stop_button.setEnabled(running)

    @Slot(object)
    def _on_started(self, info: TrainingStarted) -> None:
        self._run_started = True
        self.phase_label.setText(
            f"Training on {info.train_samples} images"
            f" ({info.val_samples} held out for validation)…"
        )

    @Slot(object)
    def _on_batch(self, p: BatchProgress) -> None:
        self.charts.add_batch(p)
        self.progress.setValue(round(p.fraction * PROGRESS_STEPS))
        self.progress.setFormat(
            f"Epoch {p.epoch + 1}/{p.epochs} · batch"
            f" {min(p.batch, p.batches_per_epoch)}/{p.batches_per_epoch}"
            f" · {100 * p.fraction:.0f}%"
        )
        self.stats_label.setText(
            f"{p.samples_per_second:,.0f} samples/s · ETA "
            f"{format_duration(p.eta_seconds)}"
        )

    @Slot(object)
    def _on_finished(self, result: TrainResult) -> None:
        self.charts.flush()
        phases = {"finished": "Finished", "stopped": "Stopped", "nan": "Diverged"}
        self.phase_label.setText(
            f"{phases[result.status]} after {result.seconds:.1f} s"
        )
        if result.status == "finished":
            self.progress.setValue(PROGRESS_STEPS)
            self.stats_label.setText("")
        self._set_result(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.charts.flush()
        self.phase_label.setText("Failed")
        # MNIST failing before training started means it could not be downloaded.
        offline = self._run_source == "mnist" and not self._run_started
        self._show_error(message, offer_local=offline)

    def _show_error(self, message: str, *, offer_local: bool = False) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self.local_file_button.setVisible(offer_local)

    # -- the result ------------------------------------------------------------------

    def set_current_accuracy(self, accuracy: float | None) -> None:
        """Set the window's current model's validation accuracy, for comparison."""
        self._current_accuracy = accuracy
        if self._result is not None:
            self._set_result(self._result)

    def _set_result(self, result: TrainResult | None, note: str = "") -> None:
        self._result = result
        usable = (
            result is not None and result.status != "nan" and result.model is not None
        )
        if result is None:
            text = note
        elif result.status == "nan":
            text = f"Training diverged: {result.message}."
        elif not usable:
            text = "Stopped before the first epoch ended: there is no model to keep."
        else:
            text = (
                f"New model: val accuracy {_percent(result.val_accuracy)} — current"
                f" model: {_percent(self._current_accuracy)}"
            )
            if result.status == "stopped":
                text += f" (stopped after {len(result.epochs)} epoch(s))"
            text += note
        self.result_label.setText(text)
        self.result_label.setVisible(bool(text))
        self.use_button.setVisible(usable)
        self.save_button.setVisible(usable)
        self.discard_button.setVisible(result is not None)
        self.offer_changed.emit(usable)

    @Slot()
    def _on_use(self) -> None:
        if self._result is not None:
            self.use_model_requested.emit(self._result)
            self._set_result(None, "The new model is now in use.")

    @Slot()
    def _on_save(self) -> None:
        if self._result is not None:
            self.save_model_requested.emit(self._result)

    @Slot()
    def discard_result(self) -> None:
        """Forget the new model."""
        self._set_result(None)

    @Slot(object)
    def save_with_dialog(self, result: TrainResult) -> Path | None:
        """Ask where to save ``result``'s model, then :meth:`save_result`."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the new model", "model.keras", "Keras model (*.keras)"
        )
        if not path:
            return None
        if not path.endswith(".keras"):
            path += ".keras"
        return self.save_result(result, path)

    def save_result(self, result: TrainResult, path: str | Path) -> Path | None:
        """Save atomically; on failure explain in a message box and keep the result."""
        try:
            saved = model_store.save_trained(result, path, self.data_description())
        except Exception as exc:  # a full disk, no permission, a Keras error...
            QMessageBox.critical(
                self,
                "Could not save the model",
                f"{exc}\n\nThe new model is still here: try another place.",
            )
            return None
        if result is self._result:
            self._set_result(result, f" — saved to {saved.name}")
        return saved

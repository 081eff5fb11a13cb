"""The Train tab: data, recipe, Train/Stop, progress, live curves and the result.

The panel is handed the window's :class:`TrainingController`; it starts runs with
it and shows what it reports. :class:`~nnpad.ui.training.data_chooser.DataChooser`
picks the data, :class:`~nnpad.ui.training.recipe_form.RecipeForm` edits the recipe and
:class:`~nnpad.ui.training.model_offer.ModelOffer` offers the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.progress import format_duration
from nnpad.core.recipe.spec import SpecError
from nnpad.core.training.finetune_config import FinetuneConfig, finetune_recipe
from nnpad.ui.session import set_connected
from nnpad.ui.style import ERROR_STYLE
from nnpad.ui.training.data_chooser import DataChooser
from nnpad.ui.training.model_offer import ModelOffer, button
from nnpad.ui.training.recipe_form import RecipeForm
from nnpad.ui.training.run_board import RunBoard

if TYPE_CHECKING:
    from pathlib import Path

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.progress import BatchProgress, TrainingStarted, TrainResult
    from nnpad.core.recipe.spec import Recipe
    from nnpad.ui.session import Session
    from nnpad.ui.training.data_chooser import Source
    from nnpad.ui.training.training_worker import TrainingController

PROGRESS_STEPS = 1000


# Mnemonics avoid the main window's menu bar (F, E, T, V, H) and its "&Brush" (B);
# Ctrl+T and Ctrl+. train and stop from anywhere in the window.
class TrainingPanel(QWidget):
    """Train a new model and offer it (see :class:`ModelOffer`).

    Every run is listed, and its curves can be overlaid on others' (see
    :class:`RunBoard`); ``runs_folder`` is where runs the person keeps are saved.
    """

    def __init__(
        self,
        controller: TrainingController,
        parent: QWidget | None = None,
        *,
        runs_folder: Path | None = None,
        session: Session | None = None,
        samples_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session = session
        self.samples_folder = samples_folder
        self._run_source: Source | None = None
        self._run_started = False

        self.data = DataChooser()
        self.form = RecipeForm()
        self.train_button = button(
            "Trai&n", "trainButton", "Train a new network with these settings"
        )
        self.stop_button = button(
            "&Stop", "stopButton", "Stop training; epochs already done are kept"
        )
        self.teach_button = button(
            "Teach it my handwriting",
            "teachButton",
            "Fine-tune the model in use on my samples (drawings kept with a digit"
            " key), replaying the training data so that it forgets little",
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
        self.local_file_button = button(
            "Choose a &local file…",
            "localFileButton",
            "Train on MNIST from an .npz file or IDX files on this computer",
        )
        self.board = RunBoard(controller, runs_folder)
        self.charts = self.board.charts
        self.offer = ModelOffer(self.data_description)
        self._lay_out()
        self._connect()
        self._show_error("")
        self._on_running_changed(controller.is_running())
        if session is not None:
            self.set_session_connected(session)

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Compare new models with ``session``'s and mark its run (now), or stop."""
        set_connected([(session.model_changed, self._on_model_changed)], connect)
        if connect and session.model is not None:
            self._on_model_changed(session.model)

    @Slot(object)
    def _on_model_changed(self, model: TrainedModel) -> None:
        self.offer.set_current_accuracy(model.val_accuracy)
        path = None if self.session is None else self.session.model_path
        self.board.model_changed(model, path)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.teach_button)
        buttons.addWidget(self.phase_label, 1)
        error = QHBoxLayout()
        error.addWidget(self.error_label, 1)
        error.addWidget(self.local_file_button, 0, Qt.AlignmentFlag.AlignTop)
        settings = QWidget()
        settings_layout = QVBoxLayout(settings)
        settings_layout.setContentsMargins(0, 0, 0, 0)
        settings_layout.addWidget(self.data)
        settings_layout.addWidget(self.form)
        settings_layout.addStretch(1)
        # Scrolled: a long list of conv layers must not grow the window (and move
        # the canvas); the form scrolls inside its room instead.
        scroll = QScrollArea()
        scroll.setObjectName("recipeScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(settings)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(scroll)
        top.addWidget(self.board.table)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 1)
        curves = QWidget()
        curves_layout = QVBoxLayout(curves)
        curves_layout.setContentsMargins(0, 0, 0, 0)
        curves_layout.addWidget(self.charts, 1)
        curves_layout.addWidget(self.board.diagnosis)
        whole = QSplitter(Qt.Orientation.Vertical)
        whole.addWidget(top)
        whole.addWidget(curves)
        whole.setStretchFactor(0, 1)
        whole.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.stats_label)
        layout.addLayout(error)
        layout.addWidget(whole, 1)
        layout.addWidget(self.offer)

    def _connect(self) -> None:
        self.data.changed.connect(lambda: self._show_error(""))
        self.form.validity_changed.connect(self._update_buttons)
        self.train_button.clicked.connect(self.start_training)
        self.teach_button.clicked.connect(self.teach)
        self.stop_button.clicked.connect(self.controller.stop)
        self.local_file_button.clicked.connect(self.data.choose_file)
        c = self.controller
        self.board.recipe_wanted.connect(self.set_recipe)
        c.phase.connect(self.phase_label.setText)
        c.started.connect(self._on_started)
        c.batch.connect(self._on_batch)
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

    def data_description(self) -> str | None:
        """What the last run trained on (else the chosen data), for model metadata."""
        source = (
            self._run_source if self._run_source is not None else self.data.source()
        )
        return DataChooser.describe(source)

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
        source = self.data.source()
        if source is None:
            self.data.choose_file()
            source = self.data.source()
            if source is None:
                return
        self._begin(recipe, source)
        self.controller.start(recipe, source)

    @Slot()
    def teach(self) -> None:
        """Fine-tune the model in use on my samples (replaying the chosen data)."""
        model = None if self.session is None else self.session.model
        if self.controller.is_running() or model is None or not self.samples_folder:
            return
        source = self.data.source() or "sample"
        config = FinetuneConfig()
        recipe = finetune_recipe(model.recipe, config)
        self._begin(recipe, source, name="my handwriting")
        self.controller.start_finetune(model, self.samples_folder, source, config)

    def _begin(self, recipe: Recipe, source: Source, name: str | None = None) -> None:
        self._run_source, self._run_started = source, False
        self._show_error("")
        self.offer.offer(None)
        self.board.begin(recipe, self.data_description() or "", name=name)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.stats_label.clear()

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.form.setEnabled(not running)
        self.data.setEnabled(not running)
        self._update_buttons()
        if not running:
            self.data.refresh_mnist_status()

    @Slot()
    def _update_buttons(self) -> None:
        running = self.controller.is_running()
        self.train_button.setEnabled(not running and self.form.is_valid())
        self.teach_button.setEnabled(not running and self.session is not None)
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
        phases = {"finished": "Finished", "stopped": "Stopped", "nan": "Diverged"}
        self.phase_label.setText(
            f"{phases[result.status]} after {result.seconds:.1f} s"
        )
        if result.status == "finished":
            self.progress.setValue(PROGRESS_STEPS)
            self.stats_label.setText("")
        self.offer.offer(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.phase_label.setText("Failed")
        # MNIST failing before training started means it could not be downloaded.
        offline = self._run_source == "mnist" and not self._run_started
        self._show_error(message, offer_local=offline)

    def _show_error(self, message: str, *, offer_local: bool = False) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self.local_file_button.setVisible(offer_local)

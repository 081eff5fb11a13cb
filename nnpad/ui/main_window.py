"""The main window: layout and wiring only; every panel is its own widget."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnpad import __version__
from nnpad.core import model_store
from nnpad.core.data import DataError, load_sample
from nnpad.core.files import atomic_copy
from nnpad.core.model_file import LoadedModel, ModelFileError, read_model
from nnpad.core.preprocess import load_image, to_mnist
from nnpad.core.spec import Recipe, SpecError
from nnpad.ui.activation_view import ActivationView
from nnpad.ui.canvas import BRUSH_MAX, BRUSH_MIN, DrawingCanvas
from nnpad.ui.prediction_view import PredictionView
from nnpad.ui.recognizer import Recognizer
from nnpad.ui.training_panel import TrainingPanel

if TYPE_CHECKING:
    from nnpad.core.data import Dataset
    from nnpad.core.inference import Prediction
    from nnpad.core.network import Network
    from nnpad.core.progress import BatchProgress, TrainResult
    from nnpad.ui.training_worker import TrainingController

CLOSE_WAIT_MS = 3000
TITLE = "nnpad — handwritten digit recognition"


class MainWindow(QMainWindow):
    """Draw on the left, see the prediction below, train or look inside on the right."""

    def __init__(
        self,
        settings: QSettings,
        model: LoadedModel,
        model_path: Path,
        controller: TrainingController | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.settings = settings
        self.model_path = model_path
        self._closing = False
        self._sample: Dataset | None = None

        self.canvas = DrawingCanvas()
        self.prediction = PredictionView()
        self.activations = ActivationView()
        self.training = TrainingPanel(controller=controller)
        self.recognizer = Recognizer(self.canvas.current_drawing, model, parent=self)
        self.live_training = QLabel()
        self.live_training.setObjectName("liveTrainingPrediction")
        self.live_training.setToolTip(
            "What the network being trained says about your drawing right now"
        )
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)

        self._make_actions()
        self._lay_out()
        self._connect()
        self._restore_settings()
        self._show_model(model)
        self.recognizer.recognize_now()

    # -- construction --------------------------------------------------------------

    def _action(
        self,
        text: str,
        tip: str,
        shortcuts: list[QKeySequence | str] | QKeySequence.StandardKey,
        slot: object,
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcuts, QKeySequence.StandardKey):
            action.setShortcuts(shortcuts)
        else:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText)
            for s in action.shortcuts()
        )
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _make_actions(self) -> None:
        a = self._action
        self.open_image_action = a(
            "&Open image…",
            "Classify a PNG or JPEG image of a digit",
            QKeySequence.StandardKey.Open,
            self.open_image,
        )
        self.save_drawing_action = a(
            "&Save drawing…",
            "Save the drawing as a PNG image",
            QKeySequence.StandardKey.Save,
            self.save_drawing,
        )
        self.open_model_action = a(
            "Open &model…",
            "Recognise with a saved .keras model",
            ["Ctrl+Shift+O"],
            self.open_model,
        )
        self.save_model_action = a(
            "Save model &as…",
            "Save a copy of the model in use",
            ["Ctrl+Shift+S"],
            self.save_model,
        )
        self.default_model_action = a(
            "Use the shipped &model",
            "Go back to the model that comes with nnpad",
            [],
            self.use_default_model,
        )
        self.quit_action = a("&Quit", "Quit nnpad", ["Ctrl+Q"], self.close)
        self.undo_action = a(
            "&Undo", "Undo the last stroke", ["Ctrl+Z"], self.canvas.undo
        )
        self.redo_action = a(
            "&Redo",
            "Redo the stroke undone",
            ["Ctrl+Shift+Z", "Ctrl+Y"],
            self.canvas.redo,
        )
        self.clear_action = a(
            "&Clear", "Clear the canvas", ["Esc", "Delete"], self.canvas.clear
        )
        self.eraser_action = a(
            "&Eraser",
            "Erase with the left button (the right button always erases)",
            ["E"],
            self.canvas.set_eraser,
            checkable=True,
        )
        self.bigger_action = a(
            "&Bigger brush",
            "Make the brush bigger",
            ["]", "+"],
            lambda: self.brush.setValue(self.brush.value() + 2),
        )
        self.smaller_action = a(
            "S&maller brush",
            "Make the brush smaller",
            ["[", "-"],
            lambda: self.brush.setValue(self.brush.value() - 2),
        )
        self.sample_action = a(
            "Random MNIST &sample",
            "Show a random MNIST digit on the canvas to compare with or trace over",
            ["R"],
            self.show_sample,
        )
        self.train_action = a(
            "&Train",
            "Train a new network with the Train tab's settings",
            ["Ctrl+T"],
            self._train,
        )
        self.stop_action = a(
            "&Stop training",
            "Stop training (epochs already done are kept)",
            ["Ctrl+."],
            self.training.controller.stop,
        )
        self.look_inside_action = a(
            "&Look inside",
            "Show every layer's activations",
            ["Ctrl+1"],
            lambda: self.tabs.setCurrentIndex(0),
        )
        self.train_tab_action = a(
            "Train &panel",
            "Show the training panel",
            ["Ctrl+2"],
            lambda: self.tabs.setCurrentIndex(1),
        )
        self.about_action = a("&About nnpad", "About nnpad", [], self.about)

        menus = self.menuBar()
        for title, actions in (
            (
                "&File",
                [
                    self.open_image_action,
                    self.save_drawing_action,
                    None,
                    self.open_model_action,
                    self.save_model_action,
                    self.default_model_action,
                    None,
                    self.quit_action,
                ],
            ),
            (
                "&Edit",
                [
                    self.undo_action,
                    self.redo_action,
                    self.clear_action,
                    None,
                    self.eraser_action,
                    self.bigger_action,
                    self.smaller_action,
                    None,
                    self.sample_action,
                ],
            ),
            ("&Train", [self.train_action, self.stop_action]),
            ("&View", [self.look_inside_action, self.train_tab_action]),
            ("&Help", [self.about_action]),
        ):
            menu = menus.addMenu(title)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAccessibleName(action.text().replace("&", ""))
        return button

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        for action in (
            self.undo_action,
            self.redo_action,
            self.clear_action,
            self.eraser_action,
            self.sample_action,
        ):
            tools.addWidget(self._tool_button(action))
        tools.addStretch(1)
        brush_label = QLabel("&Brush")
        brush_label.setBuddy(self.brush)
        self.brush.setRange(int(BRUSH_MIN), int(BRUSH_MAX))
        self.brush.setValue(round(self.canvas.brush_size))
        self.brush.setAccessibleName("Brush size")
        self.brush.setToolTip("Brush size ([ and ] change it)")
        self.brush.setMinimumWidth(90)
        self.brush.setMaximumWidth(160)
        tools.addWidget(brush_label)
        tools.addWidget(self.brush)

        draw = QWidget()
        draw_layout = QVBoxLayout(draw)
        draw_layout.setContentsMargins(0, 0, 0, 0)
        draw_layout.addWidget(self.canvas, 1)
        draw_layout.addLayout(tools)

        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.prediction, 1)
        below_layout.addWidget(self.live_training)
        # Always laid out, so the canvas does not jump when training starts.
        self.live_training.setMinimumHeight(self.live_training.sizeHint().height())

        self.left_splitter.setObjectName("leftSplitter")
        self.left_splitter.addWidget(draw)
        self.left_splitter.addWidget(below)
        self.left_splitter.setStretchFactor(0, 3)
        self.left_splitter.setStretchFactor(1, 2)

        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self.activations, "Look inside")
        self.tabs.addTab(self.training, "Train")
        self.tabs.setTabToolTip(
            0, "Every layer's activations for your drawing (Ctrl+1)"
        )
        self.tabs.setTabToolTip(1, "Train a new network with live charts (Ctrl+2)")

        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.model_label)

    def _connect(self) -> None:
        canvas, recognizer, controller = (
            self.canvas,
            self.recognizer,
            self.training.controller,
        )
        canvas.stroke_changed.connect(recognizer.drawing_moved)
        canvas.drawing_changed.connect(recognizer.recognize_now)
        canvas.history_changed.connect(self._update_history_actions)
        recognizer.recognized.connect(self._on_recognized)
        self.brush.valueChanged.connect(canvas.set_brush_size)
        self.training.use_model_requested.connect(self.use_trained_model)
        controller.snapshot.connect(self._on_training_snapshot)
        controller.phase.connect(self._title_phase)
        controller.batch.connect(self._title_progress)
        self.training.offer_changed.connect(self._title_offer)
        controller.running_changed.connect(self._on_training_running)
        self._update_history_actions()
        self._on_training_running(False)

    # -- settings ------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry", type=QByteArray)
        if geometry and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_geometry()
        for key, splitter in (
            ("window/splitter", self.splitter),
            ("window/leftSplitter", self.left_splitter),
        ):
            state = s.value(key, type=QByteArray)
            if state and not state.isEmpty():
                splitter.restoreState(state)
        self.tabs.setCurrentIndex(s.value("window/tab", 0, type=int))
        self.brush.setValue(s.value("canvas/brush", self.brush.value(), type=int))
        recipe = s.value("training/recipe", "", type=str)
        if recipe:
            try:
                self.training.set_recipe(Recipe.from_json(recipe))
            except SpecError:
                pass  # settings from another version: keep the form's default

    def _default_geometry(self) -> None:
        screen = self.screen().availableGeometry()
        width = min(1800, int(screen.width() * 0.9))
        height = min(1100, int(screen.height() * 0.9))
        self.resize(width, height)
        self.move(screen.center() - self.rect().center())
        self.splitter.setSizes([int(width * 0.4), int(width * 0.6)])

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/leftSplitter", self.left_splitter.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.setValue("canvas/brush", self.brush.value())
        s.setValue("model/path", str(self.model_path))
        try:
            s.setValue("training/recipe", self.training.recipe().to_json())
        except SpecError:
            pass
        s.sync()

    # -- recognition ---------------------------------------------------------------

    @Slot(object, object, object)
    def _on_recognized(
        self,
        prediction: Prediction | None,
        image: np.ndarray | None,
        activations: list[np.ndarray] | None,
    ) -> None:
        self.prediction.show_prediction(prediction, image)
        self.activations.show_activations(activations)

    def show_image(self, image: np.ndarray | None, caption: str) -> None:
        """Classify a 28x28 image that is not the drawing (a file or a sample)."""
        if image is None:
            self.statusBar().showMessage(f"{caption}: no digit found", 8000)
            return
        self.recognizer.recognize_image(image)
        self.statusBar().showMessage(f"{caption} — draw to go back to your drawing")

    @Slot()
    def _update_history_actions(self) -> None:
        self.undo_action.setEnabled(self.canvas.can_undo())
        self.redo_action.setEnabled(self.canvas.can_redo())

    # -- drawing files and samples -------------------------------------------------

    @Slot()
    def open_image(self) -> None:
        """Classify an image file, prepared like the canvas."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open an image of a digit",
            "",
            "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff)",
        )
        if path:
            self.classify_file(path)

    def classify_file(self, path: str | Path) -> None:
        """Show the prediction for an image file (same path as ``nnpad predict``)."""
        try:
            image = to_mnist(load_image(path))
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot open the image", str(exc))
            return
        self.show_image(image, Path(path).name)

    @Slot()
    def save_drawing(self) -> None:
        """Save the drawing as a PNG."""
        if self.canvas.is_empty():
            self.statusBar().showMessage("Nothing to save: the canvas is empty", 5000)
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the drawing", "digit.png", "PNG image (*.png)"
        )
        if not path:
            return
        try:
            self.canvas.save_png(path)
        except OSError as exc:
            QMessageBox.warning(self, "Could not save the drawing", str(exc))
            return
        self.statusBar().showMessage(f"Saved {path}", 5000)

    @Slot()
    def show_sample(self) -> None:
        """Put a random MNIST sample behind the ink and classify it."""
        try:
            if self._sample is None:
                self._sample = load_sample()
        except DataError as exc:
            QMessageBox.warning(self, "No sample", str(exc))
            return
        index = int(np.random.default_rng().integers(len(self._sample.x_train)))
        pixels = self._sample.x_train[index]
        self.canvas.set_reference(pixels)
        self.show_image(
            pixels.astype(np.float32) / 255.0,
            f"MNIST sample #{index}, labelled {self._sample.y_train[index]}",
        )

    # -- models --------------------------------------------------------------------

    def _show_model(self, model: LoadedModel) -> None:
        accuracy = model.val_accuracy
        text = model.recipe.model.describe()
        if accuracy is not None:
            text += f" · validation accuracy {accuracy:.2%}"
        self.model_label.setText(f"Model: {text}")
        self.model_label.setToolTip(str(self.model_path))
        self.activations.set_network(model.network)
        self.training.set_current_accuracy(accuracy)

    def set_model(self, model: LoadedModel, path: Path) -> None:
        """Recognise with ``model`` (read from ``path``) from now on."""
        self.model_path = path
        self._show_model(model)
        self.recognizer.set_model(model)
        self.settings.setValue("model/path", str(path))

    @Slot()
    def open_model(self) -> None:
        """Open a saved model; a bad file is refused and the current one stays."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a model", "", "Keras model (*.keras)"
        )
        if path:
            self.load_model_file(path)

    def load_model_file(self, path: str | Path) -> bool:
        """Load and use a model file; explain and keep the current model on failure."""
        try:
            model = read_model(path)
        except ModelFileError as exc:
            QMessageBox.warning(
                self,
                "Cannot use this model",
                f"{exc}\n\nThe current model is still in use.",
            )
            return False
        self.set_model(model, Path(path))
        self.statusBar().showMessage(f"Using {Path(path).name}", 5000)
        return True

    @Slot()
    def use_default_model(self) -> None:
        """Go back to the shipped model."""
        model, path, _ = model_store.load_preferred(None)
        self.set_model(model, path)

    @Slot()
    def save_model(self) -> None:
        """Save a copy of the model in use."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the model", self.model_path.name, "Keras model (*.keras)"
        )
        if not path:
            return
        if not path.endswith(".keras"):
            path += ".keras"
        try:
            atomic_copy(self.model_path, path)
        except OSError as exc:
            QMessageBox.warning(self, "Could not save the model", str(exc))

    @Slot(object)
    def use_trained_model(self, result: TrainResult) -> None:
        """Keep a finished training's model and recognise with it."""
        try:
            path = model_store.keep_trained(result, self.training.data_description())
            model = read_model(path)
        except ModelFileError as exc:
            QMessageBox.warning(self, "Could not keep the new model", str(exc))
            return
        self.set_model(model, path)
        self.statusBar().showMessage(f"Using the new model ({path.name})", 8000)

    # -- training --------------------------------------------------------------------

    @Slot()
    def _train(self) -> None:
        self.tabs.setCurrentWidget(self.training)
        self.training.start_training()

    @Slot(object)
    def _on_training_snapshot(self, network: Network) -> None:
        prediction = self.recognizer.predict_with(network)
        text = "—" if prediction is None else prediction.describe()
        self.live_training.setText(f"The network being trained says: {text}")

    # The title tells the taskbar (and a person in another window) how training goes.
    @Slot(str)
    def _title_phase(self, text: str) -> None:
        self.setWindowTitle(f"Training: {text} — nnpad")

    @Slot(object)
    def _title_progress(self, progress: BatchProgress) -> None:
        self.setWindowTitle(f"Training {progress.fraction:.0%} — nnpad")

    @Slot(bool)
    def _title_offer(self, offered: bool) -> None:
        self.setWindowTitle("New model ready — nnpad" if offered else TITLE)

    @Slot(bool)
    def _on_training_running(self, running: bool) -> None:
        if running:
            self.setWindowTitle("Training — nnpad")
        elif self.windowTitle().startswith("Training"):
            self.setWindowTitle(TITLE)  # failed
        self.train_action.setEnabled(not running)
        self.stop_action.setEnabled(running)
        self.live_training.setText(
            "The network being trained says: —" if running else ""
        )
        if not running and self._closing:
            QTimer.singleShot(0, self.close)

    # -- closing -------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102
        controller = self.training.controller
        if controller.is_running() and not controller.shutdown(CLOSE_WAIT_MS):
            # Still winding down: close when the thread reports it has finished.
            self._closing = True
            self.statusBar().showMessage("Stopping training before closing…")
            event.ignore()
            return
        self._save_settings()
        event.accept()

    @Slot()
    def about(self) -> None:
        """Show the About box."""
        QMessageBox.about(
            self,
            "About nnpad",
            f"<b>nnpad {__version__}</b><br>Draw a digit and watch a neural network"
            " recognise it; retrain it and look inside.<br><br>Trained on MNIST"
            " (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0).",
        )

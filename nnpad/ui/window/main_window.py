"""The main window: layout and wiring only; every panel is its own widget.

The canvas and the prediction are built at once. The tabs on the right (Look inside,
Train, Evaluate, My samples), which need pyqtgraph, are built after the first frame
is on screen or when first asked for (:mod:`nnpad.ui.window.panels`), so the window
shows at nearly the speed of an empty one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnpad.ui.drawing.canvas import BRUSH_MAX, BRUSH_MIN, DrawingCanvas
from nnpad.ui.drawing.canvas_overlays import digit_marks
from nnpad.ui.reading.prediction_view import PredictionView
from nnpad.ui.samples.sample_keeper import SampleKeeper
from nnpad.ui.session import set_connected
from nnpad.ui.training.training_status import TrainingStatus
from nnpad.ui.window import window_settings
from nnpad.ui.window.actions import Actions, Parts
from nnpad.ui.window.commands import Commands
from nnpad.ui.window.lazy_panel import LazyPanel
from nnpad.ui.window.panels import Panels, my_samples

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QCloseEvent

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.evaluate.evaluate_panel import EvaluatePanel
    from nnpad.ui.inside.activation_view import ActivationView
    from nnpad.ui.samples.samples_panel import SamplesPanel
    from nnpad.ui.session import Session
    from nnpad.ui.training.training_panel import TrainingPanel
    from nnpad.ui.training.training_worker import TrainingController


class MainWindow(QMainWindow):
    """Draw on the left, see the reading below, look inside or train on the right.

    ``first_painted`` is emitted once, just after the first frame; ``closed`` when
    the window has really closed (after a training it waited for, too).
    """

    first_painted = Signal()
    closed = Signal()

    def __init__(
        self, settings: QSettings, session: Session, controller: TrainingController
    ) -> None:
        super().__init__()
        self.settings = settings
        self.session = session
        self.controller = controller
        self._closing = False
        self._painted = False

        self.canvas = DrawingCanvas()
        self.prediction = PredictionView()
        self.status = TrainingStatus(self, session, controller)
        self.live_training = self.status.live
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.commands = Commands(self, session, self.canvas)
        store = my_samples()
        self.keeper = SampleKeeper(self, self.canvas, store)
        self.panels = Panels(
            self.tabs,
            settings=settings,
            session=session,
            controller=controller,
            commands=self.commands,
            status=self.status,
            store=store,
        )
        self.inside, self.train_panel = self.panels.inside, self.panels.train
        parts = Parts(
            self,
            self.commands,
            self.canvas,
            self.brush,
            controller,
            self.panels,
            self._train,
        )
        self.action_table = Actions(parts)
        self._lay_out()
        self._connect()
        self._splitters = {
            "window/splitter": self.splitter,
            "window/leftSplitter": self.left_splitter,
        }
        window_settings.restore_window(
            settings, self, self._splitters, self.tabs, self.brush
        )
        self.canvas.installEventFilter(self)

    # -- the lazily built panels ---------------------------------------------------

    def is_ready(self) -> bool:
        """Whether the model is loaded and the panel on screen is built."""
        panel = self.tabs.currentWidget()
        built = not isinstance(panel, LazyPanel) or panel.is_built()
        return self.session.model is not None and built

    @property
    def activations(self) -> ActivationView:
        """The Look inside panel (built now if it was not yet)."""
        return self.panels.inside.content()

    @property
    def training(self) -> TrainingPanel:
        """The Train panel (built now if it was not yet)."""
        return self.panels.train.content()

    @property
    def evaluation(self) -> EvaluatePanel:
        """The Evaluate panel (built now if it was not yet)."""
        return self.panels.evaluate.content()

    @property
    def samples(self) -> SamplesPanel:
        """The My samples panel (built now if it was not yet)."""
        return self.panels.samples.content()

    # -- construction --------------------------------------------------------------

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        for button in self.action_table.canvas_tools():
            tools.addWidget(button)
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
        below_layout.addWidget(self.keeper.bar)
        below_layout.addWidget(self.live_training)
        # Always laid out, so the canvas does not jump when training starts.
        self.live_training.setMinimumHeight(self.live_training.sizeHint().height())

        self.left_splitter.setObjectName("leftSplitter")
        self.left_splitter.addWidget(draw)
        self.left_splitter.addWidget(below)
        self.left_splitter.setStretchFactor(0, 3)
        self.left_splitter.setStretchFactor(1, 2)

        self.tabs.setObjectName("tabs")

        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.model_label)

    def _connect(self) -> None:
        canvas, session, controller = self.canvas, self.session, self.controller
        canvas.stroke_changed.connect(session.drawing_moving)
        canvas.drawing_changed.connect(session.read_drawing)
        canvas.history_changed.connect(self.action_table.refresh)
        self.prediction.set_session_connected(session)
        self.prediction.opinion_chosen.connect(self.commands.use_shipped)
        self.keeper.set_session_connected(session)
        self.set_session_connected(session)
        self.brush.valueChanged.connect(canvas.set_brush_size)
        self.keeper.saved.connect(self._on_sample_kept)
        # Queued: after whatever else waits for the first frame (the model's loading).
        self.first_painted.connect(
            self.panels.release, Qt.ConnectionType.QueuedConnection
        )
        controller.running_changed.connect(self._on_training_running)

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Name ``session``'s model and mark the digits it reads (now), or stop."""
        links = (
            (session.model_changed, self._show_model),
            (session.recognized, self._mark_digits),
        )
        set_connected(links, connect)
        if connect and session.model is not None:
            self._show_model(session.model)

    @Slot(object)
    def _mark_digits(self, recognition: Recognition | None) -> None:
        drawn = self.session.source == "drawing"
        self.canvas.set_marks(digit_marks(recognition) if drawn else [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note the canvas' first paint: the window is on screen."""
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)
        return super().eventFilter(watched, event)

    # -- the model and its readings --------------------------------------------------

    @Slot(object)
    def _show_model(self, model: TrainedModel) -> None:
        self.model_label.setText(f"Model: {model.describe(short=True)}")
        path = self.session.model_path
        where = "in memory only" if path is None else str(path)
        lines = [model.describe(), where]
        trained_on = model.metadata.get("trained_on")
        if isinstance(trained_on, str) and trained_on:
            lines.append(f"Trained on {trained_on}")
        self.model_label.setToolTip("\n".join(lines))

    @Slot(int)
    def _on_sample_kept(self, label: int) -> None:
        if self.panels.samples.is_built():
            self.samples.refresh()

    # -- training --------------------------------------------------------------------

    @Slot()
    def _train(self) -> None:
        self.panels.show("train")
        self.training.start_training()

    @Slot(bool)
    def _on_training_running(self, running: bool) -> None:
        self.action_table.refresh()
        if not running and self._closing:
            QTimer.singleShot(0, self.close)

    # -- closing -------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102
        if self.controller.is_running():
            # Never block the window on the training thread: hide it now, ask the run
            # to stop, and close for real when the thread has ended (at once while
            # training; importing TensorFlow cannot be interrupted).
            self._closing = True
            self.controller.stop()
            self.hide()
            event.ignore()
            return
        self._save_settings()
        event.accept()
        self.closed.emit()

    def _save_settings(self) -> None:
        s = self.settings
        window_settings.save_window(s, self, self._splitters, self.tabs, self.brush)
        if self.session.model_path is not None:
            s.setValue(window_settings.MODEL_PATH, str(self.session.model_path))
        if self.train_panel.is_built():
            window_settings.save_recipe(s, self.training)
        s.sync()

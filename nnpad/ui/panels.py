"""The tabs on the right, each built when first needed and then wired to the rest.

Look inside, Train, Evaluate and My samples need pyqtgraph or the disk; none of
them is built before the window's first frame (:class:`LazyPanel`). Each factory
here builds its panel and connects it to the session, the training controller and
the window's commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from nnpad import resources
from nnpad.core.data.my_samples import SampleStore
from nnpad.ui import window_settings
from nnpad.ui.lazy_panel import LazyPanel
from nnpad.ui.live_feed import LiveFeed

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QTabWidget

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.progress import TrainResult
    from nnpad.ui.activation_view import ActivationView
    from nnpad.ui.commands import Commands
    from nnpad.ui.evaluate_panel import EvaluatePanel
    from nnpad.ui.samples_panel import SamplesPanel
    from nnpad.ui.session import Session
    from nnpad.ui.training_panel import TrainingPanel
    from nnpad.ui.training_status import TrainingStatus
    from nnpad.ui.training_worker import TrainingController

INSIDE, TRAIN, EVALUATE, SAMPLES = range(4)  # the tabs, in order


def my_samples() -> SampleStore:
    """Where my samples live: ``<user data>/samples``."""
    return SampleStore(resources.user_data_dir() / "samples")


class Panels(QObject):
    """Build the four tab panels on demand and wire each as it is built."""

    def __init__(
        self,
        tabs: QTabWidget,
        *,
        settings: QSettings,
        session: Session,
        controller: TrainingController,
        commands: Commands,
        status: TrainingStatus,
        store: SampleStore,
    ) -> None:
        super().__init__(tabs)
        self.tabs, self.settings, self.session = tabs, settings, session
        self.controller, self.commands, self.status = controller, commands, status
        self.store = store
        self.inside = LazyPanel(self._inside)
        self.train = LazyPanel(self._train)
        self.evaluate = LazyPanel(self._evaluate)
        self.samples = LazyPanel(self._samples)
        for panel, title, tip in (
            (self.inside, "Look inside", "Every layer's activations (Ctrl+1)"),
            (self.train, "Train", "Train a network with live charts (Ctrl+2)"),
            (self.evaluate, "Evaluate", "Where the network fails (Ctrl+3)"),
            (self.samples, "My samples", "Drawings kept to teach it (Ctrl+4)"),
        ):
            tabs.setTabToolTip(tabs.addTab(panel, title), tip)

    def release(self) -> None:
        """The window is on screen: build the panel shown, and others when shown."""
        for panel in (self.inside, self.train, self.evaluate, self.samples):
            panel.release()

    def model_changed(self, model: TrainedModel) -> None:
        """Tell the built panels about the model now in use."""
        if self.inside.is_built():
            self.inside.content().set_network(model.network)
        if self.train.is_built():
            panel = self.train.content()
            panel.offer.set_current_accuracy(model.val_accuracy)
            panel.board.model_changed(model, self.session.model_path)

    def _inside(self) -> ActivationView:
        from nnpad.ui.activation_view import ActivationView

        view = ActivationView()
        if self.session.model is not None:
            view.set_network(self.session.model.network)
        view.show_recognition(self.session.recognition)
        # Its heat maps are slow to paint: fewer of a moving pen's readings.
        LiveFeed(self.session, view.show_recognition, parent=view)
        return view

    def _train(self) -> TrainingPanel:
        from nnpad.ui.training_panel import TrainingPanel

        panel = TrainingPanel(
            self.controller,
            runs_folder=resources.user_data_dir() / "runs",
            session=self.session,
            samples_folder=self.store.root,
        )
        window_settings.restore_recipe(self.settings, panel)
        model = self.session.model
        panel.offer.set_current_accuracy(None if model is None else model.val_accuracy)
        panel.offer.use_requested.connect(self._use_trained)
        panel.offer.changed.connect(self.status.offer_changed)
        return panel

    def _evaluate(self) -> EvaluatePanel:
        from nnpad.ui.evaluate_panel import EvaluatePanel

        panel = EvaluatePanel(self.session)
        panel.image_chosen.connect(self._look_at)
        return panel

    def _samples(self) -> SamplesPanel:
        from nnpad.ui.samples_panel import SamplesPanel

        panel = SamplesPanel(self.store)
        panel.teach_requested.connect(self.teach)
        return panel

    @Slot()
    def teach(self) -> None:
        """Fine-tune on my samples, shown in the Train tab."""
        self.tabs.setCurrentWidget(self.train)
        self.train.content().teach()

    @Slot(object)
    def _use_trained(self, result: TrainResult) -> None:
        trained_on = self.train.content().data_description()
        self.commands.use_trained_model(result, trained_on)

    @Slot(object, int)
    def _look_at(self, pixels: np.ndarray, label: int) -> None:
        """An evaluated image: behind the ink, read, and looked inside."""
        self.commands.show_reference(pixels, f"An evaluated image of a {label}")
        self.tabs.setCurrentIndex(INSIDE)

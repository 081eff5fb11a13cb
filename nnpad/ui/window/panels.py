"""The tabs on the right, each built when first needed, and chosen by name.

Look inside, Train, Evaluate and My samples need pyqtgraph or the disk; none of
them is built before the window's first frame (:class:`LazyPanel`). Each factory
here builds its panel, which subscribes itself to the session; the factory connects
what the panel asks of the window (its commands, the other tabs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, Slot

from nnpad import resources
from nnpad.core.data.samples.store import SampleStore
from nnpad.ui.window import window_settings
from nnpad.ui.window.lazy_panel import LazyPanel

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QTabWidget

    from nnpad.core.progress import TrainResult
    from nnpad.ui.evaluate.evaluate_panel import EvaluatePanel
    from nnpad.ui.inside.activation_view import ActivationView
    from nnpad.ui.samples.samples_panel import SamplesPanel
    from nnpad.ui.session import Session
    from nnpad.ui.training.training_panel import TrainingPanel
    from nnpad.ui.training.training_status import TrainingStatus
    from nnpad.ui.training.training_worker import TrainingController
    from nnpad.ui.window.commands import Commands

Tab = Literal["inside", "train", "evaluate", "samples"]


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
        self._tabs: dict[Tab, LazyPanel] = {
            "inside": self.inside,
            "train": self.train,
            "evaluate": self.evaluate,
            "samples": self.samples,
        }
        for panel, title, tip in (
            (self.inside, "Look inside", "Every layer's activations (Ctrl+1)"),
            (self.train, "Train", "Train a network with live charts (Ctrl+2)"),
            (self.evaluate, "Evaluate", "Where the network fails (Ctrl+3)"),
            (self.samples, "My samples", "Drawings kept to teach it (Ctrl+4)"),
        ):
            tabs.setTabToolTip(tabs.addTab(panel, title), tip)

    def show(self, tab: Tab) -> None:
        """Bring ``tab`` to the front."""
        self.tabs.setCurrentWidget(self._tabs[tab])

    def current(self) -> Tab:
        """The tab in front."""
        shown = self.tabs.currentWidget()
        return next(name for name, panel in self._tabs.items() if panel is shown)

    def release(self) -> None:
        """The window is on screen: build the panel shown, and others when shown."""
        for panel in self._tabs.values():
            panel.release()

    def _inside(self) -> ActivationView:
        from nnpad.ui.inside.activation_view import ActivationView

        view = ActivationView()
        view.set_session_connected(self.session)
        return view

    def _train(self) -> TrainingPanel:
        from nnpad.ui.training.training_panel import TrainingPanel

        panel = TrainingPanel(
            self.controller,
            runs_folder=resources.user_data_dir() / "runs",
            session=self.session,
            samples_folder=self.store.root,
        )
        window_settings.restore_recipe(self.settings, panel)
        panel.offer.use_requested.connect(self._use_trained)
        panel.offer.changed.connect(self.status.offer_changed)
        return panel

    def _evaluate(self) -> EvaluatePanel:
        from nnpad.ui.evaluate.evaluate_panel import EvaluatePanel

        panel = EvaluatePanel(self.session)
        panel.image_chosen.connect(self._look_at)
        return panel

    def _samples(self) -> SamplesPanel:
        from nnpad.ui.samples.samples_panel import SamplesPanel

        panel = SamplesPanel(self.store)
        panel.teach_requested.connect(self.teach)
        return panel

    @Slot()
    def teach(self) -> None:
        """Fine-tune on my samples, shown in the Train tab."""
        self.show("train")
        self.train.content().teach()

    @Slot(object)
    def _use_trained(self, result: TrainResult) -> None:
        trained_on = self.train.content().data_description()
        self.commands.use_trained_model(result, trained_on)

    @Slot(object, int)
    def _look_at(self, pixels: np.ndarray, label: int) -> None:
        """An evaluated image: behind the ink, read, and looked inside."""
        self.commands.show_reference(pixels, f"An evaluated image of a {label}")
        self.show("inside")

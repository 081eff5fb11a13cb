"""How training goes, told outside the Train tab: the window title and a live line.

The title tells the taskbar (and a person in another window) what the training does
("Training 40% — nnpad", "New model ready — nnpad"); the line under the prediction
says what the network being trained makes of the drawing right now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from nnpad.core.model.network import Network
    from nnpad.core.progress import BatchProgress
    from nnpad.ui.session import Session
    from nnpad.ui.training.training_worker import TrainingController

TITLE = "nnpad — handwritten digit recognition"
LIVE = "The network being trained says: "


class TrainingStatus(QObject):
    """Keep ``window``'s title and the :attr:`live` line in step with training."""

    def __init__(
        self, window: QWidget, session: Session, controller: TrainingController
    ) -> None:
        super().__init__(window)
        self.window, self.session = window, session
        self.live = QLabel()
        self.live.setObjectName("liveTrainingPrediction")
        self.live.setToolTip(
            "What the network being trained says about your drawing right now"
        )
        window.setWindowTitle(TITLE)
        controller.snapshot.connect(self._on_snapshot)
        controller.phase.connect(self._on_phase)
        controller.batch.connect(self._on_batch)
        controller.running_changed.connect(self._on_running)

    @Slot(object)
    def _on_snapshot(self, network: Network) -> None:
        reading = self.session.read_with(network)
        self.live.setText(LIVE + ("—" if reading is None else reading.describe()))

    @Slot(str)
    def _on_phase(self, text: str) -> None:
        self.window.setWindowTitle(f"Training: {text} — nnpad")

    @Slot(object)
    def _on_batch(self, progress: BatchProgress) -> None:
        self.window.setWindowTitle(f"Training {progress.fraction:.0%} — nnpad")

    @Slot(bool)
    def offer_changed(self, offered: bool) -> None:
        """A new model is (or is no longer) on offer in the Train tab."""
        self.window.setWindowTitle("New model ready — nnpad" if offered else TITLE)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        if running:
            self.window.setWindowTitle("Training — nnpad")
        elif self.window.windowTitle().startswith("Training"):
            self.window.setWindowTitle(TITLE)  # failed
        self.live.setText(LIVE + "—" if running else "")

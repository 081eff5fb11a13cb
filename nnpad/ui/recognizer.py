"""Live recognition: the current drawing through the current model, throttled.

Runs on the GUI thread: the NumPy forward pass of a drawing takes a few
milliseconds, so there is nothing to gain from a thread and no state to share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nnpad.core.inference import Prediction, predict
from nnpad.core.preprocess import drawing_to_mnist

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from nnpad.core.model_file import LoadedModel
    from nnpad.core.network import Network
    from nnpad.core.strokes import Drawing


class Recognizer(QObject):
    """Turn drawings into predictions and activations for the views.

    ``recognized`` carries (Prediction | None, image28 | None, activations | None);
    all three are None when there is no ink.
    """

    recognized = Signal(object, object, object)
    model_changed = Signal(object)  # LoadedModel

    def __init__(
        self,
        drawing: Callable[[], Drawing],
        model: LoadedModel,
        *,
        interval_ms: int = 16,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._drawing = drawing
        self._model = model
        self._pending = False
        # Leading-edge throttle: the first move is recognised at once, later ones at
        # most once per interval, and the last one is never dropped.
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self.image: np.ndarray | None = None

    @property
    def model(self) -> LoadedModel:
        """The model predictions come from."""
        return self._model

    def set_model(self, model: LoadedModel) -> None:
        """Use ``model`` from now on and recognise the drawing again."""
        self._model = model
        self.model_changed.emit(model)
        self.recognize_now()

    @Slot()
    def drawing_moved(self) -> None:
        """The drawing is changing (mouse move): recognise, throttled."""
        if self._timer.isActive():
            self._pending = True
            return
        self.recognize_now()
        self._timer.start()

    @Slot()
    def recognize_now(self) -> None:
        """Recognise the current drawing immediately."""
        self._pending = False
        self.recognize_image(drawing_to_mnist(self._drawing()))

    def recognize_image(self, image: np.ndarray | None) -> None:
        """Recognise a prepared 28x28 image (None: no ink) and report it."""
        self.image = image
        if image is None:
            self.recognized.emit(None, None, None)
            return
        activations = self._model.network.activations(image)
        self.recognized.emit(Prediction(activations[-1][0]), image, activations)

    def predict_with(self, network: Network) -> Prediction | None:
        """What another network (e.g. a training snapshot) says about the drawing."""
        return None if self.image is None else predict(network, self.image)

    @Slot()
    def _on_timeout(self) -> None:
        if self._pending:
            self.recognize_now()
            self._timer.start()

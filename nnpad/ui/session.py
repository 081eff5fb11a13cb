"""The session: the one owner of the current model, and what it reads.

Data flows one way: the canvas emits its drawing, the session reads it with the
current model (on the GUI thread: the NumPy forward pass takes a millisecond or
two) and emits a :class:`~nnpad.core.recognition.Recognition`, which every view
shows. A new model (opened, trained, the shipped one) is handed to the session, which
emits ``model_changed`` and reads the current input again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nnpad.core.preprocess import drawing_to_mnist
from nnpad.core.recognition import Recognition, read_digit
from nnpad.core.verdict import is_speck

if TYPE_CHECKING:
    import numpy as np

    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.recognition import DigitReading
    from nnpad.core.strokes import Drawing


class Session(QObject):
    """Own the current model; read drawings and images with it.

    Signals
    -------
    model_changed(TrainedModel)
        A new model is in use (``model_path`` says where it is kept).
    recognized(Recognition | None)
        A new reading; None when there is no ink (or no model yet).
    """

    model_changed = Signal(object)
    recognized = Signal(object)

    def __init__(
        self,
        model: TrainedModel | None = None,
        model_path: Path | None = None,
        *,
        interval_ms: int = 16,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._model_path = model_path
        self._image: np.ndarray | None = None  # the 28x28 input being read
        self._too_small = False  # the input is a speck of ink
        self._against: int | None = None  # "why this digit and not that one"
        self._recognition: Recognition | None = None
        self._pending: Drawing | None = None
        # Leading-edge throttle: the first move is read at once, later ones at most
        # once per interval, and the last one is never dropped.
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._on_timeout)

    # -- the model -------------------------------------------------------------------

    @property
    def model(self) -> TrainedModel | None:
        """The model in use (None until one is loaded)."""
        return self._model

    @property
    def model_path(self) -> Path | None:
        """The file the model is kept in (None: only in memory)."""
        return self._model_path

    def set_model(self, model: TrainedModel, path: str | Path | None = None) -> None:
        """Read with ``model`` from now on, and read the current input again."""
        self._model = model
        self._model_path = None if path is None else Path(path)
        self.model_changed.emit(model)
        self._read(self._image)

    # -- reading ---------------------------------------------------------------------

    @property
    def recognition(self) -> Recognition | None:
        """The last reading."""
        return self._recognition

    @property
    def image(self) -> np.ndarray | None:
        """The 28x28 input of the last reading (None: no ink)."""
        return self._image

    @Slot(object)
    def drawing_moving(self, drawing: Drawing) -> None:
        """The drawing is changing (a stroke in progress): read it, throttled."""
        if self._timer.isActive():
            self._pending = drawing
            return
        self.read_drawing(drawing)
        self._timer.start()

    @Slot(object)
    def read_drawing(self, drawing: Drawing) -> None:
        """Read ``drawing`` now."""
        self._pending = None
        self._too_small = is_speck(drawing)
        self._read(drawing_to_mnist(drawing))

    def read_image(self, image: np.ndarray | None) -> None:
        """Read a prepared 28x28 image (a file or a sample; None: nothing)."""
        self._pending = None
        self._too_small = False
        self._read(image)

    @Slot(object)
    def set_against(self, digit: int | None) -> None:
        """Explain the reading against ``digit`` ("why 7 and not 1"; None: alone)."""
        self._against = digit
        self._read(self._image)

    def select_digit(self, index: int) -> None:
        """Show digit ``index`` of the reading in the views."""
        if self._recognition is not None:
            self._recognition = self._recognition.select(index)
            self.recognized.emit(self._recognition)

    def read_with(self, network: Network) -> DigitReading | None:
        """What another network (a training snapshot) says about the input."""
        return None if self._image is None else read_digit(network, self._image)

    def _read(self, image: np.ndarray | None) -> None:
        self._image = image
        model = self._model
        if model is None or image is None:
            self._recognition = None
        else:
            reading = read_digit(
                model.network,
                image,
                model.thresholds,
                against=self._against,
                too_small=self._too_small,
            )
            self._recognition = Recognition((reading,))
        self.recognized.emit(self._recognition)

    @Slot()
    def _on_timeout(self) -> None:
        if self._pending is not None:
            self.read_drawing(self._pending)
            self._timer.start()

"""The session: the one owner of the current model, and what it reads.

Data flows one way: the canvas emits its drawing, the session reads it with the
current model (on the GUI thread: finding the digits and the NumPy forward passes
take a few milliseconds) and emits a
:class:`~nnpad.core.reading.recognition.Recognition`,
which every view shows. A new model (opened, trained, the shipped one) is handed
to the session, which emits ``model_changed`` and reads the current input again.

Each view subscribes itself: one method of the view lists the session's signals it
follows and connects or disconnects them all (:func:`set_connected`), so nobody
relays the session's news by hand and a view is never left half connected.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nnpad.core.model import store
from nnpad.core.model.archive import ModelFileError
from nnpad.core.reading.recognition import (
    ReadingCache,
    read_digit,
    recognize_drawing,
    recognize_image,
    recognize_picture,
)
from nnpad.core.reading.second_opinion import other_shipped, second_opinion
from nnpad.core.reading.verdict import TOO_SMALL

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import numpy as np
    from PySide6.QtCore import SignalInstance

    from nnpad.core.ink.strokes import Drawing
    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.reading.recognition import DigitReading, Recognition
    from nnpad.core.reading.second_opinion import SecondOpinion


class Session(QObject):
    """Own the current model; read drawings and images with it.

    Signals
    -------
    model_changed(TrainedModel)
        A new model is in use (``model_path`` says where it is kept).
    recognized(Recognition | None)
        A new reading; None when there is no ink (or no model yet).
    opinion_changed(SecondOpinion | None)
        After each reading: the other shipped network's reading of the digit shown
        (the CNN's when an FNN reads, the FNN's when a CNN reads); None when there is
        nothing to read or that network is not installed.
    """

    model_changed = Signal(object)
    recognized = Signal(object)
    opinion_changed = Signal(object)

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
        self._cache = None if model is None else ReadingCache(model)
        # What is being read: a drawing, a picture (a file) or a prepared 28x28
        # image (a sample); at most one is set.
        self._drawing: Drawing | None = None
        self._picture: np.ndarray | None = None
        self._image: np.ndarray | None = None
        self._against: int | None = None  # "why this digit and not that one"
        self._recognition: Recognition | None = None
        self._opinion: SecondOpinion | None = None
        # The shipped networks, read once when first asked for (None: not installed).
        self._shipped: dict[str, TrainedModel | None] = {}
        self._pending: Drawing | None = None
        self._stroke = False  # reading a stroke still being drawn
        # Leading-edge throttle: the first move is read at once (the canvas has
        # painted it already), later ones at most once per interval, and the last
        # one is never dropped. A read that takes long (a long number) waits twice
        # as long: reading takes at most a third of the time while the pen moves,
        # so a move seldom waits behind a reading.
        self._interval = interval_ms
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
        self._cache = ReadingCache(model)
        self.model_changed.emit(model)
        self._read(self._selected())

    # -- reading ---------------------------------------------------------------------

    @property
    def recognition(self) -> Recognition | None:
        """The last reading."""
        return self._recognition

    @property
    def source(self) -> Literal["drawing", "picture", "image"] | None:
        """What is being read: the drawing, a picture (a file), an image (a sample)."""
        if self._drawing is not None:
            return "drawing"
        if self._picture is not None:
            return "picture"
        return None if self._image is None else "image"

    @property
    def reading_stroke(self) -> bool:
        """Whether the reading being emitted is of a stroke still being drawn.

        Views slow to paint may skip such readings (the next one follows soon);
        the reading of a finished stroke is never one of them.
        """
        return self._stroke

    @property
    def image(self) -> np.ndarray | None:
        """The 28x28 input of the digit shown (None: no reading)."""
        recognition = self._recognition
        return None if recognition is None else recognition.current.image

    @property
    def opinion(self) -> SecondOpinion | None:
        """The other shipped network's reading of the digit shown (None: none)."""
        return self._opinion

    @Slot(object)
    def drawing_moving(self, drawing: Drawing) -> None:
        """The drawing is changing (a stroke in progress): read it, throttled."""
        if self._timer.isActive():
            self._pending = drawing
            return
        self._read_throttled(drawing)

    @Slot(object)
    def read_drawing(self, drawing: Drawing) -> None:
        """Read the digits of ``drawing`` now, showing the one being written."""
        self._set_input(drawing=drawing)
        self._read(None)

    def read_picture(self, picture: np.ndarray) -> None:
        """Read the digits of a picture (an image file, any size)."""
        self._set_input(picture=picture)
        self._read(0)

    def read_image(self, image: np.ndarray | None) -> None:
        """Read a prepared 28x28 image as one digit (a sample; None: nothing)."""
        self._set_input(image=image)
        self._read(0)

    @Slot(object)
    def set_against(self, digit: int | None) -> None:
        """Explain the digit shown against ``digit`` (why 7 and not 1; None: alone)."""
        self._against = digit
        self._read(self._selected())

    def select_digit(self, index: int) -> None:
        """Show digit ``index`` of the reading in the views (explained alone)."""
        recognition = self._recognition
        if recognition is None or not 0 <= index < len(recognition.digits):
            return
        if self._against is not None:
            self._against = None
            self._read(index)  # the digit shown was explained against another
        elif index != recognition.selected:
            self._recognition = recognition.select(index)
            self.recognized.emit(self._recognition)
            self._give_opinion()

    def read_with(self, network: Network) -> DigitReading | None:
        """What another network (a training snapshot) says about the digit shown."""
        image = self.image
        return None if image is None else read_digit(network, image)

    def _set_input(
        self,
        *,
        drawing: Drawing | None = None,
        picture: np.ndarray | None = None,
        image: np.ndarray | None = None,
    ) -> None:
        self._pending = None
        self._drawing, self._picture, self._image = drawing, picture, image

    def _selected(self) -> int | None:
        return None if self._recognition is None else self._recognition.selected

    def _read(self, selected: int | None) -> None:
        """Read the input; ``selected`` None shows the digit being written."""
        model, against, cache = self._model, self._against, self._cache
        if model is None:
            recognition = None
        elif self._drawing is not None:
            recognition = recognize_drawing(
                model, self._drawing, against=against, selected=selected, cache=cache
            )
        elif self._picture is not None:
            recognition = recognize_picture(
                model,
                self._picture,
                against=against,
                selected=selected or 0,
                cache=cache,
            )
        else:
            recognition = recognize_image(
                model, self._image, against=against, cache=cache
            )
        self._recognition = recognition
        self.recognized.emit(recognition)
        self._give_opinion()

    def _give_opinion(self) -> None:
        """Ask the other shipped network about the digit shown, and say what it read.

        Only that digit's verdict is read (one forward pass, no saliency), so the
        live reading keeps its pace.
        """
        recognition, model, opinion = self._recognition, self._model, None
        if recognition is not None and model is not None:
            reading = recognition.current
            name = other_shipped(model)
            other = self._shipped_model(name)
            if other is not None and reading.verdict.reason != TOO_SMALL:
                opinion = second_opinion(name, other, reading.image, reading.verdict)
        if opinion != self._opinion:
            self._opinion = opinion
            self.opinion_changed.emit(opinion)

    def _shipped_model(self, name: str) -> TrainedModel | None:
        if name not in self._shipped:
            try:
                self._shipped[name] = store.load_shipped(name)
            except ModelFileError:
                self._shipped[name] = None  # not installed: no second opinion
        return self._shipped[name]

    @Slot()
    def _on_timeout(self) -> None:
        if self._pending is not None:
            self._read_throttled(self._pending)

    def _read_throttled(self, drawing: Drawing) -> None:
        start = time.perf_counter()
        self._stroke = True
        try:
            self.read_drawing(drawing)
        finally:
            self._stroke = False
        spent_ms = (time.perf_counter() - start) * 1000.0
        self._timer.start(max(self._interval, round(2 * spent_ms)))


Link = tuple["SignalInstance", "Callable[..., object]"]


def set_connected(links: Iterable[Link], connect: bool) -> None:
    """Connect every signal to its slot, or disconnect them, in the same order.

    After ndv's ``_set_model_connected(model, connect=True)``: a view lists what it
    follows once, and the same list undoes it.
    """
    for signal, slot in links:
        if connect:
            signal.connect(slot)
        else:
            signal.disconnect(slot)

"""What the window's menu commands do: files, models and samples.

Each command asks what it needs (a file dialog), calls the core, and hands the result
to the session or the canvas; failures are explained and lose nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox

from nnpad import __version__
from nnpad.core.data import DataError, load_sample
from nnpad.core.files import atomic_copy
from nnpad.core.ink.image_file import load_image
from nnpad.core.ink.strokes import save_png
from nnpad.core.model import store
from nnpad.core.model.archive import ModelFileError
from nnpad.ui.drawing.canvas import CANVAS_WIDTH
from nnpad.ui.window import dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from nnpad.core.data import Dataset
    from nnpad.core.progress import TrainResult
    from nnpad.ui.drawing.canvas import DrawingCanvas
    from nnpad.ui.session import Session


class Commands(QObject):
    """The window's file, model and sample commands.

    Parameters
    ----------
    window
        Parent of the dialogs; its status bar tells what happened.
    session
        Owns the model; commands hand it models and images.
    canvas
        The drawing to save, and where samples are shown.
    """

    def __init__(
        self, window: QMainWindow, session: Session, canvas: DrawingCanvas
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.canvas = canvas
        self._sample: Dataset | None = None
        # A trained model in use that could not be kept: (result, what it trained on).
        self._unsaved: tuple[TrainResult, str | None] | None = None

    def _status(self, text: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # -- images and drawings ---------------------------------------------------------

    @Slot()
    def open_image(self) -> None:
        """Classify an image file, prepared like the canvas."""
        path = dialogs.open_image(self.window)
        if path is not None:
            self.classify_file(path)

    def classify_file(self, path: str | Path) -> None:
        """Show the reading of an image file (the same path as ``nnpad predict``)."""
        try:
            picture = load_image(path)
        except ValueError as exc:
            QMessageBox.warning(self.window, "Cannot open the image", str(exc))
            return
        self.session.read_picture(picture)
        # Without a model yet, the reading comes when it is loaded.
        found = self.session.recognition is not None or self.session.model is None
        self._showing(Path(path).name, found=found)

    def show_image(self, image: np.ndarray | None, caption: str) -> None:
        """Read a prepared 28x28 image that is not the drawing (a sample)."""
        if image is not None:
            self.session.read_image(image)
        self._showing(caption, found=image is not None)

    def _showing(self, caption: str, *, found: bool) -> None:
        if found:
            self.window.statusBar().showMessage(
                f"{caption} — draw to go back to your drawing"
            )
        else:
            self._status(f"{caption}: no digit found", 8000)

    @Slot()
    def save_drawing(self) -> None:
        """Save the drawing as a PNG."""
        if self.canvas.is_empty():
            self._status("Nothing to save: the canvas is empty")
            return
        path = dialogs.save_png(self.window)
        if path is None:
            return
        try:
            save_png(self.canvas.drawing(), path, width=round(CANVAS_WIDTH))
        except OSError as exc:
            QMessageBox.warning(self.window, "Could not save the drawing", str(exc))
            return
        self._status(f"Saved {path}")

    @Slot()
    def show_sample(self) -> None:
        """Put a random MNIST sample behind the ink and read it."""
        try:
            if self._sample is None:
                self._sample = load_sample()
        except DataError as exc:
            QMessageBox.warning(self.window, "No sample", str(exc))
            return
        index = int(np.random.default_rng().integers(len(self._sample.x_train)))
        self.show_reference(
            self._sample.x_train[index],
            f"MNIST sample #{index}, labelled {self._sample.y_train[index]}",
        )

    def show_reference(self, pixels: np.ndarray, caption: str) -> None:
        """Put an MNIST-style image (uint8, 28x28) behind the ink and read it."""
        self.canvas.set_reference(pixels)
        self.show_image(pixels.astype(np.float32) / 255.0, caption)

    # -- models ------------------------------------------------------------------------

    @Slot()
    def open_model(self) -> None:
        """Open a saved model; a bad file is refused and the current one stays."""
        path = dialogs.open_model(self.window)
        if path is not None:
            self.load_model_file(path)

    def load_model_file(self, path: str | Path) -> bool:
        """Load and use a model file; explain and keep the current model on failure."""
        try:
            model = store.load(path)
        except ModelFileError as exc:
            QMessageBox.warning(
                self.window,
                "Cannot use this model",
                f"{exc}\n\nThe current model is still in use.",
            )
            return False
        self.session.set_model(model, path)
        self._status(f"Using {Path(path).name}")
        return True

    @Slot()
    def use_default_model(self) -> None:
        """Go back to the shipped model, the FNN."""
        self.use_shipped("fnn")

    @Slot()
    def use_shipped_cnn(self) -> None:
        """Read with the shipped convolutional network."""
        self.use_shipped("cnn")

    @Slot(str)
    def use_shipped(self, name: str) -> bool:
        """Read with the shipped network ``name`` (``fnn`` or ``cnn``).

        A missing or unusable file is explained and the current model stays.
        """
        title = store.SHIPPED_TITLES[name]
        try:
            model = store.load_shipped(name)
        except ModelFileError as exc:
            QMessageBox.warning(
                self.window,
                f"Cannot use the shipped {title}",
                f"{exc}\n\nThe current model is still in use.",
            )
            return False
        self.session.set_model(model, store.shipped_path(name))
        self._status(f"Reading with the shipped {title}")
        return True

    @Slot()
    def save_model(self) -> None:
        """Save a copy of the model in use."""
        source = self.session.model_path
        suggested = "model.keras" if source is None else source.name
        path = dialogs.save_model(self.window, "Save the model", suggested)
        if path is None:
            return
        try:
            if source is not None:
                atomic_copy(source, path)
            elif self._unsaved is not None and self.session.model is not None:
                result, trained_on = self._unsaved
                store.save(result, path, trained_on)
                self._unsaved = None
                self.session.set_model(self.session.model, path)  # now kept there
        except (OSError, ModelFileError) as exc:
            QMessageBox.warning(self.window, "Could not save the model", str(exc))

    @Slot(object)
    def use_trained_model(self, result: TrainResult, trained_on: str | None) -> None:
        """Use a finished training's model at once, and keep it in the models folder.

        The model goes to the session in memory; if it cannot be saved the person is
        told, and it is still used for this session.
        """
        try:
            model = store.trained_model(result, trained_on)
        except ModelFileError as exc:
            QMessageBox.warning(self.window, "Could not use the new model", str(exc))
            return
        try:
            path: Path | None = store.keep(result, trained_on)
        except ModelFileError as exc:
            path = None
            QMessageBox.warning(
                self.window,
                "Could not keep the new model",
                f"{exc}\n\nIt is in use until nnpad closes; save it with"
                " File > Save model as… once there is room.",
            )
        self._unsaved = (result, trained_on) if path is None else None
        self.session.set_model(model, path)
        name = "in memory only" if path is None else path.name
        self._status(f"Using the new model ({name})", 8000)

    @Slot()
    def about(self) -> None:
        """Show the About box."""
        QMessageBox.about(
            self.window,
            "About nnpad",
            f"<b>nnpad {__version__}</b><br>Draw a digit and watch a neural network"
            " recognise it; retrain it and look inside.<br><br>Trained on MNIST"
            " (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0).",
        )

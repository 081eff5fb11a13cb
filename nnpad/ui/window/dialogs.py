"""The file dialogs the window asks, each written once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff)"
MODEL_FILTER = "Keras model (*.keras)"
DATA_FILTER = "MNIST data (*.npz *-ubyte *-ubyte.gz);;All files (*)"


def open_image(parent: QWidget) -> Path | None:
    """Ask for an image of a digit to classify."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open an image of a digit", "", IMAGE_FILTER
    )
    return Path(path) if path else None


def save_png(parent: QWidget, suggested: str = "digit.png") -> Path | None:
    """Ask where to save a drawing as PNG."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save the drawing", suggested, "PNG image (*.png)"
    )
    return Path(path) if path else None


def open_model(parent: QWidget) -> Path | None:
    """Ask for a .keras model file."""
    path, _ = QFileDialog.getOpenFileName(parent, "Open a model", "", MODEL_FILTER)
    return Path(path) if path else None


def save_model(parent: QWidget, title: str, suggested: str) -> Path | None:
    """Ask where to save a model; the name always ends in ``.keras``."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, MODEL_FILTER)
    if not path:
        return None
    return Path(path if path.endswith(".keras") else path + ".keras")


def open_data_file(parent: QWidget) -> str | None:
    """Ask for an .npz or IDX file of MNIST data."""
    path, _ = QFileDialog.getOpenFileName(parent, "Choose MNIST data", "", DATA_FILTER)
    return path or None


def open_data_folder(parent: QWidget) -> str | None:
    """Ask for a folder holding the MNIST IDX files."""
    return QFileDialog.getExistingDirectory(parent, "Choose an IDX folder") or None

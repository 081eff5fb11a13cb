"""Choose what to train on: the shipped sample, MNIST through Keras, or a local file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from nnpad.core.data import Dataset, mnist_cached
from nnpad.ui.window import dialogs

Source = str | Dataset  # "sample", "mnist", a local path, or data in memory


class DataChooser(QWidget):
    """A list of data sources; local files and folders are asked for when picked."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._local: Source | None = None
        self._index = 0
        self.combo = QComboBox()
        self.combo.setAccessibleName("Training data")
        self.combo.setToolTip("Images to train on")
        self.combo.addItem("Shipped sample (6000 images)", "sample")
        self.combo.addItem("", "mnist")
        self.combo.addItem("Local file (.npz or IDX)…", "file")
        self.combo.addItem("Local IDX folder…", "folder")
        self._local_label = QLabel()
        self._local_label.setWordWrap(True)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Trainin&g data:", self.combo)
        layout.addRow("", self._local_label)
        self.combo.activated.connect(self._on_activated)
        self.refresh_mnist_status()
        self._show_local()

    def source(self) -> Source | None:
        """``"sample"``, ``"mnist"``, a local path or Dataset, or None if not chosen."""
        key = self.combo.currentData()
        return self._local if key in ("file", "folder") else key

    def set_source(self, source: Source) -> None:
        """Select ``"sample"``, ``"mnist"``, a local path or a loaded Dataset."""
        if isinstance(source, str) and source in ("sample", "mnist"):
            self.combo.setCurrentIndex(self.combo.findData(source))
        else:
            is_dir = not isinstance(source, Dataset) and Path(source).is_dir()
            self._local = source
            self.combo.setCurrentIndex(
                self.combo.findData("folder" if is_dir else "file")
            )
        self._index = self.combo.currentIndex()
        self._show_local()
        self.changed.emit()

    def refresh_mnist_status(self) -> None:
        """Say in the list whether MNIST is already downloaded."""
        state = "cached" if mnist_cached() else "not downloaded yet"
        index = self.combo.findData("mnist")
        self.combo.setItemText(index, f"MNIST (Keras download / cache) — {state}")

    @staticmethod
    def describe(source: Source | None) -> str | None:
        """What a source is, for people and model metadata."""
        if source is None:
            return None
        if isinstance(source, Dataset):
            return source.source or "a local dataset"
        names = {"sample": "shipped MNIST sample", "mnist": "MNIST (Keras)"}
        return names.get(source, Path(source).name)

    @Slot()
    def choose_file(self) -> None:
        """Ask for an .npz or IDX file and select it."""
        self._take(dialogs.open_data_file(self))

    @Slot()
    def choose_folder(self) -> None:
        """Ask for a folder of IDX files and select it."""
        self._take(dialogs.open_data_folder(self))

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        key = self.combo.itemData(index)
        if key == "file":
            self.choose_file()
        elif key == "folder":
            self.choose_folder()
        else:
            self._index = index
            self._show_local()
            self.changed.emit()

    def _take(self, path: str | None) -> None:
        if path:
            self.set_source(path)
        else:  # cancelled: keep the previous choice
            self.combo.setCurrentIndex(self._index)

    def _show_local(self) -> None:
        source = self.source()
        local = self.combo.currentData() in ("file", "folder")
        if isinstance(source, Dataset):
            text = f"Local data: {source.source or 'in memory'}"
        else:
            text = f"Local data: {source}" if source else "No local data chosen yet"
        self._local_label.setText(text)
        self._local_label.setVisible(local)

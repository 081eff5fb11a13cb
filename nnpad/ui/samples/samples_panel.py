"""The "My samples" tab: the drawings kept to teach the network one's handwriting.

A grid of every sample, digit by digit, with the count of each; delete and relabel
the selected ones; import and export a folder or a .zip (an import is checked whole
and a bad file refuses it all, with the reasons); and "Teach it my handwriting",
which fine-tunes the model in use on them (the Train tab shows the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.data.samples.exporting import export_samples
from nnpad.core.data.samples.format import SamplesError
from nnpad.core.data.samples.importing import import_samples
from nnpad.ui.evaluate.evaluate_panel import THUMB, thumbnail

if TYPE_CHECKING:
    from nnpad.core.data.samples.format import Sample
    from nnpad.core.data.samples.store import SampleStore

ZIP_FILTER = "Zip archive (*.zip)"


class SamplesPanel(QWidget):
    """Browse, fix, move and use my samples.

    ``teach_requested()`` asks for a fine-tuning on them.
    """

    teach_requested = Signal()

    def __init__(self, store: SampleStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.counts = QLabel()
        self.counts.setObjectName("sampleCounts")
        self.counts.setWordWrap(True)
        self.grid = QListWidget()
        self.grid.setObjectName("samplesGrid")
        self.grid.setAccessibleName("My samples")
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.grid.setToolTip("Select samples to delete or relabel them (Delete key)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setShortcut(Qt.Key.Key_Delete)
        self.relabel_combo = QComboBox()
        self.relabel_combo.setAccessibleName("Relabel the selected samples as")
        self.relabel_combo.addItem("Relabel as…", None)
        for digit in range(10):
            self.relabel_combo.addItem(str(digit), digit)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip(
            "Add samples from a folder or a .zip laid out by digit (0/ … 9/), from"
            " nnpad or from other tools; a bad file refuses the whole import"
        )
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write every sample to a new folder or a .zip")
        self.teach_button = QPushButton("Teach it my handwriting")
        self.teach_button.setObjectName("teachButton")
        self.teach_button.setToolTip(
            "Fine-tune the model in use on my samples (the Train tab shows how it"
            " goes, and before/after figures)"
        )
        tools = QHBoxLayout()
        for widget in (
            self.delete_button,
            self.relabel_combo,
            self.import_button,
            self.export_button,
        ):
            tools.addWidget(widget)
        tools.addStretch(1)
        tools.addWidget(self.teach_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.grid, 1)
        layout.addLayout(tools)
        self.delete_button.clicked.connect(self.delete_selected)
        self.relabel_combo.activated.connect(self._on_relabel)
        imports = QMenu(self.import_button)
        imports.addAction("From a .zip…", self._import_zip)
        imports.addAction("From a folder…", self._import_folder)
        self.import_button.setMenu(imports)
        exports = QMenu(self.export_button)
        exports.addAction("To a .zip…", self._export_zip)
        exports.addAction("To a new folder…", self._export_folder)
        self.export_button.setMenu(exports)
        self.teach_button.clicked.connect(self.teach_requested)
        self.grid.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the store again: the grid and the counts."""
        self.grid.clear()
        for sample in self.store.list():
            try:
                icon = thumbnail(self.store.image(sample))
            except (SamplesError, OSError):
                continue  # damaged: listed nowhere, exported nowhere
            item = QListWidgetItem(icon, str(sample.label))
            item.setData(Qt.ItemDataRole.UserRole, sample)
            item.setToolTip(f"a {sample.label} ({sample.id})")
            self.grid.addItem(item)
        counts = self.store.counts()
        total = sum(counts.values())
        self.counts.setText(
            f"<b>{total} samples</b> — "
            + " · ".join(f"{d}: {counts.get(d, 0)}" for d in range(10))
            + ("" if total else "<br>Draw a digit and press its key to keep it.")
        )
        self.teach_button.setEnabled(total > 0)
        self._update_buttons()

    def selected(self) -> list[Sample]:
        """The selected samples."""
        return [
            item.data(Qt.ItemDataRole.UserRole) for item in self.grid.selectedItems()
        ]

    @Slot()
    def _update_buttons(self) -> None:
        chosen = bool(self.grid.selectedItems())
        self.delete_button.setEnabled(chosen)
        self.relabel_combo.setEnabled(chosen)

    @Slot()
    def delete_selected(self) -> None:
        """Delete the selected samples."""
        self._each(self.store.delete, "delete")

    def relabel_selected(self, label: int) -> None:
        """Move the selected samples to ``label``."""
        self._each(lambda sample: self.store.relabel(sample, label), "relabel")

    def _each(self, change: object, what: str) -> None:
        problems = []
        for sample in self.selected():
            try:
                change(sample)  # type: ignore[operator]
            except (SamplesError, OSError) as exc:
                problems.append(str(exc))
        self.refresh()
        if problems:
            QMessageBox.warning(
                self, f"Could not {what} every sample", "\n".join(problems[:10])
            )

    @Slot(int)
    def _on_relabel(self, index: int) -> None:
        label = self.relabel_combo.itemData(index)
        self.relabel_combo.setCurrentIndex(0)
        if label is not None:
            self.relabel_selected(int(label))

    @Slot()
    def _import_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import samples from a .zip", "", f"{ZIP_FILTER};;All files (*)"
        )
        if path:
            self.import_from(path)

    @Slot()
    def _import_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import samples from a folder")
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> bool:
        """Import a folder or .zip; explain a refusal (nothing is then changed)."""
        try:
            report = import_samples(self.store, path)
        except (SamplesError, OSError) as exc:
            QMessageBox.warning(self, "Nothing was imported", str(exc))
            return False
        self.refresh()
        QMessageBox.information(
            self,
            "Samples imported",
            f"{report.total} samples added ({report.duplicates} already here).",
        )
        return True

    @Slot()
    def _export_zip(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export my samples", "my-samples.zip", ZIP_FILTER
        )
        if path:
            self.export_to(path if path.endswith(".zip") else path + ".zip")

    @Slot()
    def _export_folder(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export my samples to a new folder", "my-samples", ""
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        """Export every sample; explain a failure."""
        try:
            report = export_samples(self.store, path)
        except (SamplesError, OSError) as exc:
            QMessageBox.warning(self, "Nothing was exported", str(exc))
            return False
        QMessageBox.information(
            self, "Samples exported", f"{report.samples} samples written to {path}."
        )
        return True

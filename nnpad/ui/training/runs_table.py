"""The runs of this session in a table: tick to overlay, rename, keep, reuse a recipe.

The table is also the charts' legend: each run's row starts with its colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.progress import format_duration, format_percent

if TYPE_CHECKING:
    from nnpad.core.runs import Run

COLUMNS = ("Run", "Epochs", "Time", "Val acc.", "In use", "Recipe")
RECIPE = COLUMNS.index("Recipe")
_ID = Qt.ItemDataRole.UserRole


def swatch(tint: QColor) -> QIcon:
    """A small square of the run's colour."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(tint)
    return QIcon(pixmap)


class RunsTable(QWidget):
    """One row per run; the ticked ones are drawn on the charts.

    Signals carry run ids: ``ticked_changed()`` (read :meth:`ticked`),
    ``renamed(id, name)``, ``recipe_wanted(id)``, ``keep_wanted(id, bool)``,
    ``remove_wanted(id)`` and ``selected(id)``.
    """

    ticked_changed = Signal()
    renamed = Signal(str, str)
    recipe_wanted = Signal(str)
    keep_wanted = Signal(str, bool)
    remove_wanted = Signal(str)
    selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runsTable")
        self.table.setAccessibleName("Training runs")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RECIPE, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setToolTip(
            "Tick runs to overlay their curves; double-click a name to rename it"
        )
        self.load_button = QPushButton("Load recipe")
        self.load_button.setToolTip("Put the selected run's recipe back in the form")
        self.keep_button = QPushButton("&Keep")
        self.keep_button.setCheckable(True)
        self.keep_button.setToolTip(
            "Keep the selected run after nnpad closes (runs are otherwise forgotten)"
        )
        self.remove_button = QPushButton("Forget")
        self.remove_button.setToolTip("Remove the selected run from the list")
        buttons = QHBoxLayout()
        for button in (self.load_button, self.keep_button, self.remove_button):
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._filling = False
        self._kept: dict[str, bool] = {}
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.load_button.clicked.connect(self._on_load)
        self.keep_button.clicked.connect(self._on_keep)
        self.remove_button.clicked.connect(self._on_remove)
        self._on_selection()

    def ids(self) -> list[str]:
        """Run ids, row by row."""
        return [self._id(row) for row in range(self.table.rowCount())]

    def ticked(self) -> list[str]:
        """The ids of the runs ticked to be drawn."""
        return [
            self._id(row)
            for row in range(self.table.rowCount())
            if self._name_item(row).checkState() == Qt.CheckState.Checked
        ]

    def current_id(self) -> str | None:
        """The selected run's id."""
        rows = self.table.selectionModel().selectedRows()
        return self._id(rows[0].row()) if rows else None

    def set_runs(
        self,
        runs: list[Run],
        colours: dict[str, QColor],
        ticked: set[str],
        in_use: str | None,
    ) -> None:
        """Show ``runs`` (oldest first), keeping the selection where it was."""
        selected = self.current_id()
        self._filling = True
        self.table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            self._fill(row, run, colours[run.id], run.id in ticked, run.id == in_use)
            if run.id == selected:
                self.table.selectRow(row)
        self._filling = False
        self._on_selection()

    def _fill(
        self, row: int, run: Run, tint: QColor, ticked: bool, in_use: bool
    ) -> None:
        self._kept[run.id] = run.kept
        name = QTableWidgetItem(swatch(tint), run.name)
        name.setData(_ID, run.id)
        name.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEditable
        )
        name.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        name.setToolTip(run.diagnosis.message if run.diagnosis else run.summary)
        accuracy = QTableWidgetItem(
            "…" if run.status == "running" else format_percent(run.val_accuracy)
        )
        accuracy.setToolTip(
            "Validation accuracy of the model the run made, as offered and kept"
            " (a fine-tuning: on the MNIST check images)"
        )
        recipe = QTableWidgetItem(run.summary)
        recipe.setToolTip(run.summary)
        cells = [
            name,
            QTableWidgetItem(f"{len(run.epochs)}/{run.planned_epochs}"),
            QTableWidgetItem(format_duration(run.seconds) if run.seconds else "—"),
            accuracy,
            QTableWidgetItem("★ in use" if in_use else ("kept" if run.kept else "")),
            recipe,
        ]
        for column, item in enumerate(cells):
            if column:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(row, column, item)

    def _id(self, row: int) -> str:
        return str(self._name_item(row).data(_ID))

    def _name_item(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, 0)
        if item is None:
            raise IndexError(f"no run in row {row}")
        return item

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        run_id = str(item.data(_ID))
        self.renamed.emit(run_id, item.text())
        self.ticked_changed.emit()

    @Slot()
    def _on_selection(self) -> None:
        run_id = self.current_id()
        for button in (self.load_button, self.keep_button, self.remove_button):
            button.setEnabled(run_id is not None)
        self.keep_button.setChecked(bool(run_id and self._kept.get(run_id)))
        if run_id is not None and not self._filling:
            self.selected.emit(run_id)

    @Slot()
    def _on_load(self) -> None:
        if (run_id := self.current_id()) is not None:
            self.recipe_wanted.emit(run_id)

    @Slot(bool)
    def _on_keep(self, kept: bool) -> None:
        if (run_id := self.current_id()) is not None:
            self.keep_wanted.emit(run_id, kept)

    @Slot()
    def _on_remove(self) -> None:
        if (run_id := self.current_id()) is not None:
            self.remove_wanted.emit(run_id)

"""Live loss and accuracy curves of a training run (pyqtgraph).

Batch reports arrive up to 20 times a second; they are buffered in lists and drawn
by a timer at most 10 times a second, on curves created once and updated with
``setData``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

if TYPE_CHECKING:
    from nnpad.core.progress import BatchProgress, EpochResult

pg.setConfigOptions(imageAxisOrder="row-major")

REDRAW_MS = 200  # 5 Hz: live enough, and pyqtgraph re-lays its axes each redraw
TRAIN_PEN = pg.mkPen("#4c9be8", width=1.5)
VAL_PEN = pg.mkPen("#f28e2b", width=2)
VAL_BRUSH = pg.mkBrush("#f28e2b")


class _Series:
    """Buffered points of one curve."""

    def __init__(self, item: pg.PlotDataItem) -> None:
        self.item = item
        self.x: list[float] = []
        self.y: list[float] = []

    def append(self, x: float, y: float) -> None:
        self.x.append(x)
        self.y.append(y)

    def clear(self) -> None:
        self.x.clear()
        self.y.clear()
        self.item.setData([], [])

    def draw(self) -> None:
        self.item.setData(self.x, self.y)


class TrainingCharts(QWidget):
    """Loss (objectName ``lossChart``) and accuracy (``accuracyChart``) side by side.

    The x axis is in epochs (``epoch + batch / batches``). Training figures are Keras'
    running means within each epoch, so the curve restarts a little at each epoch;
    validation figures are one marker per epoch, at its end.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = self._plot("lossChart", "Loss", "loss")
        self.accuracy_plot = self._plot("accuracyChart", "Accuracy", "accuracy (%)")
        self.train_loss = self._series(self.loss_plot, "training", val=False)
        self.val_loss = self._series(self.loss_plot, "validation", val=True)
        self.train_accuracy = self._series(self.accuracy_plot, "training", val=False)
        self.val_accuracy = self._series(self.accuracy_plot, "validation", val=True)
        self._series_all = (
            self.train_loss,
            self.val_loss,
            self.train_accuracy,
            self.val_accuracy,
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.flush)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)

    @staticmethod
    def _plot(name: str, title: str, y_label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(title=title)
        plot.setObjectName(name)
        plot.setAccessibleName(f"{title} chart")
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", y_label)
        plot.showGrid(x=True, y=True, alpha=0.3)
        plot.addLegend(offset=(-10, 10))
        plot.setMinimumHeight(160)
        return plot

    @staticmethod
    def _series(plot: pg.PlotWidget, name: str, *, val: bool) -> _Series:
        if val:
            item = plot.plot(
                [], [], name=name, pen=VAL_PEN, symbol="o", symbolBrush=VAL_BRUSH
            )
        else:
            item = plot.plot([], [], name=name, pen=TRAIN_PEN)
        return _Series(item)

    def reset(self, epochs: int | None = None) -> None:
        """Forget every point; show ``epochs`` on the x axis if given."""
        self._timer.stop()
        for series in self._series_all:
            series.clear()
        for plot in (self.loss_plot, self.accuracy_plot):
            if epochs:
                plot.setXRange(0, epochs, padding=0.02)
            plot.enableAutoRange(axis="y", enable=True)

    def add_batch(self, progress: BatchProgress) -> None:
        """Buffer a batch report; drawn at the next redraw."""
        batches = max(1, progress.batches_per_epoch)
        # The core can report the end of a Keras execution past the epoch's last
        # batch (steps_per_execution > batches left): clamp to the epoch.
        x = progress.epoch + min(progress.batch, batches) / batches
        self.train_loss.append(x, progress.loss)
        self.train_accuracy.append(x, 100.0 * progress.accuracy)
        self._schedule()

    def add_epoch(self, result: EpochResult) -> None:
        """Buffer an epoch's validation figures (if it had validation)."""
        x = result.epoch + 1.0
        if result.val_loss is not None:
            self.val_loss.append(x, result.val_loss)
        if result.val_accuracy is not None:
            self.val_accuracy.append(x, 100.0 * result.val_accuracy)
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def flush(self) -> None:
        """Draw the buffered points now."""
        self._timer.stop()
        for series in self._series_all:
            series.draw()

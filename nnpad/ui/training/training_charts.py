"""Loss and accuracy curves of several runs at once, each in its own colour (pyqtgraph).

Batch reports arrive up to 10 times a second; the running run is redrawn by a timer
at most 5 times a second, on curves created once per run and updated with
``setData``. The runs table beside the charts is their legend, so no legend covers
a curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from nnpad.ui import style

if TYPE_CHECKING:
    from PySide6.QtGui import QColor

    from nnpad.core.runs import Run

pg.setConfigOptions(imageAxisOrder="row-major")

REDRAW_MS = 200  # 5 Hz: live enough, and pyqtgraph re-lays its axes each redraw


@dataclass(eq=False)
class RunCurves:
    """One run's items: running training figures, validation per epoch, best epoch."""

    train_loss: pg.PlotDataItem
    val_loss: pg.PlotDataItem
    train_accuracy: pg.PlotDataItem
    val_accuracy: pg.PlotDataItem
    best_loss: pg.ScatterPlotItem
    best_accuracy: pg.ScatterPlotItem

    def items(self) -> tuple[pg.GraphicsObject, ...]:
        """Every item, loss plot's first three and accuracy plot's last three."""
        return (
            self.train_loss,
            self.val_loss,
            self.best_loss,
            self.train_accuracy,
            self.val_accuracy,
            self.best_accuracy,
        )

    def draw(self, run: Run) -> None:
        """Set every item's data from ``run``."""
        xs = [p.x for p in run.batches]
        self.train_loss.setData(xs, [p.loss for p in run.batches])
        self.train_accuracy.setData(xs, [100 * p.accuracy for p in run.batches])
        val = [e for e in run.epochs if e.val_loss is not None]
        vx = [e.epoch + 1.0 for e in val]
        self.val_loss.setData(vx, [e.val_loss for e in val])
        self.val_accuracy.setData(vx, [100 * (e.val_accuracy or 0.0) for e in val])
        best = next((e for e in run.epochs if e.epoch == run.best_epoch), None)
        if best is None or best.val_loss is None or run.status == "running":
            self.best_loss.setData([], [])
            self.best_accuracy.setData([], [])
        else:
            self.best_loss.setData([best.epoch + 1.0], [best.val_loss])
            self.best_accuracy.setData(
                [best.epoch + 1.0], [100 * (best.val_accuracy or 0.0)]
            )


class TrainingCharts(QWidget):
    """Loss (objectName ``lossChart``) and accuracy (``accuracyChart``) side by side.

    The x axis is in epochs (``epoch + batch / batches``). Training figures are Keras'
    running means within each epoch, so the curve restarts a little at each epoch;
    validation figures are one marker per epoch, at its end; a star marks each
    finished run's best epoch (the lowest validation loss).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = self._plot("lossChart", "Loss", "loss")
        self.accuracy_plot = self._plot("accuracyChart", "Accuracy", "accuracy (%)")
        self._curves: dict[str, RunCurves] = {}
        self._shown: list[Run] = []
        self._live: Run | None = None
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
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
        plot.setBackground(style.CHART_GROUND)
        for side in ("bottom", "left"):
            plot.getAxis(side).setPen(style.AXIS)
            plot.getAxis(side).setTextPen(style.AXIS_TEXT)
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", y_label)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMinimumHeight(160)
        return plot

    def curves(self, run_id: str) -> RunCurves:
        """The items of a shown run (KeyError when it is not shown)."""
        return self._curves[run_id]

    def shown(self) -> list[str]:
        """The ids of the runs drawn, in order."""
        return [run.id for run in self._shown]

    def show_runs(self, runs: list[Run], colours: dict[str, QColor]) -> None:
        """Draw exactly ``runs``, each in its colour; the x axis fits the longest."""
        wanted = {run.id for run in runs}
        for run_id in [k for k in self._curves if k not in wanted]:
            items = self._curves.pop(run_id).items()
            for item in items[:3]:
                self.loss_plot.removeItem(item)
            for item in items[3:]:
                self.accuracy_plot.removeItem(item)
        for run in runs:
            if run.id not in self._curves:
                self._curves[run.id] = self._make(colours[run.id])
            self._curves[run.id].draw(run)
        self._shown = list(runs)
        epochs = max((run.planned_epochs for run in runs), default=1)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
            plot.enableAutoRange(axis="y", enable=True)

    def _make(self, tint: QColor) -> RunCurves:
        train_pen = pg.mkPen(tint, width=1.2)
        val_pen = pg.mkPen(tint, width=2.2, style=Qt.PenStyle.DashLine)
        brush = pg.mkBrush(tint)
        star = {
            "symbol": "star",
            "size": 16,
            "brush": brush,
            "pen": pg.mkPen(style.BEST_EPOCH_OUTLINE),
        }
        curves = RunCurves(
            train_loss=self.loss_plot.plot([], [], pen=train_pen),
            val_loss=self.loss_plot.plot(
                [], [], pen=val_pen, symbol="o", symbolSize=6, symbolBrush=brush
            ),
            train_accuracy=self.accuracy_plot.plot([], [], pen=train_pen),
            val_accuracy=self.accuracy_plot.plot(
                [], [], pen=val_pen, symbol="o", symbolSize=6, symbolBrush=brush
            ),
            best_loss=pg.ScatterPlotItem(**star),
            best_accuracy=pg.ScatterPlotItem(**star),
        )
        for item in (curves.best_loss, curves.best_accuracy):
            item.setZValue(10)
        self.loss_plot.addItem(curves.best_loss)
        self.accuracy_plot.addItem(curves.best_accuracy)
        return curves

    def follow(self, run: Run) -> None:
        """The running run changed (a batch or an epoch): redraw it soon."""
        self._live = run
        if not self._timer.isActive():
            self._timer.start()

    def settle(self) -> None:
        """The run ended: forget its pending redraw (:meth:`show_runs` draws it)."""
        self._timer.stop()
        self._live = None

    @Slot()
    def flush(self) -> None:
        """Draw the running run's latest figures now."""
        self._timer.stop()
        live = self._live
        if live is not None and live.id in self._curves:
            self._curves[live.id].draw(live)

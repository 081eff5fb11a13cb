"""A CNN's feature maps for the current drawing: one row of small heat maps a layer.

The input, then every layer that keeps maps (convolution, pooling, batch
normalization), each channel a tile of a mosaic, then the output digits. One
ImageItem per column, built when the network changes and then only fed new images.
Cells are ``(layer, row, column, channel)`` with layers numbered as in
``Network.activations``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.ui import style
from nnpad.ui.inside import grids
from nnpad.ui.style import (
    HEATMAP_GROUND,
    LAYER_LABEL,
    PREDICTED,
    RECEPTIVE_FIELD,
    SELECTED_NEURON,
    SEQUENTIAL,
)

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
    from PySide6.QtWidgets import QGraphicsRectItem

    from nnpad.core.model.network import Network

pg.setConfigOptions(imageAxisOrder="row-major")

Cell = tuple[int, int, int, int]  # (layer, row, column, channel)
GAP = 2  # pixels of ground between two maps of a layer


@dataclass(eq=False)
class MapColumn:
    """One layer's maps, ``(rows, cols, channels)``, laid out as a mosaic."""

    layer: int
    name: str
    shape: tuple[int, int, int]
    tiles: tuple[int, int]
    item: pg.ImageItem
    marker: QGraphicsRectItem
    high: float = 0.0  # running maximum of |value|, for open-ended ranges

    def image(self, maps: np.ndarray) -> np.ndarray:
        """The mosaic of ``maps`` (rows, cols, channels), NaN between tiles."""
        return grids.mosaic(np.moveaxis(maps, -1, 0), self.tiles, GAP)

    def cell_at(self, x: float, y: float) -> Cell | None:
        """The cell under mosaic pixel (x, y), or None (gaps, outside)."""
        rows, cols, channels = self.shape
        channel = grids.mosaic_index(x, y, self.tiles, (rows, cols), channels, GAP)
        if channel is None:
            return None
        top, left = grids.mosaic_origin(channel, self.tiles, (rows, cols), GAP)
        return self.layer, int(y) - top, int(x) - left, channel

    def origin(self, channel: int) -> tuple[int, int]:
        """(top, left) pixel of ``channel``'s tile."""
        return grids.mosaic_origin(channel, self.tiles, self.shape[:2], GAP)


def wide_tiles(channels: int) -> tuple[int, int]:
    """(rows, columns) of maps for one row of the diagram: eight or sixteen wide."""
    cols = min(channels, 8 if channels <= 32 else 16)
    return -(-channels // cols), cols


class MapDiagram(pg.GraphicsLayoutWidget):
    """Every maps layer of a CNN side by side; hover and click report cells."""

    hovered = Signal(object)  # Cell or None
    clicked = Signal(object)  # Cell

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("featureMaps")
        self.setToolTip(
            "Each conv layer's feature maps for the current drawing, one small heat"
            " map per filter. Hover a cell to see its filter and how it was"
            " computed, click to keep it."
        )
        self.setBackground(HEATMAP_GROUND)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.columns: list[MapColumn] = []
        self.output: pg.ImageItem | None = None
        self.field = style.marker(RECEPTIVE_FIELD, 2.0)
        self.scene().sigMouseMoved.connect(self._on_moved)
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.viewport().installEventFilter(self)

    def build(self, network: Network | None, titles: list[str]) -> None:
        """One row per maps layer of ``network``; ``titles`` name every layer.

        Rows, not columns: the tab is taller than wide, and a layer's maps side by
        side fill its width.
        """
        self.clear()
        self.columns, self.output = [], None
        self.field = style.marker(RECEPTIVE_FIELD, 2.0)
        if network is None:
            return
        shapes = [a.shape[1:] for a in network.activations(np.zeros((1, 28, 28)))]
        maps = [i for i, s in enumerate(shapes) if len(s) == 3]
        for row, layer in enumerate(maps):
            tiles = wide_tiles(shapes[layer][2])
            box = self._add_box(row, titles[layer])
            item = pg.ImageItem()
            item.setColorMap(pg.colormap.get(SEQUENTIAL))
            marker = style.marker(SELECTED_NEURON, 2.0)
            box.addItem(item)
            box.addItem(marker, ignoreBounds=True)
            column = MapColumn(layer, titles[layer], shapes[layer], tiles, item, marker)
            item.setImage(column.image(np.full(shapes[layer], np.nan)), levels=(0, 1))
            height, width = item.image.shape
            box.setRange(xRange=(0, width), yRange=(0, height), padding=0.02)
            # Height in proportion to what the maps need at the common width; the
            # input, one square, would otherwise take as much as all the rest.
            need = min(height / width, 0.3)
            self.ci.layout.setRowStretchFactor(row, max(1, round(40 * need)))
            self.columns.append(column)
        self.columns[0].item.getViewBox().addItem(self.field, ignoreBounds=True)
        self._add_output(len(maps), titles[-1])

    def _add_box(self, row: int, title: str) -> pg.ViewBox:
        label = self.addLabel(
            title, row=row, col=0, color=LAYER_LABEL, size="9pt", justify="right"
        )
        label.setMaximumWidth(130)
        box = self.addViewBox(row=row, col=1, lockAspect=True, invertY=True)
        box.setMouseEnabled(x=False, y=False)
        box.setMenuEnabled(False)
        return box

    def _add_output(self, row: int, title: str) -> None:
        box = self._add_box(row, title)
        self.output = pg.ImageItem()
        self.output.setColorMap(pg.colormap.get(SEQUENTIAL))
        self.output.setImage(grids.blank_grid((1, 10)), levels=(0.0, 1.0))
        box.addItem(self.output)
        for digit in range(10):
            label = pg.TextItem(str(digit), color=LAYER_LABEL, anchor=(0.5, 0.0))
            label.setPos(digit + 0.5, 1.05)
            box.addItem(label, ignoreBounds=True)
        self.predicted = style.marker(PREDICTED, 2.0)
        box.addItem(self.predicted, ignoreBounds=True)
        box.setRange(xRange=(0, 10), yRange=(0, 2.0), padding=0.02)
        self.ci.layout.setRowStretchFactor(row, 5)

    def show_values(self, activations: list[np.ndarray] | None) -> None:
        """Show one image's activations (``Network.activations``), None: blank."""
        for column in self.columns:
            values = (
                None if activations is None else np.asarray(activations[column.layer])
            )
            if values is None:
                blank = np.full(column.shape, np.nan, dtype=np.float32)
                column.item.setImage(column.image(blank), autoLevels=False)
                continue
            maps = values.reshape(column.shape)
            column.item.setImage(column.image(maps), levels=self._levels(column, maps))
        if self.output is None:
            return
        if activations is None:
            self.output.setImage(grids.blank_grid((1, 10)), autoLevels=False)
            self.predicted.hide()
            return
        probabilities = np.asarray(activations[-1], dtype=np.float32).reshape(1, 10)
        self.output.setImage(probabilities, levels=(0.0, 1.0))
        self.predicted.setRect(QRectF(int(np.argmax(probabilities)), 0, 1, 1))
        self.predicted.show()

    @staticmethod
    def _levels(column: MapColumn, maps: np.ndarray) -> tuple[float, float]:
        if column.layer == 0:
            return 0.0, 1.0
        column.high = max(column.high, float(np.abs(maps).max()), 1e-3)
        # Batch normalization gives negative values too; relu maps start at zero.
        low = -column.high if float(maps.min()) < 0 else 0.0
        return low, column.high

    def reset_levels(self) -> None:
        """Forget the largest values seen (a new network with the same shape)."""
        for column in self.columns:
            column.high = 0.0

    def column(self, layer: int) -> MapColumn:
        """The column showing ``layer``'s maps."""
        return next(c for c in self.columns if c.layer == layer)

    def mark(self, cell: Cell | None, field: tuple[int, int, int, int] | None) -> None:
        """Frame ``cell`` and the input pixels ``field`` (top, left, height, width)."""
        for column in self.columns:
            column.marker.hide()
        self.field.hide()
        if cell is None:
            return
        column = self.column(cell[0])
        top, left = column.origin(cell[3])
        column.marker.setRect(QRectF(left + cell[2], top + cell[1], 1, 1))
        column.marker.show()
        if field is not None and cell[0] > 0:
            rect = QRectF(field[1], field[0], field[3], field[2])
            self.field.setRect(rect.intersected(QRectF(0, 0, 28, 28)))
            self.field.show()

    def cell_at(self, pos: QPointF) -> Cell | None:
        """The cell under scene position ``pos``."""
        for column in self.columns:
            if not column.item.getViewBox().sceneBoundingRect().contains(pos):
                continue
            p = column.item.mapFromScene(pos)
            return column.cell_at(p.x(), p.y())
        return None

    def _on_moved(self, pos: QPointF) -> None:
        self.hovered.emit(self.cell_at(pos))

    def _on_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            cell = self.cell_at(event.scenePos())
            if cell is not None:
                self.clicked.emit(cell)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop previewing when the mouse leaves."""
        if event.type() == QEvent.Type.Leave:
            self.hovered.emit(None)
        return super().eventFilter(watched, event)

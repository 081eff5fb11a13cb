"""Every first-layer neuron's incoming weights as a mosaic of 28x28 tiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.recipe.spec import INPUT_SHAPE
from nnpad.ui.inside import grids
from nnpad.ui.style import (
    DIVERGING,
    HEATMAP_GROUND,
    LAYER_LABEL,
    SELECTED_NEURON,
    marker,
)

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent

    from nnpad.core.reading.explain import NeuronMaps

pg.setConfigOptions(imageAxisOrder="row-major")


class WeightMosaic(pg.GraphicsLayoutWidget):
    """The mosaic; hovering a tile previews its neuron, clicking selects it.

    Signals carry the neuron's index in the first hidden layer (None: no tile).
    """

    hovered = Signal(object)
    clicked = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("firstLayerWeights")
        self.setToolTip(
            "Every first-layer neuron's incoming weights as a 28×28 tile (red"
            " positive, blue negative). Click a tile to select that neuron; drag"
            " or scroll to pan and zoom."
        )
        self.setBackground(HEATMAP_GROUND)
        # Keys go to the activation view, not to QGraphicsView's scrolling.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._item: pg.ImageItem | None = None
        self._marker = marker(SELECTED_NEURON, 2.0)
        self._tiles = (1, 1)
        self._count = 0
        self.scene().sigMouseMoved.connect(self._on_moved)
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.viewport().installEventFilter(self)

    def item(self) -> pg.ImageItem | None:
        """The mosaic image (None without a network)."""
        return self._item

    def tiles(self) -> tuple[int, int]:
        """(rows, columns) of tiles."""
        return self._tiles

    def set_maps(self, maps: NeuronMaps | None, *, rebuild: bool) -> None:
        """Show the first layer of ``maps``' network; rebuild the items if asked."""
        if rebuild or self._item is None:
            self.clear()
            self._item = None
            self._marker = marker(SELECTED_NEURON, 2.0)
            if maps is None:
                self.addLabel("No model loaded", color=LAYER_LABEL)
                return
            box = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
            self._item = pg.ImageItem()
            self._item.setColorMap(pg.colormap.get(DIVERGING))
            box.addItem(self._item)
            box.addItem(self._marker, ignoreBounds=True)
            self._update(maps)
            box.autoRange(padding=0.01)
        elif maps is not None:
            self._update(maps)

    def _update(self, maps: NeuronMaps) -> None:
        assert self._item is not None
        weights = maps.weight_images(1)
        self._count = len(weights)
        self._tiles = grids.mosaic_shape(self._count)
        image = grids.mosaic(weights, self._tiles)
        # A few extreme weights should not wash out all the others.
        limit = grids.symmetric_limit(weights, 99.5)
        self._item.setImage(image, levels=(-limit, limit))

    def mark(self, index: int | None) -> None:
        """Frame the tile of neuron ``index`` (None: no frame)."""
        if index is None or self._item is None:
            self._marker.hide()
            return
        top, left = grids.mosaic_origin(index, self._tiles, INPUT_SHAPE)
        self._marker.setRect(
            QRectF(left - 0.5, top - 0.5, INPUT_SHAPE[1] + 1, INPUT_SHAPE[0] + 1)
        )
        self._marker.show()

    def tile_at(self, pos: QPointF) -> int | None:
        """The neuron whose tile is under scene position ``pos``."""
        item = self._item
        if item is None or not item.getViewBox().sceneBoundingRect().contains(pos):
            return None
        p = item.mapFromScene(pos)
        return grids.mosaic_index(p.x(), p.y(), self._tiles, INPUT_SHAPE, self._count)

    def _on_moved(self, pos: QPointF) -> None:
        self.hovered.emit(self.tile_at(pos))

    def _on_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.tile_at(event.scenePos())
            if index is not None:
                self.clicked.emit(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop previewing when the mouse leaves."""
        if event.type() == QEvent.Type.Leave:
            self.hovered.emit(None)
        return super().eventFilter(watched, event)

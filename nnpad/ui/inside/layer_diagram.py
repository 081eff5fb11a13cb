"""The diagram of the activation view: one heat map per layer, input to output.

One ImageItem per layer, created when the architecture changes and then only fed new
images, so the diagram keeps up with the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.recipe.spec import INPUT_SHAPE
from nnpad.ui import style
from nnpad.ui.inside import grids
from nnpad.ui.style import (
    DIVERGING,
    HEATMAP_GROUND,
    LAYER_LABEL,
    PREDICTED,
    SELECTED_NEURON,
    SEQUENTIAL,
)

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
    from PySide6.QtWidgets import QGraphicsRectItem

    from nnpad.core.model.network import Network

pg.setConfigOptions(imageAxisOrder="row-major")

# Fixed ranges; activations without one (relu, linear) use the largest value seen.
_FIXED_LEVELS = {
    "input": (0.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


@dataclass(eq=False)
class _Layer:
    """One column of the diagram."""

    name: str
    units: int
    shape: tuple[int, int]
    activation: str  # input | relu | sigmoid | tanh | softmax | linear
    item: pg.ImageItem
    marker: QGraphicsRectItem
    high: float = 0.0  # running maximum of |activation|, for open-ended ranges

    def levels(self, values: np.ndarray) -> tuple[float, float]:
        """Colour range for ``values``: fixed, or growing with what has been seen."""
        fixed = _FIXED_LEVELS.get(self.activation)
        if fixed is not None:
            return fixed
        self.high = max(self.high, float(np.abs(values).max()), 1e-3)
        if self.activation == "relu":
            return 0.0, self.high
        return -self.high, self.high


class LayerDiagram(pg.GraphicsLayoutWidget):
    """Every layer's activations side by side; hover and click report neurons.

    Neurons are (layer, index) with layer 0 the input and the last the output.
    """

    hovered = Signal(object)  # (layer, index) or None
    clicked = Signal(object)  # (layer, index)

    def __init__(self, tooltip: str) -> None:
        super().__init__()
        self.setObjectName("activationLayers")
        self.setToolTip(tooltip)
        self.setBackground(HEATMAP_GROUND)
        # Keys go to the activation view, not to QGraphicsView's scrolling.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.layers: list[_Layer] = []
        self._labels: list[pg.TextItem] = []
        self._predicted: int | None = None
        self.predict_marker = style.marker(PREDICTED, 2.0)
        self.scene().sigMouseMoved.connect(self._on_moved)
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.viewport().installEventFilter(self)

    def units(self, layer: int) -> int:
        """How many neurons ``layer`` has."""
        return self.layers[layer].units

    def columns(self, layer: int) -> int:
        """How many neurons a row of ``layer``'s grid holds."""
        return self.layers[layer].shape[1]

    def build(self, network: Network | None) -> None:
        """Make one column per layer of ``network`` (None: say there is no model)."""
        widget = self
        widget.clear()  # deletes the old items, markers included
        self.layers = []
        self._labels = []
        self._predicted = None
        self.predict_marker = style.marker(PREDICTED, 2.0)
        if network is None:
            widget.addLabel("No model loaded", row=0, col=0, color=LAYER_LABEL)
            return
        names = network.layer_names()
        sizes = [INPUT_SHAPE[0] * INPUT_SHAPE[1], *(b.units for b in network.blocks)]
        kinds = ["input", *(b.activation for b in network.blocks)]
        last = len(sizes) - 1
        for col, (name, units, kind) in enumerate(
            zip(names, sizes, kinds, strict=True)
        ):
            if col == 0:
                shape, title = INPUT_SHAPE, "Input 28×28"
            elif col == last:
                shape, title = (1, units), name
            else:
                shape, title = grids.grid_shape(units), f"{name} ({units}, {kind})"
            # The output goes under the hidden layers, which then share the width.
            below = col == last and last > 1
            row, col_at, span = (2, 1, last - 1) if below else (0, col, 1)
            widget.addLabel(title, row=row, col=col_at, colspan=span, size="9pt")
            box = widget.addViewBox(
                row=row + 1, col=col_at, colspan=span, lockAspect=True, invertY=True
            )
            box.setMouseEnabled(x=False, y=False)
            box.setMenuEnabled(False)
            item = pg.ImageItem()
            item.setImage(grids.blank_grid(shape), levels=(0.0, 1.0))
            diverging = kind in ("tanh", "linear")
            item.setColorMap(pg.colormap.get(DIVERGING if diverging else SEQUENTIAL))
            item.setToolTip(f"{title}: hover a neuron for its value and weights")
            marker = style.marker(SELECTED_NEURON, 2.0)
            box.addItem(item)
            box.addItem(marker, ignoreBounds=True)
            # Room in proportion to the width each grid needs at a common height.
            if not below:
                aspect = 1.2 if col == last else shape[1] / shape[0]
                widget.ci.layout.setColumnStretchFactor(col, max(1, round(10 * aspect)))
            self.layers.append(_Layer(name, units, shape, kind, item, marker))
            if col == last:
                self._add_output_labels(box, units)
                box.setRange(xRange=(0, units), yRange=(0, 2.2), padding=0.02)
                widget.ci.layout.setRowStretchFactor(1, 10)
                widget.ci.layout.setRowStretchFactor(3, 3)
            else:
                box.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)

    def _add_output_labels(self, box: pg.ViewBox, units: int) -> None:
        for digit in range(units):
            label = pg.TextItem(str(digit), color=LAYER_LABEL, anchor=(0.5, 0.0))
            label.setPos(digit + 0.5, 1.05)
            box.addItem(label, ignoreBounds=True)
            self._labels.append(label)
        box.addItem(self.predict_marker, ignoreBounds=True)

    def show_values(
        self, activations: list[np.ndarray] | None
    ) -> list[np.ndarray] | None:
        """Show one image's activations (None: blank); return them as flat vectors."""
        if activations is None:
            for layer in self.layers:
                layer.item.setImage(grids.blank_grid(layer.shape), autoLevels=False)
            self._set_predicted(None)
            return None
        values = self._check(activations)
        for layer, vector in zip(self.layers, values, strict=True):
            layer.item.setImage(
                grids.to_grid(vector, layer.shape), levels=layer.levels(vector)
            )
        self._set_predicted(int(np.argmax(values[-1])))
        return values

    def reset_levels(self) -> None:
        """Forget the largest activations seen (a new network with the same shape)."""
        for layer in self.layers:
            layer.high = 0.0

    def _check(self, activations: list[np.ndarray]) -> list[np.ndarray]:
        if len(activations) != len(self.layers):
            raise ValueError(
                f"got {len(activations)} layers of activations for a network"
                f" with {len(self.layers)}"
            )
        values = []
        for layer, array in zip(self.layers, activations, strict=True):
            vector = np.asarray(array, dtype=np.float32).reshape(-1)
            if vector.size != layer.units:
                raise ValueError(
                    f"{layer.name} has {layer.units} units, got {vector.size} values"
                    " (pass the activations of one image)"
                )
            values.append(vector)
        return values

    def _set_predicted(self, digit: int | None) -> None:
        if digit == self._predicted:
            return
        if self._predicted is not None and self._labels:
            self._labels[self._predicted].setColor(LAYER_LABEL)
        self._predicted = digit
        if digit is None or not self._labels:
            self.predict_marker.hide()
            return
        self._labels[digit].setColor(PREDICTED)
        self.predict_marker.setRect(QRectF(digit, 0, 1, 1))
        self.predict_marker.show()

    def mark(self, neuron: tuple[int, int] | None) -> None:
        """Frame ``neuron`` (None: no frame)."""
        for layer in self.layers:
            layer.marker.hide()
        if neuron is None:
            return
        layer = self.layers[neuron[0]]
        x, y = grids.cell_origin(neuron[1], layer.shape)
        layer.marker.setRect(QRectF(x, y, 1, 1))
        layer.marker.show()

    def neuron_at(self, pos: QPointF) -> tuple[int, int] | None:
        """The neuron under scene position ``pos``."""
        for layer_index, layer in enumerate(self.layers):
            # The box clips its image: ignore parts of a grid that are not visible.
            if not layer.item.getViewBox().sceneBoundingRect().contains(pos):
                continue
            p = layer.item.mapFromScene(pos)
            index = grids.cell_index(p.x(), p.y(), layer.shape, layer.units)
            if index is not None:
                return layer_index, index
        return None

    def _on_moved(self, pos: QPointF) -> None:
        self.hovered.emit(self.neuron_at(pos))

    def _on_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            neuron = self.neuron_at(event.scenePos())
            if neuron is not None:
                self.clicked.emit(neuron)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop previewing when the mouse leaves."""
        if event.type() == QEvent.Type.Leave:
            self.hovered.emit(None)
        return super().eventFilter(watched, event)

"""Look inside the network: every layer's activations for the current drawing.

One ImageItem per layer, created when the architecture changes and then only fed new
images, so the view keeps up with the drawing. Hovering a neuron previews it in the
detail panel, clicking (or the keyboard) selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QSplitter,
    QTabWidget,
    QWidget,
)

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.spec import INPUT_SHAPE
from nnpad.ui import grids
from nnpad.ui.neuron_detail import DIVERGING, NeuronDetail

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent

    from nnpad.core.network import Network

__all__ = ["ActivationView"]

pg.setConfigOptions(imageAxisOrder="row-major")

SEQUENTIAL = "inferno"
KEY_HELP = (
    "Hover a neuron to inspect it, click to select it.\n"
    "Keys: arrows move within a layer; PageUp/PageDown, [ ] or Shift+Tab/Tab"
    " change layer; Esc clears the selection."
)
_BACKGROUND = "#34373c"
_SELECT_COLOR = QColor("#00e5ff")
_PREDICT_COLOR = QColor("#ffffff")
_LABEL_COLOR = QColor("#9aa0a6")
_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
# Fixed ranges; activations without one (relu, linear) use the largest value seen.
_FIXED_LEVELS = {
    "input": (0.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


def _marker(color: QColor, width: float) -> QGraphicsRectItem:
    pen = QPen(color)
    pen.setCosmetic(True)
    pen.setWidthF(width)
    rect = QGraphicsRectItem()
    rect.setPen(pen)
    rect.setZValue(10)
    rect.hide()
    return rect


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


class ActivationView(QWidget):
    """Heat maps of every layer's activations, a weight mosaic and a neuron panel."""

    selection_changed = Signal(object)  # (layer, index) or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activations")
        self.setAccessibleName("Layer activations")
        self.setAccessibleDescription(KEY_HELP)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self._network: Network | None = None
        self._architecture: tuple[tuple[int, str], ...] | None = None
        self._layers: list[_Layer] = []
        self._values: list[np.ndarray] | None = None
        self._selected: tuple[int, int] | None = None
        self._hover: tuple[int, int] | None = None
        self._last_index: dict[int, int] = {}  # where the keyboard left each layer
        self._predicted: int | None = None
        self._labels: list[pg.TextItem] = []
        self._predict_marker = _marker(_PREDICT_COLOR, 2.0)
        self._tiles = (1, 1)
        self._mosaic_item: pg.ImageItem | None = None
        self._mosaic_marker = _marker(_SELECT_COLOR, 2.0)

        self._layers_widget = pg.GraphicsLayoutWidget()
        self._layers_widget.setObjectName("activationLayers")
        self._layers_widget.setToolTip(
            "Each layer's activations for the current drawing, input on the left.\n"
            + KEY_HELP
        )
        self._weights_widget = pg.GraphicsLayoutWidget()
        self._weights_widget.setObjectName("firstLayerWeights")
        self._weights_widget.setToolTip(
            "Every first-layer neuron's incoming weights as a 28×28 tile (red"
            " positive, blue negative). Click a tile to select that neuron; drag"
            " or scroll to pan and zoom."
        )
        for widget, moved, clicked in (
            (self._layers_widget, self._on_layers_moved, self._on_layers_clicked),
            (self._weights_widget, self._on_mosaic_moved, self._on_mosaic_clicked),
        ):
            # Grey, not black: inferno draws zero as black; padding is transparent.
            widget.setBackground(_BACKGROUND)
            # Keys go to this view, not to QGraphicsView's scrolling.
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            widget.scene().sigMouseMoved.connect(moved)
            widget.scene().sigMouseClicked.connect(clicked)
            widget.viewport().installEventFilter(self)

        self._tabs = QTabWidget()
        self._tabs.addTab(self._layers_widget, "Activations")
        self._tabs.addTab(self._weights_widget, "First-layer weights")
        self._tabs.setTabToolTip(0, "Every layer's activations for the drawing")
        self._tabs.setTabToolTip(1, "All first-layer neurons' incoming weights")
        self.detail = NeuronDetail()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._tabs)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.set_network(None)

    # -- public API --------------------------------------------------------------

    def network(self) -> Network | None:
        """The network being shown."""
        return self._network

    def image_items(self) -> list[pg.ImageItem]:
        """One ImageItem per layer: input, hidden layers, output."""
        return [layer.item for layer in self._layers]

    def mosaic_item(self) -> pg.ImageItem | None:
        """The first-layer weight mosaic (None without a network)."""
        return self._mosaic_item

    def mosaic_tiles(self) -> tuple[int, int]:
        """(rows, columns) of tiles in the mosaic."""
        return self._tiles

    def set_network(self, network: Network | None) -> None:
        """Show ``network``; items are rebuilt only when its architecture changes."""
        architecture = (
            None
            if network is None
            else tuple((b.units, b.activation) for b in network.blocks)
        )
        self._network = network
        self.detail.set_network(network)
        self._values = None
        if architecture != self._architecture:
            self._architecture = architecture
            self._selected = self._hover = None
            self._build_layers()
            self._build_mosaic()
        else:
            for layer in self._layers:
                layer.high = 0.0
            self._update_mosaic()
        self._place_markers()
        self.show_activations(None)
        self._refresh_detail()

    def show_activations(self, activations: list[np.ndarray] | None) -> None:
        """Show ``network.activations(image)`` for one image; None blanks the view."""
        if activations is None:
            self._values = None
            for layer in self._layers:
                layer.item.setImage(grids.blank_grid(layer.shape), autoLevels=False)
            self._set_predicted(None)
        else:
            values = self._check(activations)
            for layer, vector in zip(self._layers, values, strict=True):
                layer.item.setImage(
                    grids.to_grid(vector, layer.shape), levels=layer.levels(vector)
                )
            self._values = values
            self._set_predicted(int(np.argmax(values[-1])))
        self._refresh_detail()

    def selected_neuron(self) -> tuple[int, int] | None:
        """The selected (layer, neuron); layer 0 is the input, the last the output."""
        return self._selected

    def shown_neuron(self) -> tuple[int, int] | None:
        """The neuron in the detail panel: the hovered one, else the selected one."""
        return self._shown()

    def select_neuron(self, layer: int, index: int) -> None:
        """Select neuron ``index`` of ``layer`` (0 input, 1 first hidden, ...)."""
        if not 0 <= layer < len(self._layers):
            raise IndexError(f"layer {layer} does not exist")
        if not 0 <= index < self._layers[layer].units:
            raise IndexError(f"layer {layer} has no neuron {index}")
        self._selected = (layer, index)
        self._hover = None  # the new selection, not a stale preview, fills the panel
        self._place_markers()
        self._refresh_detail()
        self.selection_changed.emit(self._selected)

    def clear_selection(self) -> None:
        """Select nothing."""
        self._selected = None
        self._place_markers()
        self._refresh_detail()
        self.selection_changed.emit(None)

    # -- building ----------------------------------------------------------------

    def _build_layers(self) -> None:
        widget = self._layers_widget
        widget.clear()  # deletes the old items, markers included
        self._layers = []
        self._labels = []
        self._predicted = None
        self._predict_marker = _marker(_PREDICT_COLOR, 2.0)
        self._last_index.clear()
        network = self._network
        if network is None:
            widget.addLabel("No model loaded", row=0, col=0, color="#9aa0a6")
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
            widget.addLabel(title, row=0, col=col)
            box = widget.addViewBox(row=1, col=col, lockAspect=True, invertY=True)
            box.setMouseEnabled(x=False, y=False)
            box.setMenuEnabled(False)
            item = pg.ImageItem()
            item.setImage(grids.blank_grid(shape), levels=(0.0, 1.0))
            diverging = kind in ("tanh", "linear")
            item.setColorMap(pg.colormap.get(DIVERGING if diverging else SEQUENTIAL))
            item.setToolTip(f"{title}: hover a neuron for its value and weights")
            marker = _marker(_SELECT_COLOR, 2.0)
            box.addItem(item)
            box.addItem(marker, ignoreBounds=True)
            # Room in proportion to the width each grid needs at a common height.
            aspect = 1.2 if col == last else shape[1] / shape[0]
            stretch = max(1, round(10 * aspect))
            widget.ci.layout.setColumnStretchFactor(col, stretch)
            self._layers.append(_Layer(name, units, shape, kind, item, marker))
            if col == last:
                self._add_output_labels(box, units)
                box.setRange(xRange=(0, units), yRange=(0, 2.2), padding=0.02)
            else:
                box.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)

    def _add_output_labels(self, box: pg.ViewBox, units: int) -> None:
        for digit in range(units):
            label = pg.TextItem(str(digit), color=_LABEL_COLOR, anchor=(0.5, 0.0))
            label.setPos(digit + 0.5, 1.05)
            box.addItem(label, ignoreBounds=True)
            self._labels.append(label)
        box.addItem(self._predict_marker, ignoreBounds=True)

    def _build_mosaic(self) -> None:
        widget = self._weights_widget
        widget.clear()
        self._mosaic_item = None
        self._mosaic_marker = _marker(_SELECT_COLOR, 2.0)
        if self._network is None:
            widget.addLabel("No model loaded", color="#9aa0a6")
            return
        box = widget.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self._mosaic_item = pg.ImageItem()
        self._mosaic_item.setColorMap(pg.colormap.get(DIVERGING))
        box.addItem(self._mosaic_item)
        box.addItem(self._mosaic_marker, ignoreBounds=True)
        self._update_mosaic()
        box.autoRange(padding=0.01)

    def _update_mosaic(self) -> None:
        if self._network is None or self._mosaic_item is None:
            return
        weights = self._network.first_layer_images()
        self._tiles = grids.mosaic_shape(len(weights))
        image = grids.mosaic(weights, self._tiles)
        # A few extreme weights should not wash out all the others.
        limit = grids.symmetric_limit(weights, 99.5)
        self._mosaic_item.setImage(image, levels=(-limit, limit))

    # -- updating ----------------------------------------------------------------

    def _check(self, activations: list[np.ndarray]) -> list[np.ndarray]:
        if len(activations) != len(self._layers):
            raise ValueError(
                f"got {len(activations)} layers of activations for a network"
                f" with {len(self._layers)}"
            )
        values = []
        for layer, array in zip(self._layers, activations, strict=True):
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
            self._labels[self._predicted].setColor(_LABEL_COLOR)
        self._predicted = digit
        if digit is None or not self._labels:
            self._predict_marker.hide()
            return
        self._labels[digit].setColor(_PREDICT_COLOR)
        self._predict_marker.setRect(QRectF(digit, 0, 1, 1))
        self._predict_marker.show()

    def _place_markers(self) -> None:
        for layer in self._layers:
            layer.marker.hide()
        self._mosaic_marker.hide()
        if self._selected is None:
            return
        layer_index, index = self._selected
        layer = self._layers[layer_index]
        x, y = grids.cell_origin(index, layer.shape)
        layer.marker.setRect(QRectF(x, y, 1, 1))
        layer.marker.show()
        if layer_index == 1:
            top, left = grids.mosaic_origin(index, self._tiles, INPUT_SHAPE)
            self._mosaic_marker.setRect(
                QRectF(left - 0.5, top - 0.5, INPUT_SHAPE[1] + 1, INPUT_SHAPE[0] + 1)
            )
            self._mosaic_marker.show()

    def _shown(self) -> tuple[int, int] | None:
        return self._hover if self._hover is not None else self._selected

    def _refresh_detail(self) -> None:
        shown = self._shown()
        if shown is None and self._predicted is not None:
            # Until the person picks a neuron, explain the winning digit.
            shown = (len(self._layers) - 1, self._predicted)
        value = None
        if shown is not None and self._values is not None:
            value = float(self._values[shown[0]][shown[1]])
        self.detail.show_neuron(shown, value, self._predicted)

    # -- mouse ---------------------------------------------------------------------

    def _layer_at(self, pos: QPointF) -> tuple[int, int] | None:
        for layer_index, layer in enumerate(self._layers):
            # The box clips its image: ignore parts of a grid that are not visible.
            if not layer.item.getViewBox().sceneBoundingRect().contains(pos):
                continue
            p = layer.item.mapFromScene(pos)
            index = grids.cell_index(p.x(), p.y(), layer.shape, layer.units)
            if index is not None:
                return layer_index, index
        return None

    def _tile_at(self, pos: QPointF) -> tuple[int, int] | None:
        item = self._mosaic_item
        if item is None or len(self._layers) < 2:
            return None
        if not item.getViewBox().sceneBoundingRect().contains(pos):
            return None
        p = item.mapFromScene(pos)
        index = grids.mosaic_index(
            p.x(), p.y(), self._tiles, INPUT_SHAPE, self._layers[1].units
        )
        return None if index is None else (1, index)

    def _set_hover(self, neuron: tuple[int, int] | None) -> None:
        if neuron != self._hover:
            self._hover = neuron
            self._refresh_detail()

    def _on_layers_moved(self, pos: QPointF) -> None:
        self._set_hover(self._layer_at(pos))

    def _on_mosaic_moved(self, pos: QPointF) -> None:
        self._set_hover(self._tile_at(pos))

    def _on_layers_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._click(self._layer_at(event.scenePos()))

    def _on_mosaic_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._click(self._tile_at(event.scenePos()))

    def _click(self, neuron: tuple[int, int] | None) -> None:
        if neuron is not None:
            self.select_neuron(*neuron)
            self.setFocus(Qt.FocusReason.MouseFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop previewing when the mouse leaves a diagram."""
        if event.type() == QEvent.Type.Leave:
            self._set_hover(None)
        return super().eventFilter(watched, event)

    # -- keyboard ------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows move within a layer; PageUp/PageDown and [ ] change layer."""
        key = event.key()
        steps = {Qt.Key.Key_PageDown: 1, Qt.Key.Key_BracketRight: 1}
        steps |= {Qt.Key.Key_PageUp: -1, Qt.Key.Key_BracketLeft: -1}
        if not self._layers:
            super().keyPressEvent(event)
        elif key == Qt.Key.Key_Escape and self._selected is not None:
            self.clear_selection()
        elif key in steps:
            self._step_layer(steps[key])
        elif key in _ARROWS:
            self._move(key)
        else:
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab change layer; at either end focus moves on as usual."""
        if self.hasFocus() and self._selected is not None:
            target = self._selected[0] + (1 if next else -1)
            if 0 <= target < len(self._layers):
                self._step_layer(1 if next else -1)
                return True
        return super().focusNextPrevChild(next)

    def _move(self, key: Qt.Key) -> None:
        if self._selected is None:
            self.select_neuron(min(1, len(self._layers) - 1), 0)
            return
        layer, index = self._selected
        cols = self._layers[layer].shape[1]
        delta = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -cols,
            Qt.Key.Key_Down: cols,
        }[key]
        target = index + delta
        if 0 <= target < self._layers[layer].units:
            self.select_neuron(layer, target)

    def _step_layer(self, step: int) -> None:
        if self._selected is None:
            self.select_neuron(min(1, len(self._layers) - 1), 0)
            return
        layer, index = self._selected
        target = layer + step
        if not 0 <= target < len(self._layers):
            return
        self._last_index[layer] = index
        # Back where we left that layer, else at the same relative position.
        old, new = self._layers[layer].units, self._layers[target].units
        position = self._last_index.get(target, int((index + 0.5) * new / old))
        self.select_neuron(target, min(position, new - 1))

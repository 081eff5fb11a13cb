"""Look inside a convolutional network, for the digit shown.

Every conv layer's feature maps (:class:`~nnpad.ui.inside.map_diagram.MapDiagram`), the
first conv layer's filters as a mosaic, and a panel
(:class:`~nnpad.ui.inside.conv_detail.ConvDetail`) that shows how one cell was computed.
Hovering a cell previews it, clicking keeps it; until then the panel explains the
strongest cell of the last conv layer, so it is never empty while there is a
drawing. The cell's receptive field is framed on the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTabWidget, QWidget

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.model import conv
from nnpad.core.reading.cell_story import cell_story, layer_rows
from nnpad.core.reading.conv_explain import conv_filters, receptive_field
from nnpad.ui.inside import grids
from nnpad.ui.inside.conv_detail import ConvDetail
from nnpad.ui.inside.map_diagram import Cell, MapDiagram
from nnpad.ui.style import DIVERGING, HEATMAP_GROUND, LAYER_LABEL

if TYPE_CHECKING:
    from nnpad.core.model.network import Network

pg.setConfigOptions(imageAxisOrder="row-major")

HINT = "Draw a digit to see what each filter finds in it."


class ConvInside(QWidget):
    """The feature maps, the first filters and how a cell was computed."""

    selection_changed = Signal(object)  # Cell or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("convInside")
        self._network: Network | None = None
        self._activations: list[np.ndarray] | None = None
        self._hover: Cell | None = None
        self._selected: Cell | None = None

        self.maps = MapDiagram()
        self.maps.hovered.connect(self._set_hover)
        self.maps.clicked.connect(self.select_cell)
        self.filters = pg.GraphicsLayoutWidget()
        self.filters.setObjectName("firstFilters")
        self.filters.setBackground(HEATMAP_GROUND)
        self.filters.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.filters.setToolTip(
            "The first conv layer's filters, one square each (red positive, blue"
            " negative): the strokes each one looks for."
        )
        self.filter_item: pg.ImageItem | None = None
        self._tabs = QTabWidget()
        self._tabs.addTab(self.maps, "Feature maps")
        self._tabs.addTab(self.filters, "First-layer filters")
        self.detail = ConvDetail()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._tabs)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 300])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_network(self, network: Network | None) -> None:
        """Show ``network``'s maps; the items are rebuilt for a new architecture."""
        same = (
            network is not None
            and self._network is not None
            and network.architecture == self._network.architecture
        )
        self._network = network
        self._activations = None
        self.detail.set_network(network)
        if same:
            self.maps.reset_levels()
        else:
            self._hover = self._selected = None
            self.maps.build(network, _titles(network))
        self._show_filters(network)
        self.show_activations(None)

    def show_activations(self, activations: list[np.ndarray] | None) -> None:
        """Show the activations of one image (None: blank).

        Either ``network.activations(image)`` or a reading's, without the batch axis.
        """
        if activations is not None:
            arrays = [np.asarray(a) for a in activations]
            batched = arrays[0].ndim == 4  # the input: (1, 28, 28, 1) or (28, 28, 1)
            activations = arrays if batched else [a[None] for a in arrays]
        self._activations = activations
        self.maps.show_values(self._activations)
        self._refresh()

    def selected_cell(self) -> Cell | None:
        """The cell clicked last (None: none)."""
        return self._selected

    def shown_cell(self) -> Cell | None:
        """The cell in the panel: hovered, else selected, else the strongest."""
        if self._hover is not None:
            return self._hover
        return self._selected if self._selected is not None else self._strongest()

    def select_cell(self, cell: Cell | None) -> None:
        """Keep ``cell`` in the panel (None: back to the strongest cell)."""
        self._selected = cell
        self._hover = None
        self._refresh()
        self.selection_changed.emit(cell)

    def _set_hover(self, cell: Cell | None) -> None:
        if cell != self._hover:
            self._hover = cell
            self._refresh()

    def _strongest(self) -> Cell | None:
        """The most active cell of the last conv layer, for a panel never empty."""
        if self._network is None or self._activations is None:
            return None
        layers = conv_layers(self._network)
        if not layers:
            return None
        maps = np.asarray(self._activations[layers[-1]])[0]
        row, col, channel = np.unravel_index(int(np.argmax(maps)), maps.shape)
        return layers[-1], int(row), int(col), int(channel)

    def _refresh(self) -> None:
        cell = self.shown_cell()
        network, activations = self._network, self._activations
        if network is None or activations is None or cell is None:
            self.maps.mark(None, None)
            if network is not None:
                self.detail.show_hint(HINT)
            return
        self.maps.mark(cell, receptive_field(network, *cell[:3]))
        story = cell_story(network, activations, cell)
        note = ""
        if self._hover is None and self._selected is None:
            note = "<br>(the strongest cell; hover or click a map for another)"
        self.detail.show_story(cell, story, note)

    def _show_filters(self, network: Network | None) -> None:
        self.filters.clear()
        self.filter_item = None
        layers = [] if network is None else conv_layers(network)
        if network is None or not layers:
            return
        first = layers[0]
        kernels = conv_filters(network, first)[..., 0]
        tiles = grids.mosaic_shape(len(kernels))
        self.filters.addLabel(
            f"{len(kernels)} filters of {network.layer_names()[first]}",
            color=LAYER_LABEL,
        )
        self.filters.nextRow()
        box = self.filters.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.filter_item = pg.ImageItem()
        self.filter_item.setColorMap(pg.colormap.get(DIVERGING))
        limit = grids.symmetric_limit(kernels)
        self.filter_item.setImage(grids.mosaic(kernels, tiles), levels=(-limit, limit))
        box.addItem(self.filter_item)
        box.autoRange(padding=0.01)


def conv_layers(network: Network) -> list[int]:
    """The layers of ``network`` that are convolutions (numbered as activations)."""
    return [
        i
        for i, f in enumerate(network.features, start=1)
        if isinstance(f, conv.ConvBlock)
    ]


def _titles(network: Network | None) -> list[str]:
    """Each layer's name, output shape and parameter arithmetic, for the columns."""
    if network is None:
        return []
    rows = layer_rows(network)
    titles = []
    for layer, name in enumerate(network.layer_names()):
        row = rows.get(layer)
        if row is None or name == "Output":
            titles.append(name)
        elif row.parameters:
            # Broken before the total, so the titles' column stays narrow.
            arithmetic = row.arithmetic.replace(" = ", "<br>= ")
            titles.append(f"{name}<br>{row.shape_text}<br>{arithmetic}")
        else:
            titles.append(f"{name}<br>{row.shape_text}")
    return titles

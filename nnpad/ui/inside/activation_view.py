"""Look inside the network: every layer's activations for the current drawing.

A :class:`~nnpad.ui.inside.layer_diagram.LayerDiagram` of heat maps, a
:class:`~nnpad.ui.inside.weight_mosaic.WeightMosaic` of the first layer's weights, and a
:class:`~nnpad.ui.inside.neuron_detail.NeuronDetail` panel. Hovering a neuron previews
it in the panel, clicking (or the keyboard) selects it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from nnpad.core.reading.explain import NeuronMaps
from nnpad.ui.inside.conv_inside import ConvInside
from nnpad.ui.inside.layer_diagram import LayerDiagram
from nnpad.ui.inside.live_feed import LiveFeed
from nnpad.ui.inside.neuron_detail import NeuronDetail
from nnpad.ui.inside.weight_mosaic import WeightMosaic
from nnpad.ui.session import set_connected

if TYPE_CHECKING:
    import pyqtgraph as pg
    from PySide6.QtGui import QKeyEvent

    from nnpad.core.model.network import Network
    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.session import Session

__all__ = ["ActivationView"]

KEY_HELP = (
    "Hover a neuron to inspect it, click to select it.\n"
    "Keys: arrows move within a layer; PageUp/PageDown, [ ] or Shift+Tab/Tab"
    " change layer; Esc clears the selection."
)
_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
Neuron = tuple[int, int]  # (layer, index): layer 0 is the input, the last the output


# While the pen moves, the view gets a reading at most this often (ms): an FNN's few
# heat maps paint in a few ms, a CNN's hundreds of feature maps in tens of ms, which
# a pen move would otherwise wait behind (measured: move -> ink p95 26 ms with the
# shipped CNN at 100 ms, 10 ms with Look inside hidden).
FNN_FEED_MS = 100
CNN_FEED_MS = 400


def feed_interval(convolutional: bool) -> int:
    """How often a moving pen's readings reach the view, in ms."""
    return CNN_FEED_MS if convolutional else FNN_FEED_MS


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
        self._feed: LiveFeed | None = None
        self._architecture: tuple[tuple[int, str], ...] | None = None
        self._values: list[np.ndarray] | None = None
        self._selected: Neuron | None = None
        self._hover: Neuron | None = None
        self._last_index: dict[int, int] = {}  # where the keyboard left each layer

        self.diagram = LayerDiagram(
            "Each layer's activations for the current drawing, input on the left.\n"
            + KEY_HELP
        )
        self.diagram.hovered.connect(self._set_hover)
        self.diagram.clicked.connect(self._click)
        self.mosaic = WeightMosaic()
        self.mosaic.hovered.connect(
            lambda index: self._set_hover(None if index is None else (1, index))
        )
        self.mosaic.clicked.connect(lambda index: self._click((1, index)))

        self._tabs = QTabWidget()
        self._tabs.addTab(self.diagram, "Activations")
        self._tabs.addTab(self.mosaic, "First-layer weights")
        self._tabs.setTabToolTip(0, "Every layer's activations for the drawing")
        self._tabs.setTabToolTip(1, "All first-layer neurons' incoming weights")
        self.detail = NeuronDetail()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._tabs)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        # A CNN's maps need a view of their own; the pages share the tab.
        self.conv = ConvInside()
        self._pages = QStackedWidget()
        self._pages.addWidget(splitter)
        self._pages.addWidget(self.conv)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)
        self.set_network(None)

    # -- public API --------------------------------------------------------------

    def network(self) -> Network | None:
        """The network being shown."""
        return self._network

    def image_items(self) -> list[pg.ImageItem]:
        """One ImageItem per layer: input, hidden layers, output."""
        return [layer.item for layer in self.diagram.layers]

    def mosaic_item(self) -> pg.ImageItem | None:
        """The first-layer weight mosaic (None without a network)."""
        return self.mosaic.item()

    def mosaic_tiles(self) -> tuple[int, int]:
        """(rows, columns) of tiles in the mosaic."""
        return self.mosaic.tiles()

    def is_convolutional(self) -> bool:
        """Whether the network shown is a CNN (its maps page is in front)."""
        return self._pages.currentWidget() is self.conv

    def set_network(self, network: Network | None) -> None:
        """Show ``network``; items are rebuilt only when its architecture changes."""
        self._network = network
        convolutional = network is not None and bool(network.features)
        if self._feed is not None:
            self._feed.set_interval(feed_interval(convolutional))
        self._pages.setCurrentIndex(1 if convolutional else 0)
        self.conv.set_network(network if convolutional else None)
        dense = None if convolutional else network
        architecture = (
            None
            if dense is None
            else tuple((b.units, b.activation) for b in dense.blocks)
        )
        maps = None if dense is None else NeuronMaps(dense)
        self.detail.set_maps(maps)
        self._values = None
        rebuild = architecture != self._architecture
        if rebuild:
            self._architecture = architecture
            self._selected = self._hover = None
            self._last_index.clear()
            self.diagram.build(dense)
        else:
            self.diagram.reset_levels()
        self.mosaic.set_maps(maps, rebuild=rebuild)
        self._place_markers()
        self.show_activations(None)

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Follow ``session``'s model and readings (showing them now), or stop."""
        set_connected([(session.model_changed, self._on_model_changed)], connect)
        if self._feed is not None:
            self._feed.detach()
            self._feed.deleteLater()
            self._feed = None
        if connect:
            # Its heat maps are slow to paint: fewer of a moving pen's readings.
            self._feed = LiveFeed(session, self.show_recognition, parent=self)
            self.set_network(None if session.model is None else session.model.network)
            self.show_recognition(session.recognition)

    @Slot(object)
    def _on_model_changed(self, model: TrainedModel) -> None:
        self.set_network(model.network)

    @Slot(object)
    def show_recognition(self, recognition: Recognition | None) -> None:
        """Show the activations of the digit the recognition shows (None: blank)."""
        reading = None if recognition is None else recognition.current
        self.detail.set_reading(reading)
        self.show_activations(None if reading is None else list(reading.activations))

    def show_activations(self, activations: list[np.ndarray] | None) -> None:
        """Show ``network.activations(image)`` for one image; None blanks the view."""
        if self.is_convolutional():
            self.conv.show_activations(activations)
            return
        self._values = self.diagram.show_values(activations)
        self._refresh_detail()

    def selected_neuron(self) -> Neuron | None:
        """The selected (layer, neuron); layer 0 is the input, the last the output."""
        return self._selected

    def shown_neuron(self) -> Neuron | None:
        """The neuron in the detail panel: the hovered one, else the selected one."""
        return self._hover if self._hover is not None else self._selected

    def select_neuron(self, layer: int, index: int) -> None:
        """Select neuron ``index`` of ``layer`` (0 input, 1 first hidden, ...)."""
        if not 0 <= layer < len(self.diagram.layers):
            raise IndexError(f"layer {layer} does not exist")
        if not 0 <= index < self.diagram.units(layer):
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

    # -- updating ----------------------------------------------------------------

    def _place_markers(self) -> None:
        selected = self._selected
        self.diagram.mark(selected)
        on_first = selected is not None and selected[0] == 1
        self.mosaic.mark(selected[1] if selected is not None and on_first else None)

    def _predicted(self) -> int | None:
        return None if self._values is None else int(np.argmax(self._values[-1]))

    def _refresh_detail(self) -> None:
        shown = self.shown_neuron()
        predicted = self._predicted()
        if shown is None and predicted is not None:
            # Until the person picks a neuron, explain the winning digit.
            shown = (len(self.diagram.layers) - 1, predicted)
        value = None
        if shown is not None and self._values is not None:
            value = float(self._values[shown[0]][shown[1]])
        self.detail.show_neuron(shown, value, predicted)

    def _set_hover(self, neuron: Neuron | None) -> None:
        if neuron != self._hover:
            self._hover = neuron
            self._refresh_detail()

    def _click(self, neuron: Neuron) -> None:
        self.select_neuron(*neuron)
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    # -- keyboard ------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows move within a layer; PageUp/PageDown and [ ] change layer."""
        key = Qt.Key(event.key())
        steps = {Qt.Key.Key_PageDown: 1, Qt.Key.Key_BracketRight: 1}
        steps |= {Qt.Key.Key_PageUp: -1, Qt.Key.Key_BracketLeft: -1}
        if not self.diagram.layers:
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
            if 0 <= target < len(self.diagram.layers):
                self._step_layer(1 if next else -1)
                return True
        return super().focusNextPrevChild(next)

    def _move(self, key: Qt.Key) -> None:
        if self._selected is None:
            self.select_neuron(min(1, len(self.diagram.layers) - 1), 0)
            return
        layer, index = self._selected
        cols = self.diagram.columns(layer)
        delta = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -cols,
            Qt.Key.Key_Down: cols,
        }[key]
        target = index + delta
        if 0 <= target < self.diagram.units(layer):
            self.select_neuron(layer, target)

    def _step_layer(self, step: int) -> None:
        if self._selected is None:
            self.select_neuron(min(1, len(self.diagram.layers) - 1), 0)
            return
        layer, index = self._selected
        target = layer + step
        if not 0 <= target < len(self.diagram.layers):
            return
        self._last_index[layer] = index
        # Back where we left that layer, else at the same relative position.
        old, new = self.diagram.units(layer), self.diagram.units(target)
        position = self._last_index.get(target, int((index + 0.5) * new / old))
        self.select_neuron(target, min(position, new - 1))

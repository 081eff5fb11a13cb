"""The detail panel of the activation view: one neuron's weights and influence."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.reading.explain import push_summary, saliency
from nnpad.core.recipe.spec import INPUT_SHAPE, NUM_CLASSES
from nnpad.ui.inside.grids import blank_grid, symmetric_limit
from nnpad.ui.style import DIVERGING, HEATMAP_GROUND, ZERO_LINE
from nnpad.ui.verdict_text import TextLines

if TYPE_CHECKING:
    from nnpad.core.reading.explain import NeuronMaps
    from nnpad.core.reading.recognition import DigitReading
    from nnpad.core.reading.verdict import Kind

pg.setConfigOptions(imageAxisOrder="row-major")

HINT = (
    "Draw a digit: this pane then shows which of its ink made the network read"
    " it. Hover or click a neuron to look inside that neuron."
)
_UNSET = object()  # no neuron drawn yet, unlike None (the "pick a neuron" prompt)
_POSITIVE = (200, 40, 40)
_NEGATIVE = (40, 90, 200)


# The likeliest digit is only "predicted" when the reading says it is a digit.
_VERDICT_NOTE: dict[Kind | None, str] = {
    "unsure": " (likeliest; the reading is unsure)",
    "not a digit": " (likeliest; the reading is: not a digit)",
}


class NeuronDetail(QWidget):
    """Caption, 28x28 weight image and per-digit influence of one neuron.

    Layers are numbered as in ``Network.activations``: 0 is the input, 1 the first
    hidden layer, the last the output.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("neuronDetail")
        self._maps: NeuronMaps | None = None
        self._reading: DigitReading | None = None
        self._neuron: object = _UNSET  # tuple[int, int], None or _UNSET

        # Painted in a fixed height: its numbers change with every reading, and a
        # QLabel would lay the whole window out again each time.
        self._caption = TextLines(4, align=Qt.AlignmentFlag.AlignLeft)
        self._caption.setObjectName("neuronCaption")

        self._weights_view = pg.GraphicsLayoutWidget()
        self._weights_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._weights_view.setToolTip(
            "What the neuron responds to, as a 28×28 image: red pixels push it up,"
            " blue pixels push it down (deeper layers: weights summed through the"
            " layers in between, ignoring their activations). For an output digit:"
            " which ink of this drawing speaks for it (red) and against it (blue)."
        )
        self._weights_view.setMinimumSize(120, 120)
        # Square-ish, not a tall black column: the pane's room is for the text too.
        self._weights_view.setMaximumHeight(320)
        self._weights_view.setBackground(HEATMAP_GROUND)
        box = self._weights_view.addViewBox(
            lockAspect=True, invertY=True, enableMouse=False, enableMenu=False
        )
        self.weights_item = pg.ImageItem()
        self.weights_item.setImage(blank_grid(INPUT_SHAPE), levels=(-1.0, 1.0))
        self.weights_item.setColorMap(pg.colormap.get(DIVERGING))
        box.addItem(self.weights_item)
        box.setRange(xRange=(0, INPUT_SHAPE[1]), yRange=(0, INPUT_SHAPE[0]), padding=0)

        self._bars_view = pg.PlotWidget()
        self._bars_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._bars_view.setToolTip(
            "How much this neuron, at its current activation, adds to each digit's"
            " score before softmax (red toward, blue against)."
        )
        self._bars_view.setMaximumHeight(110)
        self._bars_view.setMenuEnabled(False)
        self._bars_view.setMouseEnabled(x=False, y=False)
        self._bars_view.hideButtons()
        self._bars_view.getAxis("bottom").setTicks(
            [[(d, str(d)) for d in range(NUM_CLASSES)]]
        )
        self._bars_view.addLine(y=0, pen=pg.mkPen(ZERO_LINE))
        self.bars_item = pg.BarGraphItem(
            x=np.arange(NUM_CLASSES), height=np.zeros(NUM_CLASSES), width=0.7
        )
        self._bars_view.addItem(self.bars_item)
        self._bars_view.setXRange(-0.6, NUM_CLASSES - 0.4, padding=0)

        self._pushes = QLabel()
        self._pushes.setObjectName("neuronPushes")
        self._pushes.setWordWrap(True)

        for label in (self._caption, self._pushes):
            # Long sentences wrap to the pane; they must not widen it.
            label.setSizePolicy(
                QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
            )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._caption)
        layout.addWidget(self._weights_view, 3)
        layout.addWidget(self._bars_view)
        layout.addWidget(self._pushes)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(140)  # the hint and the sentences stay readable
        self.show_neuron(None)

    def caption(self) -> str:
        """The caption, e.g. ``Hidden 1, neuron 37: activation 2.31``."""
        return self._caption.text()

    def pushes(self) -> str:
        """The sentence under the bars (empty when there is none)."""
        return self._pushes.text()

    def contributions(self) -> np.ndarray | None:
        """The bar heights, or None when the bars are hidden."""
        if self._bars_view.isHidden():
            return None
        return np.asarray(self.bars_item.opts["height"])

    def set_maps(self, maps: NeuronMaps | None) -> None:
        """Describe neurons of ``maps.network`` from now on."""
        self._maps = maps
        self._reading = None
        self._neuron = _UNSET
        self.show_neuron(None)

    def set_reading(self, reading: DigitReading | None) -> None:
        """The reading of the current drawing, for the output digits' saliency."""
        self._reading = reading

    def show_neuron(
        self,
        neuron: tuple[int, int] | None,
        value: float | None = None,
        predicted: int | None = None,
    ) -> None:
        """Describe ``neuron`` (layer, index) at activation ``value``.

        Called on every new drawing, so the 28x28 image is only redrawn when the
        neuron changes.
        """
        output = (
            neuron is not None
            and self._maps is not None
            and (neuron[0] == self._maps.output_layer)
        )
        if output and neuron is not None:
            # The output digits' map is this drawing's saliency: redrawn every time.
            self._neuron = neuron
            self._show_weights(self._saliency(neuron[1]))
        elif neuron != self._neuron:
            self._neuron = neuron
            self._show_weights(None if neuron is None else self._weights(*neuron))
        if neuron is None or self._maps is None:
            self._set_caption("No model loaded." if self._maps is None else HINT)
            self._show_contributions(None, "")
            return
        layer, index = neuron
        self._set_caption(self._describe(layer, index, value, predicted))
        last = self._maps.output_layer
        if layer == 0:
            self._show_contributions(None, "Pixels have no incoming weights.")
        elif layer == last:
            self._show_contributions(
                None,
                f"Red ink makes the network read {index} in this drawing, blue ink"
                " speaks against it (gradient × input)."
                if self._reading is not None
                else f"Draw a digit to see which of its ink speaks for {index}.",
            )
        else:
            self._show_pushes(layer, index, value, exact=layer == last - 1)

    def _describe(
        self, layer: int, index: int, value: float | None, predicted: int | None
    ) -> str:
        assert self._maps is not None
        last = self._maps.output_layer
        if layer == 0:
            row, col = divmod(index, INPUT_SHAPE[1])
            head, what = f"Input, pixel (row {row}, column {col})", "value"
        elif layer == last:
            head, what = f"Output, digit {index}", "probability"
        else:
            head = f"{self._maps.network.layer_names()[layer]}, neuron {index}"
            what = "activation"
        if value is None:
            return f"{head}: no drawing"
        text = f"{head}: {what} {value:.2f}"
        if layer == last and index == predicted:
            text += _VERDICT_NOTE.get(
                None if self._reading is None else self._reading.verdict.kind,
                " (predicted)",
            )
        return text

    def _show_pushes(
        self, layer: int, index: int, value: float | None, *, exact: bool
    ) -> None:
        assert self._maps is not None
        row = self._maps.to_output(layer)[index]
        note = "" if exact else " (linear estimate through the later layers)"
        if value is None:
            self._show_contributions(
                row, f"Per unit of activation it {push_summary(row)}{note}."
            )
        elif value == 0.0:
            self._show_contributions(
                None,
                f"Silent for this drawing; per unit of activation it"
                f" {push_summary(row)}{note}.",
            )
        else:
            contributions = value * row
            self._show_contributions(
                contributions, f"It {push_summary(contributions)}{note}."
            )

    def _saliency(self, digit: int) -> np.ndarray | None:
        """Gradient x input of ``digit`` for the current drawing (None: no drawing)."""
        reading = self._reading
        if reading is None or self._maps is None:
            return None
        layers = [np.asarray(a)[None] for a in reading.activations]
        return saliency(self._maps.network, reading.image, digit, activations=layers)

    def _weights(self, layer: int, index: int) -> np.ndarray | None:
        """The 28x28 image a neuron responds to (None for input pixels)."""
        if layer == 0 or self._maps is None:
            return None
        return self._maps.weight_images(layer)[index]

    def _set_caption(self, text: str) -> None:
        self._caption.set_text(text)
        self.setAccessibleDescription(text)

    def _show_weights(self, image: np.ndarray | None) -> None:
        if image is None:
            self.weights_item.setImage(blank_grid(INPUT_SHAPE), levels=(-1.0, 1.0))
            return
        limit = symmetric_limit(image)
        self.weights_item.setImage(
            np.asarray(image, dtype=np.float32), levels=(-limit, limit)
        )

    def _show_contributions(self, values: np.ndarray | None, text: str) -> None:
        self._pushes.setText(text)
        self._pushes.setVisible(bool(text))
        if values is None:
            self._bars_view.setVisible(False)
            return
        brushes = [pg.mkBrush(_POSITIVE if v >= 0 else _NEGATIVE) for v in values]
        self.bars_item.setOpts(height=values, brushes=brushes)
        limit = max(1e-3, float(np.abs(values).max()))
        self._bars_view.setYRange(-limit, limit, padding=0.1)
        self._bars_view.setVisible(True)

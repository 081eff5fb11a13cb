"""The conv layers of a recipe as a compact list of rows: add, change, remove.

Each row is one layer: its type, then only the settings that type has (filters,
kernel, padding and activation for Conv2D; the pool size for MaxPooling2D; the rate
for Dropout). The editor does not judge the order or the sizes: the core does
(:func:`nnpad.core.recipe.conv_spec.output_shapes`), and the form shows its message. No
rows means a feedforward network.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.conv_spec import (
    LAYER_TYPES,
    PADDINGS,
    Conv2D,
    ConvLayer,
    Dropout,
    MaxPooling2D,
)
from nnpad.core.recipe.spec_checks import ACTIVATIONS
from nnpad.ui.training.recipe_fields import guard_wheel

#: Short names keep a row narrow; each type's tooltip gives its Keras name.
SHORT_NAMES = {
    "Conv2D": "Conv2D",
    "MaxPooling2D": "MaxPool",
    "BatchNormalization": "BatchNorm",
    "Dropout": "Dropout",
    "Flatten": "Flatten",
    "GlobalAveragePooling2D": "GlobalAvg",
}


class _LayerRow(QWidget):
    """One conv layer: its type and the settings of that type."""

    changed = Signal()
    remove = Signal(QWidget)

    def __init__(self, layer: ConvLayer, index: int) -> None:
        super().__init__()
        self.kind = QComboBox()
        for index, kind in enumerate(LAYER_TYPES):
            self.kind.addItem(SHORT_NAMES[kind], kind)
            self.kind.setItemData(index, kind, Qt.ItemDataRole.ToolTipRole)
        self.filters = QSpinBox()
        self.filters.setRange(1, conv_spec.MAX_FILTERS)
        self.filters.setSuffix(" f")
        self.filters.setToolTip("Filters: how many maps this layer makes")
        self.kernel = QSpinBox()
        self.kernel.setRange(1, conv_spec.MAX_KERNEL)
        self.kernel.setPrefix("k ")
        self.kernel.setToolTip("Kernel size: each filter is k×k")
        self.padding = QComboBox()
        self.padding.addItems(list(PADDINGS))
        self.padding.setToolTip('Padding: "same" keeps the maps\' size')
        self.activation = QComboBox()
        self.activation.addItems(list(ACTIVATIONS))
        self.pool = QSpinBox()
        self.pool.setRange(1, conv_spec.MAX_KERNEL)
        self.pool.setPrefix("pool ")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.0, 0.9)
        self.rate.setSingleStep(0.05)
        self.rate.setPrefix("rate ")
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this layer")
        self._label(index)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        for widget in self._settings():
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.remove_button)
        guard_wheel(self._settings())
        self.set_layer(layer)
        self.kind.currentIndexChanged.connect(self._show_settings)
        for spin in (self.filters, self.kernel, self.pool, self.rate):
            spin.valueChanged.connect(self.changed)
        for combo in (self.kind, self.padding, self.activation):
            combo.currentIndexChanged.connect(self.changed)
        self.remove_button.clicked.connect(lambda: self.remove.emit(self))

    def _settings(self) -> tuple[QWidget, ...]:
        return (
            self.kind,
            self.filters,
            self.kernel,
            self.padding,
            self.activation,
            self.pool,
            self.rate,
        )

    def _label(self, index: int) -> None:
        names = ("type", "filters", "kernel", "padding", "activation", "pool", "rate")
        for widget, name in zip(self._settings(), names, strict=True):
            widget.setAccessibleName(f"Conv layer {index + 1} {name}")
        self.remove_button.setAccessibleName(f"Remove conv layer {index + 1}")

    def set_layer(self, layer: ConvLayer) -> None:
        """Show ``layer``; the settings of other types keep usual values."""
        self.kind.setCurrentIndex(self.kind.findData(layer.KIND))
        conv = layer if isinstance(layer, Conv2D) else Conv2D(16)
        self.filters.setValue(conv.filters)
        self.kernel.setValue(conv.kernel_size)
        self.padding.setCurrentText(conv.padding)
        self.activation.setCurrentText(conv.activation)
        pool = layer if isinstance(layer, MaxPooling2D) else MaxPooling2D()
        self.pool.setValue(pool.pool_size)
        self.rate.setValue(layer.rate if isinstance(layer, Dropout) else 0.25)
        self._show_settings()

    def layer(self) -> ConvLayer:
        """The layer this row describes (checked later, with the others)."""
        kind = self.kind.currentData()
        if kind == Conv2D.KIND:
            return Conv2D(
                self.filters.value(),
                self.kernel.value(),
                self.padding.currentText(),
                self.activation.currentText(),
            )
        if kind == MaxPooling2D.KIND:
            return MaxPooling2D(self.pool.value())
        if kind == Dropout.KIND:
            return Dropout(round(self.rate.value(), 2))
        return LAYER_TYPES[kind]()  # type: ignore[call-arg]

    @Slot()
    def _show_settings(self) -> None:
        kind = self.kind.currentData()
        conv = kind == Conv2D.KIND
        for widget in (self.filters, self.kernel, self.padding, self.activation):
            widget.setVisible(conv)
        self.pool.setVisible(kind == MaxPooling2D.KIND)
        self.rate.setVisible(kind == Dropout.KIND)


class ConvLayersEditor(QWidget):
    """Edit the conv layers of a recipe; ``changed`` after every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("convLayers")
        self._rows: list[_LayerRow] = []
        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.setSpacing(2)
        self.empty_label = QLabel("No conv layers: a feedforward network.")
        self.add_button = QToolButton()
        self.add_button.setText("+ conv layer")
        self.add_button.setObjectName("addConvLayer")
        self.add_button.setAccessibleName("Add a conv layer")
        self.add_button.setToolTip(
            "Add a layer before the Dense layers (Conv2D, pooling, batch norm,"
            " dropout, Flatten or global average pooling)"
        )
        self.add_button.clicked.connect(self._add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._list)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.add_button)

    def layers(self) -> tuple[ConvLayer, ...]:
        """The layers in order (empty: a feedforward network)."""
        return tuple(row.layer() for row in self._rows)

    def set_layers(self, layers: tuple[ConvLayer, ...]) -> None:
        """Show ``layers``, one row each."""
        for row in self._rows:
            self._list.removeWidget(row)
            row.deleteLater()
        self._rows = []
        for layer in layers:
            self._append(layer)
        self._update_empty()

    def add_layer(self, layer: ConvLayer) -> None:
        """Add ``layer`` at the end."""
        self._append(layer)
        self._update_empty()
        self.changed.emit()

    def rows(self) -> list[_LayerRow]:
        """The rows, in order (for tests and accessibility tools)."""
        return list(self._rows)

    def _append(self, layer: ConvLayer) -> None:
        row = _LayerRow(layer, len(self._rows))
        row.changed.connect(self.changed)
        row.remove.connect(self._remove)
        self._rows.append(row)
        self._list.addWidget(row)

    @Slot()
    def _add_clicked(self) -> None:
        # A new network starts with a convolution; a longer one usually pools next.
        last = self._rows[-1].layer() if self._rows else None
        self.add_layer(MaxPooling2D() if isinstance(last, Conv2D) else Conv2D(16))

    @Slot(QWidget)
    def _remove(self, row: QWidget) -> None:
        if row in self._rows:
            self._rows.remove(row)
            self._list.removeWidget(row)
            row.deleteLater()
            self._update_empty()
            self.changed.emit()

    def _update_empty(self) -> None:
        self.empty_label.setVisible(not self._rows)

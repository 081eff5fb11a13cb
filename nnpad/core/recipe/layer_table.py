"""Each layer of a spec with its output shape and how its parameters add up.

For people learning what a layer costs: ``Conv2D 8 3×3 relu  26×26×8  8 × 3×3×1 + 8 =
80``. One row per Keras layer nnpad builds after the input (augmentation layers, the
identity at inference, are left out), so the rows follow ``model.summary()`` and the
total equals Keras' ``count_params()`` (tests/core/test_layer_table.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import CONV_INPUT_SHAPE, INPUT_SHAPE, NUM_CLASSES

if TYPE_CHECKING:
    from nnpad.core.recipe.conv_spec import ConvLayer, Shape
    from nnpad.core.recipe.spec import Architecture

NO_PARAMETERS = "no parameters"


@dataclass(frozen=True)
class LayerRow:
    """One layer: its name, the shape of its output and its parameters.

    ``arithmetic`` shows how ``parameters`` is counted, e.g. ``8 × 3×3×1 + 8 = 80``
    (filters × kernel height × width × input channels + one bias per filter).
    """

    name: str
    shape: Shape
    parameters: int
    arithmetic: str = NO_PARAMETERS

    @property
    def shape_text(self) -> str:
        """``26×26×8`` for maps, ``1600`` for a vector."""
        return "×".join(str(n) for n in self.shape)


def layer_table(architecture: Architecture) -> list[LayerRow]:
    """The input, then every layer in order, then the output layer.

    The architecture is validated first (SpecError when it cannot be built).
    """
    architecture.validate()
    if architecture.conv:
        rows = [LayerRow("Input", CONV_INPUT_SHAPE, 0)]
        shapes = conv_spec.output_shapes(architecture.conv, CONV_INPUT_SHAPE)
        shape: Shape = CONV_INPUT_SHAPE
        for layer, out in zip(architecture.conv, shapes, strict=True):
            rows.append(_conv_row(layer, shape, out))
            shape = out
    else:
        rows = [LayerRow("Input", INPUT_SHAPE, 0)]
        shape = (INPUT_SHAPE[0] * INPUT_SHAPE[1],)
        rows.append(LayerRow("Flatten", shape, 0))
    inputs = shape[0]
    for units in architecture.hidden:
        rows.extend(_hidden_rows(architecture, inputs, units))
        inputs = units
    rows.append(_dense_row(inputs, NUM_CLASSES, "softmax"))
    return rows


def parameter_count(architecture: Architecture) -> int:
    """Every parameter of the network, as Keras' ``count_params()`` counts them.

    Batch normalization's moving mean and variance count, though training does not
    change them by gradient.
    """
    return sum(row.parameters for row in layer_table(architecture))


def format_table(rows: list[LayerRow]) -> str:
    """The rows as aligned text, with the total on the last line."""
    name_width = max(len(row.name) for row in rows)
    shape_width = max(len(row.shape_text) for row in rows)
    lines = [
        f"{row.name:<{name_width}}  {row.shape_text:>{shape_width}}  {row.arithmetic}"
        for row in rows
    ]
    total = sum(row.parameters for row in rows)
    lines.append(f"{'total':<{name_width}}  {'':>{shape_width}}  {total:,} parameters")
    return "\n".join(line.rstrip() for line in lines)


def _conv_row(layer: ConvLayer, shape: Shape, out: Shape) -> LayerRow:
    if isinstance(layer, conv_spec.Conv2D):
        k, channels, filters = layer.kernel_size, shape[-1], layer.filters
        count = filters * k * k * channels + filters
        same = ", same" if layer.padding == "same" else ""
        return LayerRow(
            f"Conv2D {filters} {k}×{k} {layer.activation}{same}",
            out,
            count,
            f"{filters} × {k}×{k}×{channels} + {filters} = {count:,}",
        )
    if isinstance(layer, conv_spec.BatchNormalization):
        return _batch_norm_row(out)
    if isinstance(layer, conv_spec.MaxPooling2D):
        return LayerRow(f"MaxPooling2D {layer.pool_size}×{layer.pool_size}", out, 0)
    if isinstance(layer, conv_spec.Dropout):
        return LayerRow(f"Dropout {layer.rate:g}", out, 0)
    return LayerRow(layer.KIND, out, 0)


def _batch_norm_row(shape: Shape) -> LayerRow:
    channels = shape[-1]
    # Scale and shift are learnt; mean and variance are running statistics.
    return LayerRow(
        "BatchNormalization", shape, 4 * channels, f"4 × {channels} = {4 * channels:,}"
    )


def _dense_row(inputs: int, units: int, activation: str) -> LayerRow:
    count = inputs * units + units
    name = f"Dense {units}" + (f" {activation}" if activation != "linear" else "")
    return LayerRow(
        name, (units,), count, f"{inputs:,} × {units:,} + {units:,} = {count:,}"
    )


def _hidden_rows(architecture: Architecture, inputs: int, units: int) -> list[LayerRow]:
    """A hidden block as nnpad builds it (see keras_bridge.build)."""
    if not architecture.batch_norm:
        rows = [_dense_row(inputs, units, architecture.activation)]
    else:
        rows = [
            _dense_row(inputs, units, "linear"),
            _batch_norm_row((units,)),
            LayerRow(f"Activation {architecture.activation}", (units,), 0),
        ]
    if architecture.dropout:
        rows.append(LayerRow(f"Dropout {architecture.dropout:g}", (units,), 0))
    return rows

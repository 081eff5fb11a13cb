"""The convolutional part of a network: the layers before its Dense layers.

A convolutional network (CNN) is the 28×28 image with one channel, then these layers,
then the Dense layers of :class:`~nnpad.core.recipe.spec.Architecture` and Dense(10,
softmax). They are named and set as in Keras, and so written in a spec's JSON
(``architecture.conv``)::

    {"layer": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "valid",
     "activation": "relu"}
    {"layer": "MaxPooling2D", "pool_size": 2}
    {"layer": "BatchNormalization"}
    {"layer": "Dropout", "rate": 0.5}
    {"layer": "Flatten"}
    {"layer": "GlobalAveragePooling2D"}

Kernels and pools are square, convolutions move one pixel at a time and pools by their
own size (Keras' defaults). The order must make sense: at least one Conv2D, then
exactly one Flatten or GlobalAveragePooling2D to turn the maps into a vector, and after
it only BatchNormalization and Dropout; every kernel and pool must fit the maps it
gets. :func:`output_shapes` checks all of this from the shapes alone, before any
training.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from nnpad.core.recipe.spec_checks import (
    ACTIVATIONS,
    SpecError,
    as_float,
    check_choice,
    check_int,
    check_range,
    reject_unknown,
)

PADDINGS: tuple[str, ...] = ("valid", "same")
MAX_FILTERS = 1024
MAX_KERNEL = 28
MAX_CONV_LAYERS = 24

Shape = tuple[int, ...]  # (height, width, channels) for maps, (units,) for a vector


@dataclass(frozen=True)
class Conv2D:
    """``filters`` kernels of ``kernel_size``×``kernel_size``, then ``activation``.

    ``padding`` "valid" uses only whole windows (the maps shrink by kernel_size - 1);
    "same" pads with zeros so the maps keep their size.
    """

    filters: int
    kernel_size: int = 3
    padding: str = "valid"
    activation: str = "relu"
    KIND: ClassVar[str] = "Conv2D"

    def validate(self, where: str) -> None:
        """Raise SpecError when a setting is out of range."""
        check_int(f"{where} filters", self.filters, 1, MAX_FILTERS)
        check_int(f"{where} kernel_size", self.kernel_size, 1, MAX_KERNEL)
        check_choice(f"{where} padding", self.padding, PADDINGS)
        check_choice(f"{where} activation", self.activation, ACTIVATIONS)

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """The maps this layer makes from maps of ``shape``."""
        height, width, _ = _maps(shape, where)
        k = self.kernel_size
        if self.padding == "same":
            return (height, width, self.filters)
        if height < k or width < k:
            raise SpecError(
                f"{where} has a {k}×{k} kernel but gets {height}×{width} maps:"
                ' use a smaller kernel, padding "same", or less pooling before it'
            )
        return (height - k + 1, width - k + 1, self.filters)

    def describe(self) -> str:
        """For example ``conv 32 3×3 relu``."""
        same = " same" if self.padding == "same" else ""
        k = self.kernel_size
        return f"conv {self.filters} {k}×{k}{same} {self.activation}"


@dataclass(frozen=True)
class MaxPooling2D:
    """The largest value of each ``pool_size``×``pool_size`` block (no overlap)."""

    pool_size: int = 2
    KIND: ClassVar[str] = "MaxPooling2D"

    def validate(self, where: str) -> None:
        """Raise SpecError when a setting is out of range."""
        check_int(f"{where} pool_size", self.pool_size, 1, MAX_KERNEL)

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """The maps this layer makes from maps of ``shape``."""
        height, width, channels = _maps(shape, where)
        p = self.pool_size
        if height < p or width < p:
            raise SpecError(
                f"{where} pools {p}×{p} blocks of {height}×{width} maps, which"
                " leaves nothing: use a smaller pool or fewer layers before it"
            )
        return (height // p, width // p, channels)

    def describe(self) -> str:
        """For example ``max pool 2``."""
        return f"max pool {self.pool_size}"


@dataclass(frozen=True)
class BatchNormalization:
    """Normalize each channel (or unit) with statistics learnt in training."""

    KIND: ClassVar[str] = "BatchNormalization"

    def validate(self, where: str) -> None:
        """Nothing to set."""

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """The same shape."""
        return shape

    def describe(self) -> str:
        """``batch norm``."""
        return "batch norm"


@dataclass(frozen=True)
class Dropout:
    """Drop a fraction ``rate`` of the values in training (identity afterwards)."""

    rate: float = 0.5
    KIND: ClassVar[str] = "Dropout"

    def validate(self, where: str) -> None:
        """Raise SpecError when the rate is out of range."""
        check_range(f"{where} rate", self.rate, 0.0, 0.9)

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """The same shape."""
        return shape

    def describe(self) -> str:
        """For example ``dropout 0.5``."""
        return f"dropout {self.rate:g}"


@dataclass(frozen=True)
class Flatten:
    """Every value of the maps in one vector (rows, then columns, then channels)."""

    KIND: ClassVar[str] = "Flatten"

    def validate(self, where: str) -> None:
        """Nothing to set."""

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """A vector of every value."""
        height, width, channels = _maps(shape, where)
        return (height * width * channels,)

    def describe(self) -> str:
        """``flatten``."""
        return "flatten"


@dataclass(frozen=True)
class GlobalAveragePooling2D:
    """The mean of each channel's map: one value per channel."""

    KIND: ClassVar[str] = "GlobalAveragePooling2D"

    def validate(self, where: str) -> None:
        """Nothing to set."""

    def output_shape(self, shape: Shape, where: str) -> Shape:
        """A vector with one value per channel."""
        return (_maps(shape, where)[2],)

    def describe(self) -> str:
        """``global average``."""
        return "global average"


ConvLayer = (
    Conv2D
    | MaxPooling2D
    | BatchNormalization
    | Dropout
    | Flatten
    | GlobalAveragePooling2D
)
LAYER_TYPES: dict[str, type[ConvLayer]] = {
    cls.KIND: cls
    for cls in (
        Conv2D,
        MaxPooling2D,
        BatchNormalization,
        Dropout,
        Flatten,
        GlobalAveragePooling2D,
    )
}
#: The layers that turn maps into a vector; a CNN has exactly one of them.
TO_VECTOR = (Flatten, GlobalAveragePooling2D)


def _maps(shape: Shape, where: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise SpecError(
            f"{where} needs 2-D maps but comes after Flatten or global pooling:"
            " put it before them"
        )
    height, width, channels = shape
    return height, width, channels


def where(index: int, layer: ConvLayer) -> str:
    """How messages name a layer: ``conv layer 3 (MaxPooling2D)``, counted from 1."""
    return f"conv layer {index + 1} ({layer.KIND})"


def output_shapes(layers: tuple[ConvLayer, ...], input_shape: Shape) -> list[Shape]:
    """Check the layers and return each one's output shape, in order.

    Raises
    ------
    SpecError
        When a layer is of an unknown kind or out of range, the order makes no sense,
        or a kernel or pool does not fit the maps it gets; the message names the
        layer and says what to change.
    """
    if not isinstance(layers, tuple) or not 1 <= len(layers) <= MAX_CONV_LAYERS:
        raise SpecError(f"conv must list 1 to {MAX_CONV_LAYERS} layers")
    shapes = []
    shape = input_shape
    seen_conv = False
    for index, layer in enumerate(layers):
        if not isinstance(layer, tuple(LAYER_TYPES.values())):
            raise SpecError(f"conv layer {index + 1} is not a layer: {layer!r}")
        name = where(index, layer)
        layer.validate(name)
        if isinstance(layer, TO_VECTOR) and not seen_conv:
            raise SpecError(f"{name} comes before any Conv2D layer")
        seen_conv = seen_conv or isinstance(layer, Conv2D)
        shape = layer.output_shape(shape, name)
        shapes.append(shape)
    if not seen_conv:
        raise SpecError("a convolutional network needs at least one Conv2D layer")
    if len(shape) != 1:
        raise SpecError(
            "end the conv layers with Flatten or GlobalAveragePooling2D (then"
            " optionally Dropout or BatchNormalization), so the Dense layers get"
            " a vector"
        )
    return shapes


def describe(layers: tuple[ConvLayer, ...]) -> str:
    """The layers in one line: ``conv 32 3×3 relu, max pool 2, flatten``."""
    return ", ".join(layer.describe() for layer in layers)


def to_dict(layer: ConvLayer) -> dict[str, Any]:
    """A layer as JSON data: ``{"layer": "Conv2D", "filters": 32, ...}``."""
    return {
        "layer": layer.KIND,
        **{f.name: getattr(layer, f.name) for f in fields(layer)},
    }


def from_dict(data: Any, index: int) -> ConvLayer:
    """Read a layer's JSON data (validated later, with the others)."""
    if not isinstance(data, dict):
        raise SpecError(f"conv layer {index + 1} must be a JSON object")
    kind = data.get("layer")
    if kind not in LAYER_TYPES:
        raise SpecError(
            f"conv layer {index + 1}: 'layer' {kind!r} is not one of"
            f" {', '.join(LAYER_TYPES)}"
        )
    cls = LAYER_TYPES[kind]
    settings = {key: value for key, value in data.items() if key != "layer"}
    reject_unknown(settings, {f.name for f in fields(cls)}, f"conv layer {index + 1}")
    if cls is Dropout and "rate" in settings:
        settings["rate"] = as_float(settings["rate"])
    try:
        return cls(**settings)
    except TypeError:
        raise SpecError(
            f"conv layer {index + 1} ({kind}) needs its settings, e.g. filters"
        ) from None

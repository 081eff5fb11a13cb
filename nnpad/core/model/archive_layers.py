"""The layers of a ``.keras`` file: their configs checked, their weights read.

Part of the safe reader (:mod:`nnpad.core.model.archive`): a layer is accepted only
when its settings are ones nnpad builds (for conv layers: square kernels and pools,
stride 1 convolutions, pools as large as their stride, channels last, a bias, a
known activation); anything else is refused with a reason, and nothing from the file
is ever run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core.model.network import feature_layer
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import CONV_INPUT_SHAPE, SpecError
from nnpad.core.recipe.spec_checks import ACTIVATIONS

if TYPE_CHECKING:
    from nnpad.core.model.conv import FeatureLayer


class ModelFileError(ValueError):
    """A model file nnpad cannot use; the message says why in plain words."""


@dataclass
class DensePlan:
    """A Dense block found in the config, before its weights are read."""

    dense_key: str
    units: int
    activation: str
    bn_key: str | None = None
    bn_epsilon: float = 1e-3
    dropout: float = 0.0
    l2: float = 0.0


#: Keras classes that may stand in a network's conv part.
CONV_CLASSES = {
    "Conv2D",
    "MaxPooling2D",
    "BatchNormalization",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
}


@dataclass
class ConvPlan:
    """The conv layers found in a config, with where their weights are."""

    layers: list[conv_spec.ConvLayer] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the group in model.weights.h5
    epsilons: list[float] = field(default_factory=list)  # batch norm's
    l2: float = 0.0

    def add(self, cls: str, key: str, config: dict[str, Any], name: str) -> None:
        """Check a layer's config and append it; raise ModelFileError if unusable."""
        self.layers.append(_conv_layer(cls, config, name))
        self.keys.append(key)
        self.epsilons.append(
            batch_norm_epsilon(config, name) if cls == "BatchNormalization" else 0.0
        )
        if cls == "Conv2D":
            self.l2 = max(self.l2, l2_factor(config.get("kernel_regularizer")))


def _conv_layer(cls: str, config: dict[str, Any], name: str) -> conv_spec.ConvLayer:
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        raise ModelFileError(f"{name}: only channels-last {cls} layers are supported")
    if cls == "Conv2D":
        return _conv2d(config, name)
    if cls == "MaxPooling2D":
        size = _square(config.get("pool_size"), "pool", name)
        strides = config.get("strides")
        if strides is not None and _square(strides, "stride", name) != size:
            raise ModelFileError(f"{name}: pooling with a stride unlike its size")
        if config.get("padding", "valid") != "valid":
            raise ModelFileError(f'{name}: pooling with padding "same"')
        return conv_spec.MaxPooling2D(size)
    if cls == "BatchNormalization":
        if config.get("axis", -1) not in (-1, 3, [-1], [3]):
            raise ModelFileError(f"{name}: batch norm over an axis but the channels")
        return conv_spec.BatchNormalization()
    if cls == "Dropout":
        rate = config.get("rate", 0.0)
        return conv_spec.Dropout(float(rate) if isinstance(rate, int | float) else -1)
    if cls == "GlobalAveragePooling2D":
        if config.get("keepdims", False) is not False:
            raise ModelFileError(f"{name}: global pooling that keeps its dimensions")
        return conv_spec.GlobalAveragePooling2D()
    return conv_spec.Flatten()


def _conv2d(config: dict[str, Any], name: str) -> conv_spec.Conv2D:
    filters = config.get("filters")
    if not isinstance(filters, int) or isinstance(filters, bool) or filters < 1:
        raise ModelFileError(f"{name}: a Conv2D layer has no valid filter count")
    size = _square(config.get("kernel_size"), "kernel", name)
    for setting in ("strides", "dilation_rate"):
        if config.get(setting, [1, 1]) not in ([1, 1], 1):
            raise ModelFileError(f"{name}: Conv2D {setting} other than 1")
    if config.get("groups", 1) != 1 or config.get("use_bias", True) is not True:
        raise ModelFileError(f"{name}: grouped or bias-free Conv2D layers")
    padding = config.get("padding", "valid")
    activation = config.get("activation", "linear")
    if padding not in conv_spec.PADDINGS:
        raise ModelFileError(f"{name}: Conv2D padding {padding!r}")
    if activation not in ACTIVATIONS:
        raise ModelFileError(
            f"{name}: Conv2D layers must use one of {', '.join(ACTIVATIONS)},"
            f" not {activation!r}"
        )
    return conv_spec.Conv2D(filters, size, padding, activation)


def _square(value: Any, what: str, name: str) -> int:
    """The side of a square kernel, pool or stride given as ``[k, k]`` or ``k``."""
    if isinstance(value, list | tuple) and len(value) == 2 and value[0] == value[1]:
        value = value[0]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ModelFileError(f"{name}: only square {what}s are supported")
    return value


def batch_norm_epsilon(config: dict[str, Any], name: str) -> float:
    """Batch normalization's epsilon, once its config is checked."""
    if config.get("center", True) is not True or config.get("scale", True) is not True:
        raise ModelFileError(f"{name}: batch norm without centre or scale")
    epsilon = config.get("epsilon", 1e-3)
    if not isinstance(epsilon, int | float) or not 0 < epsilon < 1:
        raise ModelFileError(f"{name}: batch norm epsilon {epsilon!r} is invalid")
    return float(epsilon)


def l2_factor(regularizer: Any) -> float:
    """Return the L2 factor of a serialized L2 regularizer (0 when there is none)."""
    if not isinstance(regularizer, dict) or regularizer.get("class_name") != "L2":
        return 0.0
    value = regularizer.get("config", {}).get("l2", 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def dense_plan(key: str, config: dict[str, Any], name: str) -> DensePlan:
    """A Dense layer's plan, once its config is checked."""
    units = config.get("units")
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise ModelFileError(f"{name}: a Dense layer has no valid unit count")
    if config.get("use_bias", True) is not True:
        raise ModelFileError(f"{name}: Dense layers without bias are not supported")
    activation = config.get("activation", "linear")
    if not isinstance(activation, str):
        raise ModelFileError(f"{name}: custom activation functions are not supported")
    return DensePlan(
        key, units, activation, l2=l2_factor(config.get("kernel_regularizer"))
    )


def add_batch_norm(
    plan: DensePlan, key: str, config: dict[str, Any], name: str
) -> None:
    """Attach batch normalization to the Dense layer before it."""
    if plan.bn_key is not None or plan.activation != "linear":
        raise ModelFileError(f"{name}: batch norm must follow a linear Dense layer")
    plan.bn_key, plan.bn_epsilon = key, batch_norm_epsilon(config, name)


def add_activation(plan: DensePlan, config: dict[str, Any], name: str) -> None:
    """Give the activation of an Activation layer to the linear Dense before it."""
    activation = config.get("activation")
    if plan.activation != "linear" or not isinstance(activation, str):
        raise ModelFileError(f"{name}: unexpected Activation layer")
    plan.activation = activation


def augmentation_values(cls: str, config: dict[str, Any]) -> dict[str, float]:
    """The spec's augmentation setting of one augmentation layer."""

    def upper(value: Any) -> float:
        if isinstance(value, list | tuple):
            value = max(abs(v) for v in value) if value else 0.0
        return float(value or 0.0)

    if cls == "RandomRotation":
        return {"rotation": round(upper(config.get("factor")) * 360.0, 6)}
    if cls == "RandomTranslation":
        return {"shift": round(upper(config.get("height_factor")) * 28.0, 6)}
    if cls == "RandomZoom":
        return {"zoom": round(upper(config.get("height_factor")), 6)}
    return {}


def read_features(h5: Any, plan: ConvPlan, name: str) -> list[FeatureLayer]:
    """The NumPy conv layers of ``plan`` with their weights (Dropout left out)."""
    try:
        shapes = conv_spec.output_shapes(tuple(plan.layers), CONV_INPUT_SHAPE)
    except SpecError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    features = []
    channels = CONV_INPUT_SHAPE[-1]
    for layer, key, epsilon, shape in zip(
        plan.layers, plan.keys, plan.epsilons, shapes, strict=True
    ):
        arrays: list[np.ndarray] = []
        if isinstance(layer, conv_spec.Conv2D):
            k, filters = layer.kernel_size, layer.filters
            arrays = weight_arrays(
                h5, key, [(k, k, channels, filters), (filters,)], name
            )
        elif isinstance(layer, conv_spec.BatchNormalization):
            arrays = weight_arrays(h5, key, [(shape[-1],)] * 4, name)
        feature = feature_layer(layer, arrays, epsilon)
        if feature is not None:
            features.append(feature)
        channels = shape[-1]
    return features


def weight_arrays(
    h5: Any, key: str, shapes: list[tuple[int, ...]], name: str
) -> list[np.ndarray]:
    """The float32 arrays of layer group ``key``, checked against ``shapes``."""
    group = h5.get(f"layers/{key}/vars")
    if group is None or len(group) != len(shapes):
        raise ModelFileError(f"{name}: the weights do not match the architecture")
    arrays = []
    for index, shape in enumerate(shapes):
        array = np.asarray(group[str(index)])
        if array.shape != shape or array.dtype.kind != "f":
            raise ModelFileError(
                f"{name}: weights of shape {array.shape} where {shape} was expected"
            )
        if not np.all(np.isfinite(array)):
            raise ModelFileError(f"{name} contains NaN or infinite weights")
        arrays.append(array.astype(np.float32))
    return arrays

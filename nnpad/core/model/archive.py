"""Read a ``.keras`` file without TensorFlow and without running anything from it.

A ``.keras`` file is a zip of ``config.json`` (the architecture), ``model.weights.h5``
(the arrays) and, for files nnpad wrote, ``nnpad.json`` (the recipe and validation
accuracy). We parse the JSON ourselves, accept only the layers nnpad can build, and read
the arrays with h5py: nothing in the file is ever deserialized into code.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnpad.core.model.network import INPUT_SIZE, BatchNorm, DenseBlock, Network
from nnpad.core.model.trained import TrainedModel
from nnpad.core.spec import (
    INPUT_SHAPE,
    NUM_CLASSES,
    Architecture,
    Augmentation,
    Recipe,
    SpecError,
    TrainConfig,
)

METADATA_NAME = "nnpad.json"
_MAX_CONFIG_BYTES = 2 << 20
_MAX_WEIGHTS_BYTES = 512 << 20

# Keras names each layer's group in model.weights.h5 after its class, in snake case.
_H5_NAMES = {
    "InputLayer": "input_layer",
    "Reshape": "reshape",
    "RandomRotation": "random_rotation",
    "RandomTranslation": "random_translation",
    "RandomZoom": "random_zoom",
    "Flatten": "flatten",
    "Dense": "dense",
    "BatchNormalization": "batch_normalization",
    "Activation": "activation",
    "Dropout": "dropout",
}
_AUGMENTATION_LAYERS = {"Reshape", "RandomRotation", "RandomTranslation", "RandomZoom"}
_HIDDEN_ACTIVATIONS = {"relu", "sigmoid", "tanh"}


class ModelFileError(ValueError):
    """A model file nnpad cannot use; the message says why in plain words."""


@dataclass
class _LayerPlan:
    """A Dense block found in the config, before its weights are read."""

    dense_key: str
    units: int
    activation: str
    bn_key: str | None = None
    bn_epsilon: float = 1e-3
    dropout: float = 0.0
    l2: float = 0.0


def read(path: str | Path) -> TrainedModel:
    """Read and check a ``.keras`` file; raise ModelFileError if nnpad cannot use it."""
    path = Path(path)
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            config = _read_json(archive, "config.json", name)
            metadata = _read_metadata(archive)
            weights = _read_member(
                archive, "model.weights.h5", name, _MAX_WEIGHTS_BYTES
            )
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name} is a folder, not a model file") from None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile):
        raise ModelFileError(
            f"{name} is not a complete .keras model file (corrupt or truncated)"
        ) from None
    except OSError as exc:
        raise ModelFileError(f"cannot read {name}: {exc.strerror or exc}") from None
    spec, plans = _parse_config(config, name)
    blocks = _read_blocks(weights, plans, name)
    try:
        network = Network(spec, blocks)
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    return TrainedModel(_recipe(spec, metadata), network, metadata)


def _read_member(archive: zipfile.ZipFile, member: str, name: str, limit: int) -> bytes:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ModelFileError(
            f"{name} is not a Keras model file (it has no {member})"
        ) from None
    if info.file_size > limit:
        raise ModelFileError(f"{name}: {member} is too large to be an nnpad model")
    return archive.read(member)


def _read_json(archive: zipfile.ZipFile, member: str, name: str) -> Any:
    raw = _read_member(archive, member, name, _MAX_CONFIG_BYTES)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{name}: {member} is not valid JSON") from None


def _read_metadata(archive: zipfile.ZipFile) -> dict[str, Any]:
    if METADATA_NAME not in archive.namelist():
        return {}
    try:
        data = json.loads(archive.read(METADATA_NAME))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _recipe(spec: Architecture, metadata: dict[str, Any]) -> Recipe:
    """Take the architecture from the config and training settings from nnpad.json."""
    train = TrainConfig()
    stored = metadata.get("recipe")
    if isinstance(stored, dict):
        try:
            train = Recipe.from_dict(stored).train
        except SpecError:
            pass
    return Recipe(spec, train)


def _parse_config(config: Any, name: str) -> tuple[Architecture, list[_LayerPlan]]:
    """Check the layer list against what nnpad builds and derive the spec."""
    layers = _layer_list(config, name)
    counters: dict[str, int] = {}
    plans: list[_LayerPlan] = []
    augmentation: dict[str, float] = {}
    seen_flatten = False
    input_shape: list[Any] | None = None
    for layer in layers:
        cls, layer_config = _layer_parts(layer, name)
        key = _h5_key(cls, counters)
        if cls == "InputLayer":
            input_shape = layer_config.get("batch_shape") or layer_config.get(
                "batch_input_shape"
            )
        elif cls in _AUGMENTATION_LAYERS:
            if seen_flatten:
                raise ModelFileError(f"{name}: unexpected {cls} after Flatten")
            augmentation.update(_augmentation_values(cls, layer_config))
        elif cls == "Flatten":
            seen_flatten = True
            if input_shape is None:
                input_shape = layer_config.get("batch_shape") or layer_config.get(
                    "batch_input_shape"
                )
        elif not seen_flatten:
            raise ModelFileError(f"{name}: expected Flatten before {cls}")
        elif cls == "Dense":
            plans.append(_dense_plan(key, layer_config, name))
        elif not plans:
            raise ModelFileError(f"{name}: {cls} before the first Dense layer")
        elif cls == "BatchNormalization":
            _add_batch_norm(plans[-1], key, layer_config, name)
        elif cls == "Activation":
            _add_activation(plans[-1], layer_config, name)
        elif cls == "Dropout":
            plans[-1].dropout = float(layer_config.get("rate", 0.0))

    if list(input_shape or [])[1:] != list(INPUT_SHAPE):
        raise ModelFileError(
            f"{name}: the model takes input of shape {input_shape}, not 28x28 images"
        )
    if len(plans) < 2:
        raise ModelFileError(f"{name}: nnpad needs at least one hidden Dense layer")
    hidden, output = plans[:-1], plans[-1]
    if output.units != NUM_CLASSES or output.activation != "softmax":
        raise ModelFileError(
            f"{name}: the last layer must be Dense(10, softmax) for the ten digits,"
            f" not Dense({output.units}, {output.activation})"
        )
    if output.bn_key is not None:
        raise ModelFileError(f"{name}: batch normalization on the output layer")
    activations = {plan.activation for plan in hidden}
    if len(activations) != 1 or not activations <= _HIDDEN_ACTIVATIONS:
        raise ModelFileError(
            f"{name}: hidden layers must all use one of relu, sigmoid or tanh"
            f" (found {', '.join(sorted(activations))})"
        )
    bn = {plan.bn_key is not None for plan in hidden}
    if len(bn) != 1:
        raise ModelFileError(f"{name}: batch norm on some hidden layers only")
    try:
        spec = Architecture(
            hidden=tuple(plan.units for plan in hidden),
            activation=activations.pop(),
            dropout=max(plan.dropout for plan in hidden),
            batch_norm=bn.pop(),
            l2=max(plan.l2 for plan in plans),
            augmentation=Augmentation(**augmentation),
        )
        spec.validate()
    except (SpecError, TypeError) as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    return spec, plans


def _layer_list(config: Any, name: str) -> list[Any]:
    """The layers of a Keras Functional or Sequential model's config."""
    if not isinstance(config, dict) or config.get("class_name") not in (
        "Functional",
        "Sequential",
    ):
        raise ModelFileError(f"{name}: not a Keras Functional or Sequential model")
    layers = config.get("config", {}).get("layers")
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"{name}: the model lists no layers")
    return layers


def _layer_parts(layer: Any, name: str) -> tuple[str, dict[str, Any]]:
    if not isinstance(layer, dict):
        raise ModelFileError(f"{name}: malformed layer list")
    cls = layer.get("class_name")
    if cls == "Lambda":
        raise ModelFileError(
            f"{name} contains a Lambda layer, which could run code when loaded;"
            " nnpad refuses it"
        )
    if cls not in _H5_NAMES:
        raise ModelFileError(f"{name}: nnpad cannot use a {cls} layer")
    if layer.get("module") not in (None, "keras.layers") or layer.get(
        "registered_name"
    ) not in (None, cls):
        raise ModelFileError(f"{name}: custom layer {cls} is not supported")
    layer_config = layer.get("config", {})
    if not isinstance(layer_config, dict):
        raise ModelFileError(f"{name}: malformed {cls} layer")
    return cls, layer_config


def _h5_key(cls: str, counters: dict[str, int]) -> str:
    base = _H5_NAMES[cls]
    count = counters.get(base, -1) + 1
    counters[base] = count
    return base if count == 0 else f"{base}_{count}"


def _dense_plan(key: str, config: dict[str, Any], name: str) -> _LayerPlan:
    units = config.get("units")
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise ModelFileError(f"{name}: a Dense layer has no valid unit count")
    if config.get("use_bias", True) is not True:
        raise ModelFileError(f"{name}: Dense layers without bias are not supported")
    activation = config.get("activation", "linear")
    if not isinstance(activation, str):
        raise ModelFileError(f"{name}: custom activation functions are not supported")
    return _LayerPlan(key, units, activation, l2=_l2(config.get("kernel_regularizer")))


def _l2(regularizer: Any) -> float:
    """Return the L2 factor of a serialized L2 regularizer (0 when there is none)."""
    if not isinstance(regularizer, dict) or regularizer.get("class_name") != "L2":
        return 0.0
    value = regularizer.get("config", {}).get("l2", 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def _add_batch_norm(
    plan: _LayerPlan, key: str, config: dict[str, Any], name: str
) -> None:
    if plan.bn_key is not None or plan.activation != "linear":
        raise ModelFileError(f"{name}: batch norm must follow a linear Dense layer")
    if config.get("center", True) is not True or config.get("scale", True) is not True:
        raise ModelFileError(f"{name}: batch norm without centre or scale")
    epsilon = config.get("epsilon", 1e-3)
    if not isinstance(epsilon, int | float) or not 0 < epsilon < 1:
        raise ModelFileError(f"{name}: batch norm epsilon {epsilon!r} is invalid")
    plan.bn_key, plan.bn_epsilon = key, float(epsilon)


def _add_activation(plan: _LayerPlan, config: dict[str, Any], name: str) -> None:
    activation = config.get("activation")
    if plan.activation != "linear" or not isinstance(activation, str):
        raise ModelFileError(f"{name}: unexpected Activation layer")
    plan.activation = activation


def _augmentation_values(cls: str, config: dict[str, Any]) -> dict[str, float]:
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


def _read_blocks(
    weights: bytes, plans: list[_LayerPlan], name: str
) -> list[DenseBlock]:
    import h5py

    try:
        with h5py.File(io.BytesIO(weights), "r") as h5:
            blocks = []
            inputs = INPUT_SIZE
            for plan in plans:
                bias_shape = (plan.units,)
                kernel, bias = _arrays(
                    h5, plan.dense_key, [(inputs, plan.units), bias_shape], name
                )
                bn = None
                if plan.bn_key is not None:
                    gamma, beta, mean, variance = _arrays(
                        h5, plan.bn_key, [bias_shape] * 4, name
                    )
                    bn = BatchNorm(gamma, beta, mean, variance, plan.bn_epsilon)
                blocks.append(DenseBlock(kernel, bias, plan.activation, bn))
                inputs = plan.units
    except ModelFileError:
        raise
    except Exception:  # h5py raises OSError, KeyError, ValueError... on bad files
        raise ModelFileError(f"{name}: the weights inside are unreadable") from None
    return blocks


def _arrays(
    h5: Any, key: str, shapes: list[tuple[int, ...]], name: str
) -> list[np.ndarray]:
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

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnpad.core.model.archive_layers import (
    CONV_CLASSES,
    ConvPlan,
    DensePlan,
    ModelFileError,
    add_activation,
    add_batch_norm,
    augmentation_values,
    dense_plan,
    read_features,
    weight_arrays,
)
from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.model.network import INPUT_SIZE, DenseBlock, Network
from nnpad.core.model.trained import TrainedModel
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import (
    CONV_INPUT_SHAPE,
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
    "Conv2D": "conv2d",
    "MaxPooling2D": "max_pooling2d",
    "GlobalAveragePooling2D": "global_average_pooling2d",
}
_AUGMENTATION_LAYERS = {"Reshape", "RandomRotation", "RandomTranslation", "RandomZoom"}
_HIDDEN_ACTIVATIONS = {"relu", "sigmoid", "tanh"}

__all__ = ["METADATA_NAME", "ModelFileError", "read"]


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
    spec, conv, plans = _parse_config(config, name)
    features, blocks = _read_weights(weights, conv, plans, name)
    try:
        network = Network(spec, blocks, features)
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


def _parse_config(
    config: Any, name: str
) -> tuple[Architecture, ConvPlan, list[DensePlan]]:
    """Check the layer list against what nnpad builds and derive the spec."""
    found = _Layers()
    for layer in _layer_list(config, name):
        cls, layer_config = _layer_parts(layer, name)
        found.add(cls, _h5_key(cls, found.counters), layer_config, name)
    found.check_input(name)
    return _architecture(found, name), found.conv, found.plans


@dataclass
class _Layers:
    """What a config's layers say, gathered in one pass over them, in order.

    ``stage`` is where the walk is: ``input`` (the input and augmentation layers),
    ``maps`` (conv layers), ``vector`` (after Flatten or global pooling) and
    ``dense`` (from the first Dense layer on).
    """

    counters: dict[str, int] = field(default_factory=dict)
    stage: str = "input"
    input_shape: list[Any] | None = None
    reshaped: list[Any] | None = None  # a Reshape layer's target shape
    augmentation: dict[str, float] = field(default_factory=dict)
    conv: ConvPlan = field(default_factory=ConvPlan)
    plans: list[DensePlan] = field(default_factory=list)

    def add(self, cls: str, key: str, config: dict[str, Any], name: str) -> None:
        if cls == "InputLayer":
            self.input_shape = _batch_shape(config)
        elif cls in _AUGMENTATION_LAYERS:
            if self.stage != "input":
                raise ModelFileError(f"{name}: unexpected {cls} after Flatten")
            if cls == "Reshape":
                self.reshaped = config.get("target_shape")
            self.augmentation.update(augmentation_values(cls, config))
        elif cls in ("Flatten", "GlobalAveragePooling2D"):
            if self.stage in ("vector", "dense"):
                raise ModelFileError(f"{name}: unexpected {cls} after Flatten")
            if self.stage == "maps":
                self.conv.add(cls, key, config, name)
            elif cls != "Flatten":
                raise ModelFileError(f"{name}: {cls} without Conv2D layers before it")
            elif self.input_shape is None:
                self.input_shape = _batch_shape(config)
            self.stage = "vector"
        elif cls in ("Conv2D", "MaxPooling2D") and self.stage in ("vector", "dense"):
            raise ModelFileError(f"{name}: unexpected {cls} after Flatten")
        elif self._in_conv_part(cls):
            self.stage = "maps" if self.stage == "input" else self.stage
            self.conv.add(cls, key, config, name)
        elif self.stage in ("input", "maps"):
            raise ModelFileError(f"{name}: expected Flatten before {cls}")
        elif cls == "Dense":
            self.stage = "dense"
            self.plans.append(dense_plan(key, config, name))
        elif not self.plans:
            raise ModelFileError(f"{name}: {cls} before the first Dense layer")
        elif cls == "BatchNormalization":
            add_batch_norm(self.plans[-1], key, config, name)
        elif cls == "Activation":
            add_activation(self.plans[-1], config, name)
        elif cls == "Dropout":
            self.plans[-1].dropout = float(config.get("rate", 0.0))

    def _in_conv_part(self, cls: str) -> bool:
        """Whether ``cls`` here belongs to the conv layers (not a Dense block)."""
        if cls in ("Conv2D", "MaxPooling2D"):
            return True
        # Batch norm and dropout: of the conv part from its first layer to the
        # first Dense layer, of the Dense blocks after.
        return cls in CONV_CLASSES and (
            self.stage == "maps" or (self.stage == "vector" and bool(self.conv.layers))
        )

    def check_input(self, name: str) -> None:
        """Refuse a model whose input is not a 28x28 image (with one channel)."""
        shape = list(self.input_shape or [])[1:]
        if self.conv.layers:
            channel = [*INPUT_SHAPE, 1]
            fits = shape == channel or (
                shape == list(INPUT_SHAPE) and self.reshaped == channel
            )
        else:
            fits = shape == list(INPUT_SHAPE)
        if not fits:
            raise ModelFileError(
                f"{name}: the model takes input of shape {self.input_shape}, not"
                " 28x28 images"
            )


def _batch_shape(config: dict[str, Any]) -> Any:
    return config.get("batch_shape") or config.get("batch_input_shape")


def _architecture(found: _Layers, name: str) -> Architecture:
    """The spec the layers make, or ModelFileError if nnpad would build otherwise."""
    plans = found.plans
    if len(plans) < (1 if found.conv.layers else 2):
        raise ModelFileError(f"{name}: nnpad needs at least one hidden Dense layer")
    hidden, output = plans[:-1], plans[-1]
    if output.units != NUM_CLASSES or output.activation != "softmax":
        raise ModelFileError(
            f"{name}: the last layer must be Dense(10, softmax) for the ten digits,"
            f" not Dense({output.units}, {output.activation})"
        )
    if output.bn_key is not None:
        raise ModelFileError(f"{name}: batch normalization on the output layer")
    activations = {plan.activation for plan in hidden} or {"relu"}
    if len(activations) != 1 or not activations <= _HIDDEN_ACTIVATIONS:
        raise ModelFileError(
            f"{name}: hidden layers must all use one of relu, sigmoid or tanh"
            f" (found {', '.join(sorted(activations))})"
        )
    bn = {plan.bn_key is not None for plan in hidden} or {False}
    if len(bn) != 1:
        raise ModelFileError(f"{name}: batch norm on some hidden layers only")
    try:
        spec = Architecture(
            hidden=tuple(plan.units for plan in hidden),
            activation=activations.pop(),
            dropout=max((plan.dropout for plan in hidden), default=0.0),
            batch_norm=bn.pop(),
            l2=max(found.conv.l2, *(plan.l2 for plan in plans)),
            augmentation=Augmentation(**found.augmentation),
            conv=tuple(found.conv.layers),
        )
        spec.validate()
    except (SpecError, TypeError) as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    return spec


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


def _read_weights(
    weights: bytes, conv: ConvPlan, plans: list[DensePlan], name: str
) -> tuple[list[Any], list[DenseBlock]]:
    """The conv layers and the Dense blocks with their weights."""
    import h5py

    try:
        with h5py.File(io.BytesIO(weights), "r") as h5:
            features = read_features(h5, conv, name) if conv.layers else []
            inputs = INPUT_SIZE
            if conv.layers:
                shapes = conv_spec.output_shapes(tuple(conv.layers), CONV_INPUT_SHAPE)
                inputs = shapes[-1][0]
            blocks = []
            for plan in plans:
                bias_shape = (plan.units,)
                kernel, bias = weight_arrays(
                    h5, plan.dense_key, [(inputs, plan.units), bias_shape], name
                )
                bn = None
                if plan.bn_key is not None:
                    arrays = weight_arrays(h5, plan.bn_key, [bias_shape] * 4, name)
                    bn = BatchNorm.of(arrays, plan.bn_epsilon)
                blocks.append(DenseBlock(kernel, bias, plan.activation, bn))
                inputs = plan.units
    except ModelFileError:
        raise
    except Exception:  # h5py raises OSError, KeyError, ValueError... on bad files
        raise ModelFileError(f"{name}: the weights inside are unreadable") from None
    return features, blocks

"""Between nnpad and Keras: build Keras models, convert weights, write model files.

Importing this module is cheap; Keras is imported by the functions that need it.
Nothing here loads a file with Keras: files are read by :mod:`.archive`, and a Keras
model for them is built by nnpad (:func:`from_network`), so nothing stored in a file
can run.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core import tf_env
from nnpad.core.files import atomic_path
from nnpad.core.model.archive import METADATA_NAME, ModelFileError
from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.model.network import (
    DenseBlock,
    Network,
    feature_arrays,
    feature_layer,
)
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import INPUT_SHAPE, NUM_CLASSES, Architecture, Recipe

if TYPE_CHECKING:
    import keras


def build(spec: Architecture, seed: int | None = None) -> keras.Model:
    """Return an uncompiled Keras model for ``spec`` (layer names are nnpad's own)."""
    spec.validate()
    k = tf_env.keras()
    if seed is not None:
        k.utils.set_random_seed(seed)
    layers = k.layers
    inputs = k.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    aug = spec.augmentation
    if aug.enabled or spec.conv:
        # Images stay (n, 28, 28) everywhere else: the model adds the channel axis
        # that augmentation and convolutions need.
        x = layers.Reshape((*INPUT_SHAPE, 1), name="add_channel")(x)
    if aug.enabled:
        # Identity at inference; the NumPy forward pass skips them.
        if aug.rotation:
            x = layers.RandomRotation(
                aug.rotation / 360.0, fill_mode="constant", name="rotate"
            )(x)
        if aug.shift:
            factor = aug.shift / INPUT_SHAPE[0]
            x = layers.RandomTranslation(
                factor, factor, fill_mode="constant", name="shift"
            )(x)
        if aug.zoom:
            x = layers.RandomZoom(aug.zoom, fill_mode="constant", name="zoom")(x)
    regularizer = k.regularizers.L2(spec.l2) if spec.l2 else None
    if spec.conv:
        for layer, name in zip(spec.conv, conv_names(spec), strict=True):
            x = _keras_conv_layer(k, layer, name, regularizer)(x)
    else:
        x = layers.Flatten(name="flatten")(x)
    for index, units in enumerate(spec.hidden, start=1):
        x = layers.Dense(
            units,
            activation=None if spec.batch_norm else spec.activation,
            kernel_regularizer=regularizer,
            name=f"hidden_{index}",
        )(x)
        if spec.batch_norm:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
            x = layers.Activation(spec.activation, name=f"{spec.activation}_{index}")(x)
        if spec.dropout:
            x = layers.Dropout(spec.dropout, name=f"dropout_{index}")(x)
    outputs = layers.Dense(
        NUM_CLASSES, activation="softmax", kernel_regularizer=regularizer, name="output"
    )(x)
    return k.Model(inputs, outputs, name="nnpad")


_NAME_PREFIXES = {
    conv_spec.Conv2D: "conv",
    conv_spec.MaxPooling2D: "pool",
    conv_spec.BatchNormalization: "conv_norm",
    conv_spec.Dropout: "conv_dropout",
}


def conv_names(spec: Architecture) -> list[str]:
    """The Keras names nnpad gives the conv layers: conv_1, pool_1, ..., flatten."""
    counts: dict[str, int] = {}
    names = []
    for layer in spec.conv:
        prefix = _NAME_PREFIXES.get(type(layer))
        if prefix is None:
            names.append(
                "flatten" if isinstance(layer, conv_spec.Flatten) else "global_average"
            )
            continue
        counts[prefix] = counts.get(prefix, 0) + 1
        names.append(f"{prefix}_{counts[prefix]}")
    return names


def _keras_conv_layer(
    k: Any, layer: conv_spec.ConvLayer, name: str, regularizer: Any
) -> Any:
    layers = k.layers
    if isinstance(layer, conv_spec.Conv2D):
        return layers.Conv2D(
            layer.filters,
            layer.kernel_size,
            padding=layer.padding,
            activation=layer.activation,
            kernel_regularizer=regularizer,
            name=name,
        )
    if isinstance(layer, conv_spec.MaxPooling2D):
        return layers.MaxPooling2D(layer.pool_size, name=name)
    if isinstance(layer, conv_spec.BatchNormalization):
        return layers.BatchNormalization(name=name)
    if isinstance(layer, conv_spec.Dropout):
        return layers.Dropout(layer.rate, name=name)
    if isinstance(layer, conv_spec.Flatten):
        return layers.Flatten(name=name)
    return layers.GlobalAveragePooling2D(name=name)


def _conv_layers(model: keras.Model, spec: Architecture) -> list[tuple[Any, Any]]:
    """(spec layer, Keras layer) for each conv layer but Dropout, in order."""
    return [
        (layer, model.get_layer(name))
        for layer, name in zip(spec.conv, conv_names(spec), strict=True)
        if not isinstance(layer, conv_spec.Dropout)
    ]


def _dense_layers(model: keras.Model, spec: Architecture) -> list[tuple[Any, Any]]:
    """Return (Dense, BatchNormalization or None) per block, in order."""
    pairs = []
    for index in range(1, len(spec.hidden) + 1):
        bn = model.get_layer(f"batch_norm_{index}") if spec.batch_norm else None
        pairs.append((model.get_layer(f"hidden_{index}"), bn))
    pairs.append((model.get_layer("output"), None))
    return pairs


def to_network(model: keras.Model, spec: Architecture) -> Network:
    """Copy a Keras model's current weights into a NumPy :class:`Network`."""
    blocks = []
    activations = [*([spec.activation] * len(spec.hidden)), "softmax"]
    for (dense, bn_layer), activation in zip(
        _dense_layers(model, spec), activations, strict=True
    ):
        kernel, bias = (np.array(w, dtype=np.float32) for w in dense.get_weights())
        bn = None
        if bn_layer is not None:
            gamma, beta, mean, var = (
                np.array(w, dtype=np.float32) for w in bn_layer.get_weights()
            )
            bn = BatchNorm(gamma, beta, mean, var, float(bn_layer.epsilon))
        blocks.append(DenseBlock(kernel, bias, activation, bn))
    features = []
    for layer, keras_layer in _conv_layers(model, spec):
        arrays = [np.array(w, dtype=np.float32) for w in keras_layer.get_weights()]
        epsilon = float(getattr(keras_layer, "epsilon", 1e-3))
        feature = feature_layer(layer, arrays, epsilon)
        if feature is not None:  # Dropout layers are left out by _conv_layers
            features.append(feature)
    return Network(spec, blocks, features)


def from_network(network: Network) -> keras.Model:
    """Build a Keras model of ``network``'s architecture holding its weights."""
    model = build(network.architecture)
    for (dense, bn_layer), block in zip(
        _dense_layers(model, network.architecture), network.blocks, strict=True
    ):
        dense.set_weights([block.kernel, block.bias])
        if bn_layer is not None and block.batch_norm is not None:
            bn_layer.set_weights(block.batch_norm.arrays())
    for (_, keras_layer), feature in zip(
        _conv_layers(model, network.architecture), network.features, strict=True
    ):
        arrays = feature_arrays(feature)
        if arrays:
            keras_layer.set_weights(arrays)
    return model


def _without_optimizer(model: keras.Model, recipe: Recipe) -> keras.Model:
    """Return an uncompiled copy of ``model`` with the same weights."""
    clone = build(recipe.architecture)
    clone.set_weights(model.get_weights())
    return clone


def write(
    model: keras.Model, recipe: Recipe, path: str | Path, metadata: dict[str, Any]
) -> Path:
    """Write ``model`` to ``path`` (.keras) atomically, with nnpad's ``metadata``.

    The file is written to a temporary ``.keras`` in the same folder and moved into
    place with ``os.replace``, so a crash or a full disk never leaves half a file.
    Only the weights are kept, not the optimizer's state, which makes the file about
    three times smaller. Use :func:`nnpad.core.model.store.save`, which fills in the
    metadata.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ModelFileError(f"{path.name}: a model file name must end in .keras")
    try:
        with atomic_path(path, suffix=".keras") as tmp:
            bare = (
                model
                if getattr(model, "optimizer", None) is None
                else _without_optimizer(model, recipe)
            )
            bare.save(tmp)
            with zipfile.ZipFile(tmp, "a") as archive:
                archive.writestr(METADATA_NAME, json.dumps(metadata, indent=2))
    except OSError as exc:
        raise ModelFileError(f"cannot save {path}: {exc.strerror or exc}") from None
    return path

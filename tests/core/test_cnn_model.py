"""Convolutional networks in NumPy: every layer equal to Keras, files read safely."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from nnpad.core.model import conv, keras_bridge
from nnpad.core.model.archive import ModelFileError
from nnpad.core.model.archive import read as read_model
from nnpad.core.model.network import Network
from nnpad.core.recipe.conv_spec import (
    BatchNormalization,
    Conv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    MaxPooling2D,
)
from nnpad.core.recipe.spec import Architecture, Recipe
from tests.core.test_keras_model import _randomize_batch_norm, save

# Every layer kind, activation and padding the spec can build, in two networks.
KINDS = {
    "relu-valid-flatten": Architecture(
        hidden=(),
        conv=(
            Conv2D(6, 3),
            MaxPooling2D(2),
            Conv2D(8, 3),
            MaxPooling2D(3),
            Flatten(),
            Dropout(0.5),
        ),
    ),
    "same-bn-gap": Architecture(
        hidden=(12,),
        activation="tanh",
        batch_norm=True,
        conv=(
            Conv2D(4, 2, "same", "sigmoid"),
            BatchNormalization(),
            MaxPooling2D(2),
            Conv2D(5, 5, "same", "tanh"),
            Conv2D(6, 4),
            GlobalAveragePooling2D(),
            BatchNormalization(),
        ),
    ),
}


def keras_names(spec: Architecture) -> list[str]:
    """The Keras layer whose output is each NumPy activation after the input."""
    names = [
        name
        for layer, name in zip(spec.conv, keras_bridge.conv_names(spec), strict=True)
        if not isinstance(layer, Dropout)
    ]
    for index in range(1, len(spec.hidden) + 1):
        names.append(
            f"{spec.activation}_{index}" if spec.batch_norm else f"hidden_{index}"
        )
    return [*names, "output"]


def kind_of(layer: object) -> str:
    if isinstance(layer, conv.ConvBlock):
        return f"Conv2D {layer.activation} {layer.padding}"
    return type(layer).__name__


@pytest.fixture(scope="module")
def read_back(tmp_path_factory) -> dict[str, tuple[object, object]]:
    """Each spec built in Keras with random weights, saved, and read by nnpad."""
    rng = np.random.default_rng(7)
    folder = tmp_path_factory.mktemp("cnn")
    done = {}
    for name, spec in KINDS.items():
        model = keras_bridge.build(spec, seed=2)
        _randomize_batch_norm(model, rng)
        path = save(model, Recipe(spec), folder / f"{name}.keras")
        done[name] = (model, read_model(path).network)
    return done


def test_every_layer_of_a_cnn_read_from_its_file_equals_keras(read_back) -> None:
    import keras

    images = np.random.default_rng(3).random((32, 28, 28), dtype=np.float32)
    worst: dict[str, float] = defaultdict(float)
    for model, network in read_back.values():
        spec = network.architecture
        outputs = [model.get_layer(n).output for n in keras_names(spec)]
        expected = keras.Model(model.inputs, outputs).predict(images, verbose=0)
        ours = network.activations(images)[1:]
        layers = [*network.features, *network.blocks]
        assert len(ours) == len(expected) == len(layers)
        for layer, mine, theirs in zip(layers, ours, expected, strict=True):
            assert mine.shape == theirs.shape
            error = float(np.max(np.abs(mine - theirs)))
            worst[kind_of(layer)] = max(worst[kind_of(layer)], error)
    print("max error per layer kind:", dict(worst))
    assert set(worst) == {
        "Conv2D relu valid",
        "Conv2D sigmoid same",
        "Conv2D tanh same",
        "MaxPool",
        "ChannelNorm",
        "FlattenMaps",
        "GlobalAverage",
        "DenseBlock",
    }
    assert max(worst.values()) <= 1e-5


def test_keras_mnist_convnet_saved_elsewhere_reads_as_the_cnn_preset(
    tmp_path: Path,
) -> None:
    import keras
    from keras import layers

    from nnpad.core.recipe import presets

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    path = tmp_path / "mnist_convnet.keras"
    model.save(path)
    loaded = read_model(path)
    assert loaded.recipe.architecture == presets.cnn().architecture
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    expected = model.predict(images, verbose=0)
    assert np.max(np.abs(loaded.network.predict(images) - expected)) <= 1e-5


# -- files nnpad cannot use ----------------------------------------------------------


@pytest.fixture(scope="module")
def cnn_file(tmp_path_factory) -> Path:
    spec = KINDS["relu-valid-flatten"]
    path = tmp_path_factory.mktemp("cnn-file") / "cnn.keras"
    return save(keras_bridge.build(spec, seed=0), Recipe(spec), path)


def _with_config(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(data)
                change(config["config"]["layers"])
                data = json.dumps(config).encode()
            zout.writestr(item.filename, data)
    return dst


def _first(layers: list, cls: str) -> dict:
    return next(layer["config"] for layer in layers if layer["class_name"] == cls)


@pytest.mark.parametrize(
    ("cls", "settings", "words"),
    [
        ("Conv2D", {"strides": [2, 2]}, "strides other"),
        ("Conv2D", {"kernel_size": [3, 1]}, "square kernel"),
        ("Conv2D", {"activation": "linear"}, "must use one"),
        ("Conv2D", {"filters": 7}, "shape"),
        ("Conv2D", {"data_format": "channels_first"}, "channels-last"),
        ("MaxPooling2D", {"strides": [1, 1]}, "stride unlike its size"),
        ("MaxPooling2D", {"pool_size": [27, 27], "strides": [27, 27]}, "leaves"),
    ],
)
def test_a_cnn_layer_nnpad_would_not_build_is_refused(
    cnn_file: Path, tmp_path: Path, cls: str, settings: dict, words: str
) -> None:
    bad = _with_config(
        cnn_file, tmp_path / "bad.keras", lambda ls: _first(ls, cls).update(settings)
    )
    with pytest.raises(ModelFileError, match=words):
        read_model(bad)


def test_global_pooling_that_keeps_its_dimensions_is_refused(
    cnn_file: Path, tmp_path: Path
) -> None:
    def change(layers: list) -> None:
        flatten = next(
            i for i, ls in enumerate(layers) if ls["class_name"] == "Flatten"
        )
        layers[flatten] = {
            "module": "keras.layers",
            "class_name": "GlobalAveragePooling2D",
            "config": {"keepdims": True},
        }

    bad = _with_config(cnn_file, tmp_path / "bad.keras", change)
    with pytest.raises(ModelFileError, match="keeps its dimensions"):
        read_model(bad)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda layers: layers.insert(-1, layers[2]), "Conv2D after Flatten"),
        (lambda layers: layers.pop(1), "not 28x28 images"),
    ],
)
def test_a_cnn_in_an_order_nnpad_would_not_build_is_refused(
    cnn_file: Path, tmp_path: Path, change, words: str
) -> None:
    bad = _with_config(cnn_file, tmp_path / "bad.keras", change)
    with pytest.raises(ModelFileError, match=words):
        read_model(bad)


# -- NumPy only ----------------------------------------------------------------------


def naive_conv(x: np.ndarray, kernel: np.ndarray, padding: str) -> np.ndarray:
    """A loop over positions, as the definition reads (one image, no flip)."""
    k = kernel.shape[0]
    if padding == "same":
        before, after = conv.same_padding(k)
        x = np.pad(x, ((before, after), (before, after), (0, 0)))
    rows, cols = x.shape[0] - k + 1, x.shape[1] - k + 1
    out = np.zeros((rows, cols, kernel.shape[3]))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = np.tensordot(x[r : r + k, c : c + k], kernel, axes=3)
    return out


@pytest.mark.parametrize(("k", "padding"), [(3, "valid"), (2, "same"), (5, "same")])
def test_im2col_convolution_is_the_definition(k: int, padding: str) -> None:
    rng = np.random.default_rng(k)
    kernel = rng.normal(size=(k, k, 3, 4)).astype(np.float32)
    block = conv.ConvBlock(kernel, np.zeros(4, np.float32), "tanh", padding)
    x = rng.random((2, 9, 7, 3), dtype=np.float32)
    for image, maps in zip(x, block.pre_activation(x), strict=True):
        np.testing.assert_allclose(maps, naive_conv(image, kernel, padding), atol=1e-5)


def test_big_batches_are_convolved_in_chunks_with_the_same_result(monkeypatch) -> None:
    rng = np.random.default_rng(0)
    block = conv.ConvBlock(
        rng.normal(size=(3, 3, 2, 5)).astype(np.float32),
        rng.normal(size=5).astype(np.float32),
        "relu",
    )
    x = rng.random((7, 10, 10, 2), dtype=np.float32)
    whole = block(x)
    monkeypatch.setattr(conv, "WINDOW_BYTES", 1)  # one image at a time
    np.testing.assert_array_equal(block(x), whole)


def test_max_pooling_drops_the_rows_and_columns_left_over() -> None:
    x = np.arange(2 * 5 * 5 * 1, dtype=np.float32).reshape(2, 5, 5, 1)
    pooled = conv.MaxPool(2)(x)
    assert pooled.shape == (2, 2, 2, 1)
    assert pooled[0, :, :, 0].tolist() == [[6.0, 8.0], [16.0, 18.0]]


def test_a_network_refuses_conv_weights_that_do_not_fit_its_spec() -> None:
    spec = Architecture(hidden=(), conv=(Conv2D(4, 3), Flatten()))
    rng = np.random.default_rng(0)
    dense = keras_free_dense(26 * 26 * 4)
    wrong = conv.ConvBlock(rng.normal(size=(3, 3, 1, 5)), np.zeros(5), "relu")
    with pytest.raises(ValueError, match="does not fit"):
        Network(spec, [dense], [wrong, conv.FlattenMaps()])
    with pytest.raises(ValueError, match="conv layers"):
        Network(spec, [dense], [conv.FlattenMaps()])
    right = conv.ConvBlock(rng.normal(size=(3, 3, 1, 4)), np.zeros(4), "relu")
    network = Network(spec, [dense], [right, conv.FlattenMaps()])
    assert network.layer_names() == ["Input", "Conv 1", "Flatten", "Output"]
    assert network.predict(np.zeros((28, 28))).shape == (1, 10)


def keras_free_dense(inputs: int):
    from nnpad.core.model.network import DenseBlock

    rng = np.random.default_rng(1)
    return DenseBlock(
        rng.normal(size=(inputs, 10)).astype(np.float32),
        np.zeros(10, np.float32),
        "softmax",
    )

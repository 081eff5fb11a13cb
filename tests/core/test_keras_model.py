"""Keras build/save/load, the TF-free reader, and NumPy-vs-Keras parity."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnpad.core.model import keras_bridge, store
from nnpad.core.model.archive import ModelFileError
from nnpad.core.model.archive import read as read_model
from nnpad.core.progress import EpochResult, TrainResult
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.conv_spec import (
    BatchNormalization,
    Conv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    MaxPooling2D,
)
from nnpad.core.recipe.spec import Architecture, Augmentation, Recipe


def save(model, recipe: Recipe, path: Path, val_accuracy: float | None = None) -> Path:
    """Save through the one way nnpad saves a training's model."""
    epochs = [EpochResult(0, 0.1, 0.9, 0.1, val_accuracy)]
    return store.save(TrainResult("finished", recipe, epochs, keras_model=model), path)


SPECS = {
    "classic": Architecture(),
    "sigmoid-l2": Architecture(hidden=(20,), activation="sigmoid", l2=1e-3),
    "tanh-bn-dropout": Architecture(
        hidden=(32, 16, 8), activation="tanh", batch_norm=True, dropout=0.3
    ),
    "augmented": Architecture(
        hidden=(24, 12), dropout=0.2, augmentation=Augmentation(10, 2, 0.1)
    ),
    "relu-bn": Architecture(hidden=(40,), batch_norm=True),
    # Convolutional: between them every layer kind and setting the spec can build.
    "cnn-flatten": Architecture(
        hidden=(),
        conv=(
            Conv2D(6, 3),
            MaxPooling2D(2),
            Conv2D(8, 3, "same", "tanh"),
            MaxPooling2D(3),
            Flatten(),
            Dropout(0.5),
        ),
    ),
    "cnn-bn-gap": Architecture(
        hidden=(12,),
        activation="sigmoid",
        batch_norm=True,
        dropout=0.2,
        l2=1e-3,
        conv=(
            Conv2D(4, 2, "same", "sigmoid"),
            BatchNormalization(),
            MaxPooling2D(2),
            Dropout(0.1),
            Conv2D(5, 4, "valid", "relu"),
            GlobalAveragePooling2D(),
            BatchNormalization(),
        ),
    ),
    "cnn-augmented": Architecture(
        hidden=(16,),
        augmentation=Augmentation(8, 2, 0.1),
        conv=(Conv2D(3, 5, "same"), MaxPooling2D(4), Flatten()),
    ),
}


def _randomize_batch_norm(model, rng: np.random.Generator) -> None:
    """Give batch-norm layers non-trivial statistics so parity means something."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma.shape).astype("float32"),
                    rng.normal(0, 0.5, beta.shape).astype("float32"),
                    rng.normal(0, 0.5, mean.shape).astype("float32"),
                    rng.uniform(0.5, 2.0, var.shape).astype("float32"),
                ]
            )


@pytest.mark.parametrize("name", sorted(SPECS))
def test_numpy_forward_pass_matches_keras(name: str, tmp_path: Path) -> None:
    spec = SPECS[name]
    rng = np.random.default_rng(1)
    model = keras_bridge.build(spec, seed=3)
    _randomize_batch_norm(model, rng)
    images = rng.random((64, 28, 28), dtype=np.float32)
    expected = model.predict(images, verbose=0)

    path = save(model, Recipe(spec), tmp_path / "m.keras", val_accuracy=0.5)
    loaded = read_model(path)
    assert loaded.recipe.architecture == spec
    assert loaded.val_accuracy == pytest.approx(0.5)
    for network in (loaded.network, keras_bridge.to_network(model, spec)):
        probabilities = network.predict(images)
        assert np.max(np.abs(probabilities - expected)) <= 1e-5
        activations = network.activations(images[:1])
        assert [a.shape[1:] for a in activations] == expected_shapes(spec)

    reloaded = keras_bridge.from_network(store.load(path).network)
    again = reloaded.predict(images, verbose=0)
    assert np.max(np.abs(again - expected)) <= 1e-6


def expected_shapes(spec: Architecture) -> list[tuple[int, ...]]:
    """One image's shape at the input and after each layer but Dropout."""
    if not spec.conv:
        return [(784,), *((n,) for n in spec.hidden), (10,)]
    conv = [
        shape
        for layer, shape in zip(
            spec.conv, conv_spec.output_shapes(spec.conv, (28, 28, 1)), strict=True
        )
        if not isinstance(layer, Dropout)
    ]
    return [(28, 28, 1), *conv, *((n,) for n in spec.hidden), (10,)]


def test_save_is_atomic_and_needs_keras_suffix(tmp_path: Path) -> None:
    model = keras_bridge.build(Architecture(hidden=(8,)))
    with pytest.raises(ModelFileError, match=r"\.keras"):
        save(model, Recipe(Architecture(hidden=(8,))), tmp_path / "m.h5")
    target = tmp_path / "m.keras"
    target.write_bytes(b"previous")
    save(model, Recipe(Architecture(hidden=(8,))), target)
    assert read_model(target).recipe.architecture.hidden == (8,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    model = keras_bridge.build(Architecture(hidden=(8,)))
    target = tmp_path / "m.keras"
    target.write_bytes(b"previous")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(model), "save", disk_full)
    with pytest.raises(ModelFileError, match="No space left"):
        save(model, Recipe(Architecture(hidden=(8,))), target)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


# -- hostile and broken files ----------------------------------------------------------


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.keras"
    save(keras_bridge.build(Architecture(hidden=(8,))), Recipe(), path)
    return path


def _rewrite(src: Path, dst: Path, **replace: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename in replace:
                if replace[item.filename] is not None:
                    zout.writestr(item.filename, replace[item.filename])
            else:
                zout.writestr(item, zin.read(item.filename))
    return dst


def _config(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json"))


def test_truncated_file(good_file: Path, tmp_path: Path) -> None:
    data = good_file.read_bytes()
    bad = tmp_path / "cut.keras"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        read_model(bad)


@pytest.mark.parametrize("content", [b"", b"hello", bytes(range(256)) * 10])
def test_garbage_files(content: bytes, tmp_path: Path) -> None:
    bad = tmp_path / "junk.keras"
    bad.write_bytes(content)
    with pytest.raises(ModelFileError):
        read_model(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        read_model(tmp_path / "nope.keras")


def test_lambda_layer_is_refused(good_file: Path, tmp_path: Path) -> None:
    config = _config(good_file)
    config["config"]["layers"].insert(
        2,
        {
            "module": "keras.layers",
            "class_name": "Lambda",
            "config": {"function": {"class_name": "__lambda__", "config": {}}},
        },
    )
    bad = _rewrite(
        good_file,
        tmp_path / "lambda.keras",
        **{"config.json": json.dumps(config).encode()},
    )
    with pytest.raises(ModelFileError, match="Lambda"):
        read_model(bad)


def test_custom_layer_is_refused(good_file: Path, tmp_path: Path) -> None:
    config = _config(good_file)
    config["config"]["layers"][2]["module"] = "evil.module"
    bad = _rewrite(
        good_file,
        tmp_path / "custom.keras",
        **{"config.json": json.dumps(config).encode()},
    )
    with pytest.raises(ModelFileError, match="custom"):
        read_model(bad)


@pytest.mark.parametrize(
    ("input_shape", "classes", "words"),
    [((32, 32), 10, "28x28"), ((28, 28), 26, "ten digits")],
)
def test_foreign_shapes_are_refused(
    input_shape: tuple[int, int], classes: int, words: str, tmp_path: Path
) -> None:
    import keras

    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(8, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x))
    path = tmp_path / "foreign.keras"
    model.save(path)
    with pytest.raises(ModelFileError, match=words):
        read_model(path)


def test_a_plain_sequential_model_from_elsewhere_loads(tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(12, activation="tanh"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    path = tmp_path / "other.keras"
    model.save(path)
    loaded = read_model(path)
    assert loaded.recipe.architecture.hidden == (12,)
    assert loaded.recipe.architecture.activation == "tanh"
    images = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    expected = model.predict(images, verbose=0)
    assert np.max(np.abs(loaded.network.predict(images) - expected)) <= 1e-5


def test_nan_weights_are_refused(tmp_path: Path) -> None:
    spec = Architecture(hidden=(8,))
    model = keras_bridge.build(spec)
    kernel, bias = model.get_layer("hidden_1").get_weights()
    kernel[0, 0] = np.nan
    model.get_layer("hidden_1").set_weights([kernel, bias])
    path = save(model, Recipe(spec), tmp_path / "nan.keras")
    with pytest.raises(ModelFileError, match="NaN"):
        read_model(path)


def test_weights_that_do_not_match_the_config(good_file: Path, tmp_path: Path) -> None:
    config = _config(good_file)
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dense" and layer["config"]["units"] == 8:
            layer["config"]["units"] = 9
    bad = _rewrite(
        good_file,
        tmp_path / "mismatch.keras",
        **{"config.json": json.dumps(config).encode()},
    )
    with pytest.raises(ModelFileError, match="shape"):
        read_model(bad)


def test_missing_weights(good_file: Path, tmp_path: Path) -> None:
    bad = _rewrite(
        good_file, tmp_path / "noweights.keras", **{"model.weights.h5": None}
    )
    with pytest.raises(ModelFileError, match=r"model\.weights\.h5"):
        read_model(bad)


def test_the_new_training_settings_survive_the_model_file(tmp_path: Path) -> None:
    from nnpad.core.recipe.spec import TrainConfig

    train = TrainConfig(train_samples=300, early_stopping_patience=3)
    recipe = Recipe(Architecture(hidden=(8,)), train)
    model = keras_bridge.build(recipe.architecture, seed=0)
    path = save(model, recipe, tmp_path / "m.keras")
    assert read_model(path).recipe == recipe
    # A file from before these settings existed still gives its training settings.
    with zipfile.ZipFile(path) as archive:
        config = archive.read("config.json")
        weights = archive.read("model.weights.h5")
        metadata = json.loads(archive.read("nnpad.json"))
    for key in ("train_samples", "early_stopping_patience", "restore_best_weights"):
        del metadata["recipe"]["train"][key]
    old = tmp_path / "old.keras"
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("config.json", config)
        archive.writestr("model.weights.h5", weights)
        archive.writestr("nnpad.json", json.dumps(metadata))
    assert read_model(old).recipe == Recipe(recipe.architecture, TrainConfig())

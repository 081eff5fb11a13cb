"""The recipe as Keras code: running it builds the network nnpad builds."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.recipe import presets
from nnpad.core.recipe.keras_code import keras_code
from nnpad.core.recipe.layer_table import parameter_count
from nnpad.core.recipe.spec import Recipe, TrainConfig, with_changes
from tests.core.test_cnn_model import KINDS
from tests.core.test_conv_spec import EVERY_KIND

RECIPES = {
    **{f"preset {name}": make() for name, make in presets.ALL_PRESETS.items()},
    **{f"cnn {name}": Recipe(spec) for name, spec in KINDS.items()},
    "every kind, L2": Recipe(with_changes(Recipe(EVERY_KIND), l2=1e-4).architecture),
}


def run(code: str, images: int = 20) -> dict:
    """Execute generated code with a few blank images as its data."""
    namespace = {
        "x_train": np.zeros((images, 28, 28), np.float32),
        "y_train": np.arange(images) % 10,
    }
    exec(compile(code, "<keras_code>", "exec"), namespace)
    return namespace


def layer_configs(model) -> list[tuple[str, dict]]:
    """Each layer's class and settings, without its name or the input layer."""
    configs = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        configs.append((type(layer).__name__, config))
    return configs


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_generated_code_builds_the_same_network(name: str) -> None:
    from nnpad.core.model import keras_bridge

    recipe = RECIPES[name]
    model = run(keras_code(recipe, fit=False))["model"]
    ours = keras_bridge.build(recipe.architecture)
    assert layer_configs(model) == layer_configs(ours)
    assert model.input_shape == ours.input_shape == (None, 28, 28)
    assert model.count_params() == parameter_count(recipe.architecture)
    assert model.loss == "sparse_categorical_crossentropy"


def test_a_cosine_schedule_decays_over_the_runs_whole_batches() -> None:
    recipe = presets.shipped()  # cosine, batch 128, 30 epochs, 1/6 held out
    optimizer = run(keras_code(recipe, fit=False), images=1200)["model"].optimizer
    schedule = optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "CosineDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(2e-3)
    assert schedule["config"]["decay_steps"] == (1200 - 200) // 128 * 30


def test_the_code_reads_like_keras_mnist_convnet() -> None:
    code = keras_code(presets.cnn())
    assert "model = keras.Sequential(" in code
    assert '        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),\n' in code
    assert "        layers.MaxPooling2D(pool_size=(2, 2)),\n" in code
    assert "        layers.Dropout(0.5),\n" in code
    assert "optimizer=keras.optimizers.Adam(learning_rate=0.001)" in code
    assert "    batch_size=128,\n    epochs=15,\n    validation_split=0.1,\n" in code


def test_what_a_plain_fit_cannot_do_is_said_in_a_comment() -> None:
    code = keras_code(presets.shipped())
    assert "# nnpad also trains on 50,000 generated non-digits" in code
    assert "outlier" not in keras_code(presets.classic())


@pytest.mark.slow
def test_the_generated_code_trains(tiny_dataset) -> None:
    recipe = Recipe(
        KINDS["relu-valid-flatten"],
        TrainConfig(
            epochs=2,
            batch_size=16,
            lr_schedule="cosine",
            train_samples=100,
            early_stopping_patience=1,
            restore_best_weights=True,
        ),
    )
    namespace = {
        "x_train": tiny_dataset.x_train.astype(np.float32) / 255.0,
        "y_train": tiny_dataset.y_train,
    }
    exec(compile(keras_code(recipe), "<keras_code>", "exec"), namespace)
    model = namespace["model"]
    history = model.history.history
    assert len(history["loss"]) >= 1 and "val_loss" in history
    # 100 training images in batches of 16: 7 steps an epoch.
    assert int(model.optimizer.iterations) == 7 * len(history["loss"])

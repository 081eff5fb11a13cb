"""A recipe as the Keras code that builds and trains the same network.

For people who want to take what they made in nnpad elsewhere: ``keras.Sequential``
with the layers nnpad builds, ``model.compile`` with nnpad's optimizer and loss, and
``model.fit`` with its batch size, epochs and validation split, in the shape of
Keras' own examples (``mnist_convnet``). Running it gives a model with the same
layers and parameters as nnpad's (tests/core/test_keras_code.py runs it). What nnpad
adds that a plain ``fit`` does not (outlier exposure) is said in a comment.

Plain text: importing this module does not import Keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import INPUT_SHAPE, NUM_CLASSES

if TYPE_CHECKING:
    from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig

_INDENT = " " * 8


def keras_code(recipe: Recipe, *, fit: bool = True) -> str:
    """Python code building ``recipe``'s network with Keras, compiling and fitting it.

    The code expects ``x_train`` (images ``(n, 28, 28)``, float32 in [0, 1]) and
    ``y_train`` (their digits); ``fit=False`` leaves out the training part.
    """
    recipe.validate()
    spec, train = recipe.architecture, recipe.train
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "# x_train: the training images, shape (n, 28, 28), float32 in [0, 1];",
        "# y_train: their digits, integers 0-9.",
        f"keras.utils.set_random_seed({train.seed})",
        "",
        "model = keras.Sequential(",
        "    [",
        *(f"{_INDENT}{layer}," for layer in _layers(spec)),
        "    ]",
        ")",
        "model.summary()",
        "",
        *_compile(train),
    ]
    if fit:
        lines += ["", *_fit(train)]
    return "\n".join(lines) + "\n"


def _layers(spec: Architecture) -> list[str]:
    """Each layer's constructor, as nnpad's keras_bridge.build makes them."""
    l2 = f", kernel_regularizer=keras.regularizers.L2({spec.l2!r})" if spec.l2 else ""
    height, width = INPUT_SHAPE
    layers = [f"keras.Input(shape=({height}, {width}))"]
    aug = spec.augmentation
    if aug.enabled or spec.conv:
        layers.append(f"layers.Reshape(({height}, {width}, 1))")
    if aug.rotation:
        layers.append(
            f'layers.RandomRotation({aug.rotation:g} / 360, fill_mode="constant")'
        )
    if aug.shift:
        shift = f"{aug.shift:g} / {height}"
        layers.append(
            f'layers.RandomTranslation({shift}, {shift}, fill_mode="constant")'
        )
    if aug.zoom:
        layers.append(f'layers.RandomZoom({aug.zoom!r}, fill_mode="constant")')
    if spec.conv:
        layers += [_conv_layer(layer, l2) for layer in spec.conv]
    else:
        layers.append("layers.Flatten()")
    for units in spec.hidden:
        if spec.batch_norm:
            layers += [
                f"layers.Dense({units}{l2})",
                "layers.BatchNormalization()",
                f'layers.Activation("{spec.activation}")',
            ]
        else:
            layers.append(f'layers.Dense({units}, activation="{spec.activation}"{l2})')
        if spec.dropout:
            layers.append(f"layers.Dropout({spec.dropout!r})")
    layers.append(f'layers.Dense({NUM_CLASSES}, activation="softmax"{l2})')
    return layers


def _conv_layer(layer: conv_spec.ConvLayer, l2: str) -> str:
    if isinstance(layer, conv_spec.Conv2D):
        k = layer.kernel_size
        padding = ', padding="same"' if layer.padding == "same" else ""
        return (
            f"layers.Conv2D({layer.filters}, kernel_size=({k}, {k}){padding},"
            f' activation="{layer.activation}"{l2})'
        )
    if isinstance(layer, conv_spec.MaxPooling2D):
        p = layer.pool_size
        return f"layers.MaxPooling2D(pool_size=({p}, {p}))"
    if isinstance(layer, conv_spec.Dropout):
        return f"layers.Dropout({layer.rate!r})"
    return f"layers.{layer.KIND}()"


def _compile(train: TrainConfig) -> list[str]:
    lines = []
    rate = repr(train.learning_rate)
    if train.lr_schedule == "cosine":
        held_out = f"round(len(x_train) * {train.validation_split!r})"
        lines += [
            "# The learning rate falls along a cosine over every batch of the run.",
            f"batches = max(1, (len(x_train) - {held_out}) // {train.batch_size})",
            "learning_rate = keras.optimizers.schedules.CosineDecay(",
            f"    {rate}, decay_steps=batches * {train.epochs}",
            ")",
        ]
        rate = "learning_rate"
    return [
        *lines,
        "model.compile(",
        '    loss="sparse_categorical_crossentropy",',
        f"    optimizer=keras.optimizers.Adam(learning_rate={rate}),",
        '    metrics=["accuracy"],',
        ")",
    ]


def _fit(train: TrainConfig) -> list[str]:
    lines = []
    if train.outlier_exposure and train.outliers:
        lines += [
            f"# nnpad also trains on {train.outliers:,} generated non-digits, their"
            f" loss weighted {train.outlier_exposure:g}",
            "# (outlier exposure, nnpad.core.training.outlier_exposure): not shown"
            " here.",
        ]
    arguments = [
        "x_train",
        "y_train",
        f"batch_size={train.batch_size}",
        f"epochs={train.epochs}",
    ]
    if train.train_samples is not None:
        # Keras takes validation_split after any slicing; nnpad holds out first.
        lines += [
            f"held_out = round(len(x_train) * {train.validation_split!r})",
            "cut = len(x_train) - held_out",
            "x_val, y_val = x_train[cut:], y_train[cut:]",
            f"x_train, y_train = x_train[:cut][:{train.train_samples}],"
            f" y_train[:cut][:{train.train_samples}]",
        ]
        if train.validation_split:
            arguments.append("validation_data=(x_val, y_val)")
    elif train.validation_split:
        arguments.append(f"validation_split={train.validation_split!r}")
    if train.early_stopping_patience or train.restore_best_weights:
        patience = train.early_stopping_patience or train.epochs
        best = ", restore_best_weights=True" if train.restore_best_weights else ""
        lines += [
            "stop = keras.callbacks.EarlyStopping(",
            f'    monitor="val_loss", patience={patience}{best}',
            ")",
        ]
        arguments.append("callbacks=[stop]")
    lines += ["model.fit(", *(f"    {arg}," for arg in arguments), ")"]
    return lines

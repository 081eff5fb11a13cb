"""Tried recipes, from the classic network to the seed's common problems.

Each preset is a function returning a fresh :class:`~nnpad.core.recipe.spec.Recipe`; the
problem presets take a few seconds on the shipped sample and are seeded, so that
their curves and their diagnosis repeat (tests/core/test_presets.py trains them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from nnpad.core.recipe.conv_spec import (
    BatchNormalization,
    Conv2D,
    Dropout,
    Flatten,
    MaxPooling2D,
)
from nnpad.core.recipe.spec import (
    Architecture,
    Augmentation,
    Recipe,
    SpecError,
    TrainConfig,
    with_changes,
)

if TYPE_CHECKING:
    from collections.abc import Callable


def classic() -> Recipe:
    """The classic network: 784-128-64-10 relu, Adam 1e-3, batch 32, 5 epochs."""
    return Recipe()


def deeper() -> Recipe:
    """A deeper, wider network."""
    return Recipe(Architecture(hidden=(256, 128, 64)), TrainConfig(epochs=8))


def regularized() -> Recipe:
    """Dropout and batch norm, with light augmentation."""
    return Recipe(
        Architecture(
            hidden=(256, 128),
            dropout=0.2,
            batch_norm=True,
            augmentation=Augmentation(rotation=10, shift=2, zoom=0.1),
        ),
        TrainConfig(epochs=10, batch_size=64),
    )


def shipped() -> Recipe:
    """The recipe of each of the shipped FNN's two networks (README: the default model).

    The shipped FNN is two networks of this recipe side by side (one of them also
    trained on elastic distortions and the shipped CNN's readings). Outlier exposure
    teaches it what is not a digit: 50,000 generated non-digits join the training
    images, their loss weighted 0.5.
    """
    return Recipe(
        Architecture(
            hidden=(512, 256),
            dropout=0.15,
            augmentation=Augmentation(rotation=10, shift=2, zoom=0.1),
        ),
        TrainConfig(
            learning_rate=2e-3,
            lr_schedule="cosine",
            batch_size=128,
            epochs=30,
            validation_split=1 / 6,
            outlier_exposure=0.5,
            outliers=50_000,
        ),
    )


OVERFIT_HIDDEN = (512, 256)
OVERFIT_SAMPLES = 300


def overfit() -> Recipe:
    """A wide net on 300 images, no regularisation, many epochs: overfits."""
    return Recipe(
        Architecture(hidden=OVERFIT_HIDDEN),
        TrainConfig(
            learning_rate=2e-3, batch_size=16, epochs=20, train_samples=OVERFIT_SAMPLES
        ),
    )


def overfit_dropout() -> Recipe:
    """The overfit recipe with dropout."""
    return with_changes(overfit(), dropout=0.7)


def overfit_l2() -> Recipe:
    """The overfit recipe with an L2 weight penalty."""
    return with_changes(overfit(), l2=5e-4)


def underfit() -> Recipe:
    """A tiny net: too few units to tell ten digits apart."""
    return Recipe(Architecture(hidden=(2,)), TrainConfig(epochs=8, batch_size=64))


def lr_high() -> Recipe:
    """The classic network with a learning rate a hundred times too high."""
    return with_changes(classic(), learning_rate=0.1, epochs=5)


def lr_low() -> Recipe:
    """The classic network with a learning rate a hundred times too low."""
    return with_changes(classic(), learning_rate=1e-5, epochs=5)


def cnn_small() -> Recipe:
    """A small convolutional network: 7,018 parameters, 97.5-98% on the sample.

    A 3×3 convolution of 8 filters (padding "same", so the edges count), 2×2 max
    pooling, a 3×3 convolution of 16 filters, 2×2 max pooling, then the output
    layer on the 6×6×16 maps. Large batches and a high learning rate falling
    along a cosine train it in about 10 seconds on two cores; seeds 0-3 ended at
    97.5-98.2% on the shipped sample's validation part, with healthy curves
    (tests/core/test_cnn_training.py trains it).
    """
    return Recipe(
        Architecture(
            hidden=(),
            conv=(
                Conv2D(8, 3, padding="same"),
                MaxPooling2D(2),
                Conv2D(16, 3),
                MaxPooling2D(2),
                Flatten(),
            ),
        ),
        TrainConfig(
            learning_rate=1e-2, lr_schedule="cosine", batch_size=128, epochs=10
        ),
    )


def cnn() -> Recipe:
    """Keras' ``mnist_convnet`` example: 34,826 parameters, about 99% on MNIST.

    Conv 32 3×3 relu, max pool 2, conv 64 3×3 relu, max pool 2, flatten, dropout
    0.5, Dense(10, softmax); batch 128, 15 epochs, 10% for validation, as there.
    """
    return Recipe(
        Architecture(
            hidden=(),
            conv=(
                Conv2D(32, 3),
                MaxPooling2D(2),
                Conv2D(64, 3),
                MaxPooling2D(2),
                Flatten(),
                Dropout(0.5),
            ),
        ),
        TrainConfig(batch_size=128, epochs=15),
    )


def shipped_cnn() -> Recipe:
    """The recipe of the shipped CNN (README: convolutional networks).

    Two blocks of two 3×3 conv layers (32 then 64 filters), each conv followed by
    batch normalization and each block by 2×2 max pooling, and a Dense(128) head
    (198,250 parameters); trained as the shipped FNN is: augmentation, outlier
    exposure, cosine decay; 20 epochs.
    """
    return Recipe(
        Architecture(
            hidden=(128,),
            dropout=0.25,
            augmentation=Augmentation(rotation=10, shift=2, zoom=0.1),
            conv=(
                Conv2D(32, 3),
                BatchNormalization(),
                Conv2D(32, 3),
                BatchNormalization(),
                MaxPooling2D(2),
                Conv2D(64, 3),
                BatchNormalization(),
                Conv2D(64, 3),
                BatchNormalization(),
                MaxPooling2D(2),
                Flatten(),
                Dropout(0.25),
            ),
        ),
        replace(shipped().train, epochs=20),
    )


#: The feedforward presets.
PRESETS: dict[str, Callable[[], Recipe]] = {
    "classic": classic,
    "deeper": deeper,
    "regularized": regularized,
    "shipped": shipped,
    "overfit": overfit,
    "overfit-dropout": overfit_dropout,
    "overfit-l2": overfit_l2,
    "underfit": underfit,
    "lr-high": lr_high,
    "lr-low": lr_low,
}

#: Convolutional presets.
CNN_PRESETS: dict[str, Callable[[], Recipe]] = {
    "cnn-small": cnn_small,
    "cnn": cnn,
    "shipped-cnn": shipped_cnn,
}

ALL_PRESETS: dict[str, Callable[[], Recipe]] = {**PRESETS, **CNN_PRESETS}

#: One line per preset, for the form.
PRESET_DESCRIPTIONS: dict[str, str] = {
    "classic": "The classic 784-128-64-10 network: Adam, batch 32, 5 epochs.",
    "deeper": "Three hidden layers (256-128-64) and 8 epochs: more capacity.",
    "regularized": "Dropout, batch norm and light augmentation, 10 epochs.",
    "shipped": "Each of the shipped model's two networks: 512-256, dropout,"
    " augmentation, non-digits, 30 epochs.",
    "overfit": "Overfit on purpose: a wide net on 300 images, no regularisation,"
    " 20 epochs.",
    "overfit-dropout": "Fix it with dropout: the overfit recipe with 70% dropout.",
    "overfit-l2": "Fix it with L2: the overfit recipe with a weight penalty (the"
    " losses include it).",
    "underfit": "Underfit: a tiny net with 2 hidden units cannot tell ten digits"
    " apart.",
    "lr-high": "Learning rate too high (0.1): the loss jumps instead of falling.",
    "lr-low": "Learning rate too low (0.00001): the loss barely moves.",
    "cnn-small": "A small convolutional network: two 3×3 conv layers with pooling,"
    " 7,018 parameters.",
    "cnn": "Keras's mnist_convnet: two conv layers, pooling and dropout; 34,826"
    " parameters.",
    "shipped-cnn": "How the shipped CNN was made: 4 conv layers, batch norm, Dense"
    " 128, augmentation, non-digits.",
}


def preset(name: str) -> Recipe:
    """Return a preset recipe by name (any of :data:`ALL_PRESETS`)."""
    try:
        return ALL_PRESETS[name]()
    except KeyError:
        raise SpecError(
            f"no preset {name!r}; choose one of {', '.join(ALL_PRESETS)}"
        ) from None

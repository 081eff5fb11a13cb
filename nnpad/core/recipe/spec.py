"""What network to build and how to train it: frozen, validated, JSON round-trip.

An :class:`Architecture` says what to build, a :class:`TrainConfig` how to train it,
and a :class:`Recipe` is the two together (what ``nnpad train --spec`` reads).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec_checks import (
    ACTIVATIONS,
    SpecError,
    as_float,
    check_int,
    check_range,
    reject_unknown,
)

__all__ = [
    "ACTIVATIONS",
    "CONV_INPUT_SHAPE",
    "INPUT_SHAPE",
    "LR_SCHEDULES",
    "NUM_CLASSES",
    "Architecture",
    "Augmentation",
    "Recipe",
    "SpecError",
    "TrainConfig",
    "with_changes",
]

LR_SCHEDULES: tuple[str, ...] = ("constant", "cosine")

INPUT_SHAPE = (28, 28)
CONV_INPUT_SHAPE = (*INPUT_SHAPE, 1)  # what a convolutional network's layers get
NUM_CLASSES = 10
MAX_UNITS = 4096
MAX_LAYERS = 8


@dataclass(frozen=True)
class Augmentation:
    """Random distortions applied to training images only (identity at inference).

    ``rotation`` is in degrees, ``shift`` in pixels of the 28x28 image and ``zoom`` a
    fraction (0.1 means +-10%).
    """

    rotation: float = 0.0
    shift: float = 0.0
    zoom: float = 0.0

    @property
    def enabled(self) -> bool:
        """Whether any distortion is applied."""
        return bool(self.rotation or self.shift or self.zoom)

    def validate(self) -> None:
        """Raise SpecError when a value is out of range."""
        check_range("augmentation.rotation", self.rotation, 0.0, 45.0)
        check_range("augmentation.shift", self.shift, 0.0, 6.0)
        check_range("augmentation.zoom", self.zoom, 0.0, 0.5)


@dataclass(frozen=True)
class Architecture:
    """The network: [conv layers ->] Flatten -> Dense blocks -> Dense(10, softmax).

    A hidden block is Dense(units) [-> BatchNormalization] -> activation [-> Dropout];
    ``activation``, ``dropout`` and ``batch_norm`` are the hidden blocks' settings.
    ``conv`` (empty for a feedforward network) lists the layers of a convolutional
    network before its Dense layers, ending with Flatten or GlobalAveragePooling2D
    (see :mod:`nnpad.core.recipe.conv_spec`); a convolutional network may have no hidden
    Dense layer at all. ``l2`` penalises every Dense and Conv2D kernel.
    """

    hidden: tuple[int, ...] = (128, 64)
    activation: str = "relu"
    dropout: float = 0.0
    batch_norm: bool = False
    l2: float = 0.0
    augmentation: Augmentation = field(default_factory=Augmentation)
    conv: tuple[conv_spec.ConvLayer, ...] = ()

    @property
    def convolutional(self) -> bool:
        """Whether the network has conv layers (a CNN), not only Dense ones."""
        return bool(self.conv)

    def validate(self) -> None:
        """Raise SpecError when the spec names something nnpad cannot build."""
        if not isinstance(self.conv, tuple):
            raise SpecError("conv must be a list of layers")
        if self.conv:
            conv_spec.output_shapes(self.conv, CONV_INPUT_SHAPE)
        fewest = 0 if self.conv else 1
        hidden = self.hidden
        if not isinstance(hidden, tuple) or not fewest <= len(hidden) <= MAX_LAYERS:
            raise SpecError(f"hidden must list {fewest} to {MAX_LAYERS} layer sizes")
        for units in self.hidden:
            if isinstance(units, bool) or not isinstance(units, int):
                raise SpecError(f"layer size {units!r} is not a whole number")
            if not 1 <= units <= MAX_UNITS:
                raise SpecError(f"layer size {units} is not between 1 and {MAX_UNITS}")
        if self.activation not in ACTIVATIONS:
            raise SpecError(
                f"activation {self.activation!r} is not one of {', '.join(ACTIVATIONS)}"
            )
        check_range("dropout", self.dropout, 0.0, 0.9)
        check_range("l2", self.l2, 0.0, 1.0)
        if not isinstance(self.batch_norm, bool):
            raise SpecError("batch_norm must be true or false")
        if not hidden:
            self._check_no_hidden_settings()
        self.augmentation.validate()

    def _check_no_hidden_settings(self) -> None:
        """Refuse hidden-layer settings when there is no hidden Dense layer."""
        for name, value, default in (
            ("activation", self.activation, "relu"),
            ("dropout", self.dropout, 0.0),
            ("batch_norm", self.batch_norm, False),
        ):
            if value != default:
                raise SpecError(
                    f"{name} is a setting of the hidden Dense layers and there are"
                    " none: set it on the conv layers instead (a Conv2D's"
                    " activation, a Dropout or BatchNormalization layer)"
                )

    def _dense(self) -> str:
        """The Dense layers' sizes, the output included: ``128-64-10``."""
        return "-".join(str(n) for n in (*self.hidden, NUM_CLASSES))

    def summary(self) -> str:
        """A short name: ``784-128-64-10``, or ``CNN, 4 conv layers → 128-10``."""
        if not self.conv:
            return f"784-{self._dense()}"
        convs = sum(isinstance(layer, conv_spec.Conv2D) for layer in self.conv)
        return f"CNN, {convs} conv layer{'' if convs == 1 else 's'} → {self._dense()}"

    def describe(self) -> str:
        """One line such as ``784-128-64-10 relu, dropout 0.2``.

        A convolutional network reads ``conv 32 3×3 relu, max pool 2, flatten ->
        128-10 relu``.
        """
        if self.conv:
            text = f"{conv_spec.describe(self.conv)} -> {self._dense()}"
        else:
            text = self.summary()
        extras = [self.activation] if self.hidden else []
        if self.dropout:
            extras.append(f"dropout {self.dropout:g}")
        if self.batch_norm:
            extras.append("batch norm")
        if self.l2:
            extras.append(f"L2 {self.l2:g}")
        if self.augmentation.enabled:
            extras.append("augmented")
        return f"{text} {', '.join(extras)}" if extras else text


@dataclass(frozen=True)
class TrainConfig:
    """How to train: Adam, sparse categorical crossentropy, these settings.

    ``train_samples`` trains on only the first that many images of the training part
    (after the validation split, so validation keeps its size); None uses them all.
    ``early_stopping_patience`` stops when the validation loss has not improved for
    that many epochs (0: never). ``restore_best_weights`` ends the run with the
    weights of the epoch with the lowest validation loss, with or without early
    stopping. Both watch the validation loss, so they need a validation split.
    """

    learning_rate: float = 1e-3
    lr_schedule: str = "constant"
    batch_size: int = 32
    epochs: int = 5
    validation_split: float = 0.1
    seed: int = 0
    train_samples: int | None = None
    early_stopping_patience: int = 0
    restore_best_weights: bool = False
    # Outlier exposure (nnpad.core.training.outlier_exposure): this many generated
    # non-digits join the training images, with this weight on their loss; 0 is off.
    outlier_exposure: float = 0.0
    outliers: int = 0

    def validate(self) -> None:
        """Raise SpecError when a setting is out of range."""
        check_range("learning_rate", self.learning_rate, 1e-6, 1.0)
        if self.lr_schedule not in LR_SCHEDULES:
            raise SpecError(
                f"lr_schedule {self.lr_schedule!r} is not one of"
                f" {', '.join(LR_SCHEDULES)}"
            )
        check_int("batch_size", self.batch_size, 1, 65536)
        check_int("epochs", self.epochs, 1, 1000)
        check_range("validation_split", self.validation_split, 0.0, 0.5)
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_range("outlier_exposure", self.outlier_exposure, 0.0, 10.0)
        check_int("outliers", self.outliers, 0, 1_000_000)
        if self.train_samples is not None:
            check_int("train_samples", self.train_samples, 1, 10**8)
        check_int("early_stopping_patience", self.early_stopping_patience, 0, 1000)
        if not isinstance(self.restore_best_weights, bool):
            raise SpecError("restore_best_weights must be true or false")
        if not self.validation_split and (
            self.early_stopping_patience or self.restore_best_weights
        ):
            raise SpecError(
                "early stopping and restoring the best weights watch the validation"
                " loss: set a validation split above 0"
            )


@dataclass(frozen=True)
class Recipe:
    """An architecture with its training settings: what ``nnpad train --spec`` reads."""

    architecture: Architecture = field(default_factory=Architecture)
    train: TrainConfig = field(default_factory=TrainConfig)

    def validate(self) -> Recipe:
        """Validate both parts and return self, so it chains."""
        self.architecture.validate()
        self.train.validate()
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON-able data."""
        data = asdict(self)
        model = data["architecture"]
        model["hidden"] = list(self.architecture.hidden)
        # Left out when empty, so feedforward specs read as they did before CNNs.
        del model["conv"]
        if self.architecture.conv:
            model["conv"] = [
                conv_spec.to_dict(layer) for layer in self.architecture.conv
            ]
        return data

    def to_json(self) -> str:
        """Return indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> Recipe:
        """Build and validate a recipe; unknown or mistyped keys raise SpecError."""
        if not isinstance(data, dict):
            raise SpecError("a spec must be a JSON object")
        if "model" in data and "architecture" not in data:
            data = {**data, "architecture": data["model"]}  # before nnpad 0.2
            del data["model"]
        reject_unknown(data, {"architecture", "train"}, "spec")
        model_data = dict(_section(data, "architecture"))
        reject_unknown(
            model_data, {f.name for f in fields(Architecture)}, "architecture"
        )
        if "hidden" in model_data:
            hidden = model_data["hidden"]
            if not isinstance(hidden, list | tuple):
                raise SpecError("architecture.hidden must be a list of layer sizes")
            model_data["hidden"] = tuple(hidden)
        if "conv" in model_data:
            layers = model_data["conv"]
            if not isinstance(layers, list | tuple):
                raise SpecError("architecture.conv must be a list of layers")
            model_data["conv"] = tuple(
                conv_spec.from_dict(layer, index) for index, layer in enumerate(layers)
            )
        if "augmentation" in model_data:
            aug = _section(model_data, "augmentation")
            reject_unknown(aug, {f.name for f in fields(Augmentation)}, "augmentation")
            model_data["augmentation"] = Augmentation(**_floats(aug))
        train_data = _section(data, "train")
        reject_unknown(train_data, {f.name for f in fields(TrainConfig)}, "train")
        recipe = cls(
            Architecture(**_floats(model_data)), TrainConfig(**_floats(train_data))
        )
        return recipe.validate()

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """Parse JSON text (see :meth:`from_dict`)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"the spec is not valid JSON: {exc}") from None
        return cls.from_dict(data)


def with_changes(recipe: Recipe, **changes: Any) -> Recipe:
    """Return a validated copy with architecture or train fields replaced by name."""
    model_names = {f.name for f in fields(Architecture)}
    train_names = {f.name for f in fields(TrainConfig)}
    model_changes = {k: v for k, v in changes.items() if k in model_names}
    train_changes = {k: v for k, v in changes.items() if k in train_names}
    unknown = set(changes) - model_names - train_names
    if unknown:
        raise SpecError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Recipe(
        replace(recipe.architecture, **model_changes),
        replace(recipe.train, **train_changes),
    ).validate()


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"{key} must be a JSON object")
    return value


_FLOAT_FIELDS = {
    "rotation",
    "shift",
    "zoom",
    "dropout",
    "l2",
    "learning_rate",
    "validation_split",
    "outlier_exposure",
}


def _floats(data: dict[str, Any]) -> dict[str, Any]:
    """Take whole numbers as floats where a float is expected (JSON writes 1.0 as 1).

    Anything else is left for validation to judge.
    """
    return {
        key: as_float(value) if key in _FLOAT_FIELDS else value
        for key, value in data.items()
    }

"""The one way to load a model, the one way to save one, and where models live.

:func:`load` reads any ``.keras`` file safely (see :mod:`.archive`), without
TensorFlow. :func:`save` writes a training's model atomically with nnpad's metadata
(it needs Keras, which a training has loaded anyway). :func:`trained_model` gives the
same model in memory, so the window can use it at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnpad import __version__, resources
from nnpad.core.model.archive import ModelFileError, read
from nnpad.core.model.trained import TrainedModel

if TYPE_CHECKING:
    from nnpad.core.progress import TrainResult

FORMAT = 1

#: The shipped networks by the names a person gives them (``--model cnn``); the
#: feedforward one is the default reader.
SHIPPED: dict[str, str] = {"fnn": resources.DEFAULT_MODEL, "cnn": resources.CNN_MODEL}
SHIPPED_TITLES: dict[str, str] = {"fnn": "FNN", "cnn": "CNN"}


def shipped_path(name: str) -> Path:
    """The file of the shipped network ``name`` (``fnn`` or ``cnn``) in ``assets/``."""
    return resources.asset(SHIPPED[name])


def default_model_path() -> Path:
    """The model shipped in ``assets/``: the feedforward network."""
    return shipped_path("fnn")


def shipped_name(path: str | Path) -> str | None:
    """``cnn`` or ``fnn`` when ``path`` names a shipped network, else None.

    A file of that name in the current folder wins over the shipped network.
    """
    name = str(path).strip().lower()
    if name in SHIPPED and not Path(path).exists():
        return name
    return None


def resolve(path: str | Path | None) -> Path:
    """The file ``path`` names: a shipped network, a file, or the default."""
    if path is None:
        return default_model_path()
    name = shipped_name(path)
    return Path(path) if name is None else shipped_path(name)


def models_dir() -> Path:
    """Folder where models the person keeps are stored."""
    return resources.user_data_dir() / "models"


def load(path: str | Path | None = None) -> TrainedModel:
    """Read ``path`` (default: the shipped FNN; ``cnn``: the shipped CNN).

    Raises
    ------
    ModelFileError
        When the file cannot be used; a shipped network that is missing says so.
    """
    if path is None:
        return load_shipped("fnn")
    name = shipped_name(path)
    return read(path) if name is None else load_shipped(name)


def load_shipped(name: str) -> TrainedModel:
    """Read the shipped network ``name`` (``fnn`` or ``cnn``); raise ModelFileError."""
    file = shipped_path(name)
    if not file.is_file():
        raise ModelFileError(
            f"the shipped {SHIPPED_TITLES[name]} is not installed ({file} is missing)"
        )
    return read(file)


def load_preferred(path: str | Path | None) -> tuple[TrainedModel, Path, str | None]:
    """Load ``path`` if it is a usable model, else the shipped default.

    Returns the model, the file it came from, and a warning for the person when
    ``path`` could not be used (the shipped model is used instead).
    """
    if path:
        try:
            return load(path), resolve(path), None
        except ModelFileError as exc:
            warning = f"Could not load your model ({exc}); using the shipped model."
            return load(), default_model_path(), warning
    return load(), default_model_path(), None


def metadata(
    result: TrainResult,
    trained_on: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What nnpad records beside a training's weights (plain JSON, never code)."""
    calibration = {} if result.thresholds is None else result.thresholds.to_metadata()
    return {
        "format": FORMAT,
        "nnpad_version": __version__,
        "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "recipe": result.recipe.to_dict(),
        "val_accuracy": result.val_accuracy,
        "trained_on": trained_on,
        "train_seconds": round(result.seconds, 1),
        **calibration,
        **(extra or {}),
    }


def trained_model(
    result: TrainResult,
    trained_on: str | None = None,
    extra: dict[str, Any] | None = None,
) -> TrainedModel:
    """A training's model in memory, with the metadata :func:`save` would write."""
    if result.network is None:
        raise ModelFileError("this training produced no usable model")
    return TrainedModel(
        result.recipe, result.network, metadata(result, trained_on, extra)
    )


def save(
    result: TrainResult,
    path: str | Path,
    trained_on: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save a training's model with its recipe and metadata, atomically.

    Imports Keras: call it only once training has loaded TensorFlow anyway.
    """
    from nnpad.core.model import keras_bridge

    if result.keras_model is None:
        raise ModelFileError("this training produced no usable model")
    return keras_bridge.write(
        result.keras_model, result.recipe, path, metadata(result, trained_on, extra)
    )


def keep(result: TrainResult, trained_on: str | None = None) -> Path:
    """Save a training's model under :func:`models_dir` and return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = models_dir() / f"trained-{stamp}.keras"
    count = 1
    while path.exists():  # two in the same second
        count += 1
        path = models_dir() / f"trained-{stamp}-{count}.keras"
    return save(result, path, trained_on)

"""Which model the window uses: the person's last choice, else the shipped one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from nnpad import resources
from nnpad.core.inference import default_model_path
from nnpad.core.model_file import LoadedModel, ModelFileError, read_model

if TYPE_CHECKING:
    from nnpad.core.progress import TrainResult


def models_dir() -> Path:
    """Folder where models the person keeps are stored."""
    return resources.user_data_dir() / "models"


def load_preferred(path: str | Path | None) -> tuple[LoadedModel, Path, str | None]:
    """Load ``path`` if it is a usable model, else the shipped default.

    Returns the model, the file it came from, and a warning for the person when
    ``path`` could not be used (the shipped model is used instead).
    """
    if path:
        try:
            return read_model(path), Path(path), None
        except ModelFileError as exc:
            warning = f"Could not load your model ({exc}); using the shipped model."
            return read_model(default_model_path()), default_model_path(), warning
    return read_model(default_model_path()), default_model_path(), None


def save_trained(
    result: TrainResult, path: str | Path, trained_on: str | None = None
) -> Path:
    """Save a training's model with its recipe and validation accuracy (atomic).

    Imports Keras: call it only once training has loaded TensorFlow anyway.
    """
    from nnpad.core import keras_model

    if result.model is None:
        raise ModelFileError("this training produced no usable model")
    return keras_model.save(
        result.model,
        result.recipe,
        path,
        val_accuracy=result.val_accuracy,
        trained_on=trained_on,
    )


def keep_trained(result: TrainResult, trained_on: str | None = None) -> Path:
    """Save a training's model under :func:`models_dir` and return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return save_trained(result, models_dir() / f"trained-{stamp}.keras", trained_on)

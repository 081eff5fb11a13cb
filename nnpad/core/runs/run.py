"""One training run as the run table and the charts see it: a frozen record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from nnpad.core.recipe.presets import ALL_PRESETS
from nnpad.core.runs.curves import BatchPoint, best_epoch
from nnpad.core.runs.diagnosis import Diagnosis, RunStatus, diagnose

if TYPE_CHECKING:
    from nnpad.core.progress import EpochResult
    from nnpad.core.recipe.spec import Recipe

STATUSES: tuple[RunStatus, ...] = ("running", "finished", "stopped", "nan")


@dataclass(frozen=True)
class Run:
    """One training run, as the run table and the charts see it.

    Attributes
    ----------
    id
        Unique, stable across sessions (it names the saved file).
    name
        What the person calls it.
    recipe
        What was trained.
    epochs
        The complete epochs, in order.
    batches
        Running training loss and accuracy, thinned to at most MAX_BATCH_POINTS.
    seconds
        Training time so far.
    status
        ``"running"``, then how it ended: ``"finished"``, ``"stopped"`` or ``"nan"``.
    diagnosis
        What the curves show (updated with every change).
    created
        When the run started, ISO 8601 in UTC.
    model_path
        Where its model was saved, if it was.
    source
        The data it trained on, for people.
    message
        How it ended, in words (early stopping, a NaN...), or "".
    restored_epoch
        The epoch whose weights the model kept (restore best weights), or None.
    val_accuracy
        Once it ended, the validation accuracy of the model it made, as the run
        reported it (:attr:`~nnpad.core.progress.TrainResult.val_accuracy`: what
        the window offers and the model file keeps); None before.
    kept
        Whether the person chose to keep it beyond this session.
    """

    id: str
    name: str
    recipe: Recipe
    epochs: tuple[EpochResult, ...] = ()
    batches: tuple[BatchPoint, ...] = ()
    seconds: float = 0.0
    status: RunStatus = "running"
    diagnosis: Diagnosis = field(default_factory=lambda: diagnose(()))
    created: str = ""
    model_path: str | None = None
    source: str = ""
    message: str = ""
    restored_epoch: int | None = None
    val_accuracy: float | None = None
    kept: bool = False

    @property
    def planned_epochs(self) -> int:
        """How many epochs the recipe asks for."""
        return self.recipe.train.epochs

    @property
    def best_epoch(self) -> int | None:
        """The epoch with the lowest validation loss (what early stopping keeps)."""
        return best_epoch(self.epochs)

    @property
    def best_val_accuracy(self) -> float | None:
        """The highest validation accuracy of any epoch, if there was validation."""
        values = [e.val_accuracy for e in self.epochs if e.val_accuracy is not None]
        return max(values) if values else None

    @property
    def best_val_accuracy_epoch(self) -> int | None:
        """The (first) epoch with the highest validation accuracy."""
        best = self.best_val_accuracy
        for result in self.epochs:
            if best is not None and result.val_accuracy == best:
                return result.epoch
        return None

    @property
    def summary(self) -> str:
        """The recipe in one line for the run table."""
        return describe_recipe(self.recipe)


def describe_recipe(recipe: Recipe) -> str:
    """``784-512-256-10 relu, 300 images, 20 epochs, lr 0.001, batch 16``."""
    train = recipe.train
    parts = [recipe.architecture.describe()]
    if train.train_samples is not None:
        parts.append(f"{train.train_samples} images")
    parts.append(f"{train.epochs} epochs")
    parts.append(
        f"lr {train.learning_rate:g}" + (" cosine" * (train.lr_schedule == "cosine"))
    )
    parts.append(f"batch {train.batch_size}")
    if train.early_stopping_patience:
        parts.append(f"early stop {train.early_stopping_patience}")
    if train.restore_best_weights:
        parts.append("best weights")
    return ", ".join(parts)


def preset_name(recipe: Recipe) -> str | None:
    """The name of the preset ``recipe`` equals, if any."""
    for name, make in ALL_PRESETS.items():
        if make() == recipe:
            return name
    return None


def rediagnosed(run: Run) -> Run:
    """Return ``run`` with the diagnosis of its current curves."""
    diagnosis = diagnose(
        run.epochs, run.batches, planned_epochs=run.planned_epochs, status=run.status
    )
    return replace(run, diagnosis=diagnosis)


def clean_name(name: str) -> str:
    """Collapse white space; ValueError for a name with nothing in it."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ValueError("a run needs a name")
    return cleaned

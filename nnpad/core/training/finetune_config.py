"""How to fine-tune, as plain settings: no NumPy arrays, no Keras.

Kept apart from :mod:`.finetune` and :mod:`.finetune_loop` so that both, and the
window, read the same settings without importing each other (or TensorFlow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from nnpad.core.recipe.spec import Augmentation, Recipe


@dataclass(frozen=True)
class FinetuneConfig:
    """How to fine-tune; the defaults were chosen by measurement (see the README)."""

    learning_rate: float = 3e-4
    max_epochs: int = 15
    patience: int = 4  # epochs without a better criterion before stopping
    min_steps_per_epoch: int = 10  # an epoch passes over my samples at least once
    mine_per_batch: int = 16
    replay_per_batch: int = 48
    l2sp: float = 0.1
    augmentation: Augmentation = field(
        default_factory=lambda: Augmentation(rotation=8.0, shift=2.0, zoom=0.1)
    )
    holdout: float = 0.25
    min_for_holdout: int = 3
    guard_images: int = 1000  # MNIST images of the stopping criterion, not replayed
    guard_weight: float = 1.0  # their loss's weight in it (0: my held-out part only)
    seed: int = 0

    def validate(self) -> FinetuneConfig:
        """Raise ValueError when a setting is out of range; return self."""
        if not 0 < self.learning_rate <= 0.1:
            raise ValueError("learning_rate must be in (0, 0.1]")
        if self.max_epochs < 1 or self.patience < 1 or self.min_steps_per_epoch < 1:
            raise ValueError(
                "max_epochs, patience and min_steps_per_epoch must be >= 1"
            )
        if self.mine_per_batch < 1 or self.replay_per_batch < 0:
            raise ValueError("mine_per_batch must be >= 1, replay_per_batch >= 0")
        if not (self.l2sp >= 0 and math.isfinite(self.l2sp)):
            raise ValueError("l2sp must be finite and >= 0")
        if not (self.guard_weight >= 0 and math.isfinite(self.guard_weight)):
            raise ValueError("guard_weight must be finite and >= 0")
        if not 0 <= self.holdout < 1:
            raise ValueError("holdout must be in [0, 1)")
        self.augmentation.validate()
        return self


def with_config(config: FinetuneConfig, **changes: Any) -> FinetuneConfig:
    """A validated copy with some settings replaced."""
    return replace(config, **changes).validate()


def finetune_recipe(start: Recipe, config: FinetuneConfig) -> Recipe:
    """The recipe a fine-tuning of ``start`` runs, as the runs table shows it.

    The starting model's architecture with the fine-tuning's augmentation, and its
    training settings replaced by the fine-tuning's: ``config.max_epochs`` epochs (the
    figure the progress bar counts too), its learning rate, batches of my samples and
    replayed images, the share of my samples held out, and early stopping that keeps
    the best weights.
    """
    train = replace(
        start.train,
        learning_rate=config.learning_rate,
        lr_schedule="constant",
        batch_size=config.mine_per_batch + config.replay_per_batch,
        epochs=config.max_epochs,
        validation_split=config.holdout,
        seed=config.seed,
        train_samples=None,
        early_stopping_patience=config.patience,
        restore_best_weights=True,
        outlier_exposure=0.0,
        outliers=0,
    )
    architecture = replace(start.architecture, augmentation=config.augmentation)
    return Recipe(architecture, train)

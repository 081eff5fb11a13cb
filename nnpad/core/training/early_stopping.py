"""Early stopping and best-weights restoring, with Keras' own ``EarlyStopping``.

Imported by the trainer only (it imports Keras). The callback watches the validation
loss like Keras' does; it ignores an epoch that a Stop or a NaN cut short (its
figures are partial), and restores the best weights after the trainer has tidied up
a stopped run, so that one place decides which weights a run ends with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnpad.core import tf_env

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.progress import TrainResult
    from nnpad.core.recipe.spec import TrainConfig

keras = tf_env.keras()
EarlyStopping: Any = keras.callbacks.EarlyStopping  # Keras ships no types


class BestEpochCallback(EarlyStopping):
    """Keras' ``EarlyStopping`` on ``val_loss``, blind to epochs cut short.

    Parameters
    ----------
    train
        ``early_stopping_patience`` (0: never stop early, only watch) and
        ``restore_best_weights`` come from here.
    epoch_complete
        Called at each epoch's end, after the trainer's own callback: False when the
        epoch was cut short by a Stop or a NaN.
    """

    def __init__(self, train: TrainConfig, epoch_complete: Callable[[], bool]) -> None:
        # Keras stops once `wait >= patience`, and `wait` never reaches `epochs`.
        super().__init__(
            monitor="val_loss",
            patience=train.early_stopping_patience or train.epochs,
            restore_best_weights=train.restore_best_weights,
        )
        self.epoch_complete = epoch_complete

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        """Let Keras judge the epoch, unless a Stop or a NaN cut it short."""
        if self.epoch_complete():
            super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs: Any = None) -> None:
        """Restoring waits for :meth:`finish`, after the trainer's clean-up."""

    def finish(self, model: Any, result: TrainResult) -> None:
        """Give ``model`` the best weights if asked, and say so in ``result``."""
        notes = []
        if self.stopped_epoch:
            notes.append(
                f"stopped early after epoch {self.stopped_epoch + 1}: the validation"
                f" loss had not improved for {self.patience} epochs"
            )
        if (
            self.restore_best_weights
            and self.best_weights is not None
            and result.keras_model is not None
        ):
            model.set_weights(self.best_weights)
            result.restored_epoch = self.best_epoch
            notes.append(
                f"kept the weights of epoch {self.best_epoch + 1}, the lowest"
                " validation loss"
            )
        if notes:
            result.message = "; ".join(filter(None, [result.message, *notes]))


def make_callback(
    train: TrainConfig, epoch_complete: Callable[[], bool]
) -> BestEpochCallback | None:
    """Return the callback when early stopping or restoring is asked for, else None."""
    if not (train.early_stopping_patience or train.restore_best_weights):
        return None
    return BestEpochCallback(train, epoch_complete)

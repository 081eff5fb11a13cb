"""What a run's curves are made of: batch points, the best epoch, thinning.

Plain values, free of Qt and Keras, shared by the diagnosis, the run history and the
charts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.progress import BatchProgress, EpochResult


@dataclass(frozen=True)
class BatchPoint:
    """A running training loss and accuracy within an epoch.

    ``x`` counts epochs: 1.5 is halfway through the second epoch, so batch points
    and epoch results (drawn at ``epoch + 1``) share one axis.
    """

    x: float
    loss: float
    accuracy: float

    @classmethod
    def from_progress(cls, progress: BatchProgress) -> BatchPoint:
        """The point a batch report stands for."""
        x = progress.epoch + progress.batch / max(1, progress.batches_per_epoch)
        return cls(x, progress.loss, progress.accuracy)


def best_epoch(epochs: Sequence[EpochResult]) -> int | None:
    """The epoch with the lowest validation loss (the first of equals), if any.

    This is the epoch early stopping keeps; epochs without a finite validation loss
    are skipped.
    """
    best: tuple[float, int] | None = None
    for result in epochs:
        loss = result.val_loss
        if (
            loss is not None
            and math.isfinite(loss)
            and (best is None or loss < best[0])
        ):
            best = (loss, result.epoch)
    return None if best is None else best[1]


def thinned(points: list[BatchPoint], limit: int) -> list[BatchPoint]:
    """Keep every other point (always the first and last) once over ``limit``.

    Called after each append, it keeps about ``limit / 2`` to ``limit`` points,
    spread over the whole run, however long the run.
    """
    if len(points) <= limit:
        return points
    kept = points[::2]
    return kept if len(points) % 2 else [*kept, points[-1]]

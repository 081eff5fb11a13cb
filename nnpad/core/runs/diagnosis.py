"""Say in words what a run's curves show, from rules simple enough to explain.

:func:`diagnose` reads the epoch results so far (and, if given, the running batch
losses) and returns one :class:`Diagnosis`. The rules are tried in the order of
:data:`RULES`; the first that sees its problem wins, and a run that none of them
objects to is healthy. Each rule is a small function whose docstring names what it
looks for and says in one sentence how; its thresholds are the named constants
below. They are set for nnpad's ten-digit task, where a network that guesses has a
loss of ln 10, and held to curves recorded from real runs (``tests/core/curves``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from nnpad.core.progress import EpochResult
    from nnpad.core.runs.curves import BatchPoint

Kind = Literal[
    "overfitting",
    "underfitting",
    "lr_too_high",
    "lr_too_low",
    "diverged",
    "healthy",
    "too_early",
]
RunStatus = Literal["running", "finished", "stopped", "nan"]

#: The loss of a network that gives each of the ten digits 10%: where training starts.
CHANCE_LOSS = math.log(10)
#: Fewer complete epochs than this give no verdict (except NaN and a blown-up start).
MIN_EPOCHS = 3
#: A running loss above this is far worse than guessing: the first steps overshot.
OVERSHOOT_LOSS = 2 * CHANCE_LOSS
#: An epoch whose training loss rose by more than this share is a jump ...
JUMP_RISE = 0.05
#: ... if the loss was still above this (lower down, dropout alone makes it wobble).
JUMP_FLOOR = 1.0
#: Overfitting: the validation loss stayed this share above its lowest ...
OVERFIT_RISE = 0.05
#: ... in each of this many latest epochs.
OVERFIT_EPOCHS = 3
#: Too low a learning rate: the training loss is still above this ...
SLOW_LOSS = 1.0
#: ... the last epoch lowered it by less than this share of itself ...
SLOW_DROP = 0.10
#: ... and by at least this share of the average drop per epoch so far.
STEADY_DROP = 0.8
#: Underfitting: the better of training and validation accuracy is below this ...
LOW_ACCURACY = 0.8
#: ... and gained less than this per epoch (in accuracy, 0.02 = 2 points) ...
FLAT_GAIN = 0.02
#: ... while the training loss fell by less than this share per epoch ...
FLAT_LOSS_DROP = 0.05
#: ... over this many latest epochs.
FLAT_EPOCHS = 3


@dataclass(frozen=True)
class Diagnosis:
    """What the curves show.

    Attributes
    ----------
    kind
        The verdict, for code (colours, icons, tests).
    message
        The verdict for people, one line.
    epoch
        The 0-based epoch the verdict points at: where overfitting began (the
        lowest validation loss), where the loss first jumped, the epoch that
        diverged, else the latest epoch; None before any epoch.
    """

    kind: Kind
    message: str
    epoch: int | None = None

    @property
    def is_problem(self) -> bool:
        """Whether the curves show something to fix."""
        return self.kind not in ("healthy", "too_early")


@dataclass(frozen=True)
class Curves:
    """The evidence every rule reads."""

    epochs: Sequence[EpochResult]
    batches: Sequence[BatchPoint]
    planned_epochs: int | None
    status: RunStatus

    @property
    def last(self) -> int | None:
        """The latest epoch, if any."""
        return self.epochs[-1].epoch if self.epochs else None


def diagnose(
    epochs: Sequence[EpochResult],
    batches: Sequence[BatchPoint] = (),
    *,
    planned_epochs: int | None = None,
    status: RunStatus = "running",
) -> Diagnosis:
    """Say what the curves show so far; call it again after each epoch.

    Parameters
    ----------
    epochs
        The complete epochs so far, in order.
    batches
        Running training losses within epochs (optional; thinned is fine).
    planned_epochs
        How many epochs the run was set to train, for the "too early" line.
    status
        ``"running"``, or how the run ended.
    """
    curves = Curves(epochs, batches, planned_epochs, status)
    for rule in RULES:
        found = rule(curves)
        if found is not None:
            return found
    return healthy(curves)


# -- the rules, in the order they are tried -------------------------------------------


def diverged(curves: Curves) -> Diagnosis | None:
    """Diverged: the run ended on a NaN, or a loss is not a finite number."""
    losses = [e.loss for e in curves.epochs] + [b.loss for b in curves.batches]
    if curves.status == "nan" or not all(math.isfinite(v) for v in losses):
        return Diagnosis("diverged", "diverged (NaN)", len(curves.epochs))
    return None


def learning_rate_too_high(curves: Curves) -> Diagnosis | None:
    """Too high a learning rate: the loss blew up or jumped.

    A running loss went above twice a guessing network's, or the training loss rose
    by over 5% from one epoch to the next while still above 1.0.
    """
    message = (
        "loss is jumping or rising from the start: the learning rate may be too high"
    )
    for point in curves.batches:
        if point.loss > OVERSHOOT_LOSS:
            return Diagnosis("lr_too_high", message, int(point.x))
    for before, after in zip(curves.epochs, curves.epochs[1:], strict=False):
        if before.loss > JUMP_FLOOR and after.loss > before.loss * (1 + JUMP_RISE):
            return Diagnosis("lr_too_high", message, after.epoch)
    if curves.epochs and curves.epochs[0].loss > OVERSHOOT_LOSS:
        return Diagnosis("lr_too_high", message, curves.epochs[0].epoch)
    return None


def too_early(curves: Curves) -> Diagnosis | None:
    """Too early: fewer than 3 complete epochs."""
    done = len(curves.epochs)
    if done >= MIN_EPOCHS:
        return None
    if curves.status == "running":
        planned = f" of {curves.planned_epochs}" if curves.planned_epochs else ""
        message = (
            f"too early to say: epoch {done}{planned}; the curves need {MIN_EPOCHS}"
        )
    else:
        message = (
            f"too few epochs to say what the curves show (fewer than {MIN_EPOCHS})"
        )
    return Diagnosis("too_early", message, curves.last)


def overfitting(curves: Curves) -> Diagnosis | None:
    """Overfitting: the validation loss rose and stayed up while training improved.

    The validation loss was over 5% above its lowest in each of the last 3 epochs,
    while the training loss fell over those epochs.
    """
    epochs = [e for e in curves.epochs if _finite(e.val_loss)]
    if len(epochs) <= OVERFIT_EPOCHS:
        return None
    best = min(epochs, key=lambda e: e.val_loss)  # type: ignore[arg-type,return-value]
    limit = best.val_loss * (1 + OVERFIT_RISE)  # type: ignore[operator]
    latest = epochs[-OVERFIT_EPOCHS:]
    if not all(e.val_loss > limit for e in latest):  # type: ignore[operator]
        return None
    if not epochs[-1].loss < epochs[-1 - OVERFIT_EPOCHS].loss:
        return None
    risen = epochs[-1].epoch - best.epoch
    return Diagnosis(
        "overfitting",
        f"validation loss has risen for {risen} epochs while training loss falls:"
        " overfitting; try dropout, L2, fewer epochs or more data",
        best.epoch,
    )


def learning_rate_too_low(curves: Curves) -> Diagnosis | None:
    """Too low a learning rate: the loss falls in small, steady steps.

    The training loss is still above 1.0 and the last epoch lowered it by under 10%
    of itself, yet by no less than 80% of the average step so far (a curve that
    levels off instead is not this).
    """
    epochs = curves.epochs
    first, before, last = epochs[0].loss, epochs[-2].loss, epochs[-1].loss
    step = before - last
    average = (first - last) / (len(epochs) - 1)
    if (
        last > SLOW_LOSS
        and 0 < step < SLOW_DROP * last
        and step >= STEADY_DROP * average
    ):
        return Diagnosis(
            "lr_too_low",
            "loss is barely moving: the learning rate may be too low",
            curves.last,
        )
    return None


def underfitting(curves: Curves) -> Diagnosis | None:
    """Underfitting: the accuracy is low and flat.

    The better of training and validation accuracy (dropout lowers the training
    figure) is below 80%, and over the last 3 epochs it gained under 2 points and
    the training loss fell by under 5% per epoch.
    """
    epochs = curves.epochs
    span = min(FLAT_EPOCHS, len(epochs) - 1)
    accuracy = _better_accuracy(epochs[-1])
    gain = (accuracy - _better_accuracy(epochs[-1 - span])) / span
    then, now = epochs[-1 - span].loss, epochs[-1].loss
    drop = 1 - (now / then) ** (1 / span) if then > 0 else 0.0
    if accuracy < LOW_ACCURACY and gain < FLAT_GAIN and drop < FLAT_LOSS_DROP:
        return Diagnosis(
            "underfitting",
            "training accuracy is low and flat: underfitting; try more units or epochs",
            curves.last,
        )
    return None


def healthy(curves: Curves) -> Diagnosis:
    """Healthy: none of the rules above sees a problem."""
    if curves.status == "running":
        return Diagnosis("healthy", "no problem seen in the curves so far", curves.last)
    return Diagnosis("healthy", "no problem seen in the curves", curves.last)


RULES: tuple[Callable[[Curves], Diagnosis | None], ...] = (
    diverged,
    learning_rate_too_high,
    too_early,
    overfitting,
    learning_rate_too_low,
    underfitting,
)


def _better_accuracy(result: EpochResult) -> float:
    if result.val_accuracy is None or not math.isfinite(result.val_accuracy):
        return result.accuracy
    return max(result.accuracy, result.val_accuracy)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)

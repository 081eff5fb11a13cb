"""Each problem preset shows its problem on the shipped sample, and is named for it.

Real Keras runs of the presets as the window trains them (their own settings, the
shipped sample), a few seconds each; the diagnosis is what the window's line says.
"""

from __future__ import annotations

import time

import pytest

from nnpad.core.data import load_sample
from nnpad.core.progress import TrainResult
from nnpad.core.recipe import presets
from nnpad.core.runs.curves import BatchPoint, thinned
from nnpad.core.runs.diagnosis import Diagnosis, diagnose

pytestmark = pytest.mark.slow

PROBLEMS = {
    "overfit": "overfitting",
    "underfit": "underfitting",
    "lr-high": "lr_too_high",
    "lr-low": "lr_too_low",
}
REMEDIES = ("overfit-dropout", "overfit-l2")


class Points:
    """A listener keeping the running losses, thinned as the run history does."""

    def __init__(self) -> None:
        self.points: list[BatchPoint] = []

    def started(self, info) -> None: ...

    def batch(self, progress) -> None:
        self.points = thinned([*self.points, BatchPoint.from_progress(progress)], 1000)

    def epoch(self, result) -> None: ...

    def snapshot(self, network) -> None: ...


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[TrainResult, Diagnosis]]:
    """Train every problem preset once; keep its result and its diagnosis."""
    from nnpad.core.training.trainer import Trainer

    data = load_sample()
    done = {}
    for name in (*PROBLEMS, *REMEDIES):
        listener = Points()
        started = time.perf_counter()
        result = Trainer(presets.preset(name), data).run(listener)
        seconds = time.perf_counter() - started
        found = diagnose(
            result.epochs,
            listener.points,
            planned_epochs=result.recipe.train.epochs,
            status=result.status,
        )
        print(f"{name}: {seconds:.1f} s, {found.kind}: {found.message}")
        done[name] = (result, found)
    return done


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_each_problem_preset_is_named_for_its_problem(runs, name: str) -> None:
    result, found = runs[name]
    assert result.status == "finished"
    assert found.kind == PROBLEMS[name], found.message


def test_the_overfit_preset_learns_its_images_but_not_the_others(runs) -> None:
    last = runs["overfit"][0].epochs[-1]
    assert last.accuracy > 0.99
    assert last.val_accuracy is not None and last.val_accuracy < 0.9
    assert last.val_loss is not None and last.val_loss > 50 * last.loss


@pytest.mark.parametrize("name", REMEDIES)
def test_the_remedies_are_not_overfitting(runs, name: str) -> None:
    result, found = runs[name]
    assert found.kind == "healthy", found.message
    for n in range(1, len(result.epochs) + 1):
        assert diagnose(result.epochs[:n]).kind != "overfitting", n


def test_dropout_ends_with_a_lower_validation_loss_than_overfitting(runs) -> None:
    overfit = runs["overfit"][0].epochs
    dropout = runs["overfit-dropout"][0].epochs
    assert dropout[-1].val_loss < 0.9 * overfit[-1].val_loss
    assert dropout[-1].val_accuracy >= overfit[-1].val_accuracy - 0.01


def test_with_l2_the_validation_loss_keeps_falling(runs) -> None:
    result = runs["overfit-l2"][0]
    assert result.best_epoch is not None
    assert result.best_epoch >= len(result.epochs) - 2
    assert result.epochs[-1].val_accuracy >= runs["overfit"][0].val_accuracy - 0.02

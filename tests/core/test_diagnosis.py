"""The diagnosis rules, on curves recorded from real runs and on hand-made edge cases.

The recorded curves in ``tests/core/curves`` were written by
``tests/benchmarks/record_curves.py`` (real Keras runs on the shipped sample); what
each should show is stated here by a person who looked at the curves, not copied
from the rules.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nnpad.core.progress import EpochResult
from nnpad.core.runs import diagnosis
from nnpad.core.runs.curves import BatchPoint
from nnpad.core.runs.diagnosis import diagnose

CURVES = Path(__file__).parent / "curves"


def load_curves(name: str) -> dict:
    record = json.loads((CURVES / f"{name}.json").read_text())
    record["epochs"] = [EpochResult(**e) for e in record["epochs"]]
    record["batches"] = [BatchPoint(*b) for b in record["batches"]]
    return record


def verdicts(record: dict) -> list[str]:
    """The diagnosis after each epoch, as the window would have shown it."""
    epochs, batches = record["epochs"], record["batches"]
    planned = record["recipe"]["train"]["epochs"]
    kinds = []
    for n in range(1, len(epochs) + 1):
        status = record["status"] if n == len(epochs) else "running"
        seen = [b for b in batches if b.x <= n]
        kinds.append(
            diagnose(epochs[:n], seen, planned_epochs=planned, status=status).kind
        )
    return kinds


def epochs_from(
    losses: list[float],
    val_losses: list[float | None] | None = None,
    accuracies: list[float] | None = None,
) -> list[EpochResult]:
    val_losses = val_losses or [None] * len(losses)
    accuracies = accuracies or [min(0.99, 1.0 - loss / 3) for loss in losses]
    return [
        EpochResult(
            i,
            loss,
            accuracy,
            val,
            None if val is None else max(0.0, 1.0 - val / 3),
        )
        for i, (loss, val, accuracy) in enumerate(
            zip(losses, val_losses, accuracies, strict=True)
        )
    ]


# -- recorded curves ------------------------------------------------------------------

EXPECTED = {
    "overfit": "overfitting",
    "overfit-dropout": "healthy",
    "overfit-l2": "healthy",
    "underfit": "underfitting",
    "lr-high": "lr_too_high",
    "lr-low": "lr_too_low",
    "classic": "healthy",
    "regularized": "healthy",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_run_is_named_for_what_its_curves_show(name: str) -> None:
    record = load_curves(name)
    found = diagnose(
        record["epochs"],
        record["batches"],
        planned_epochs=record["recipe"]["train"]["epochs"],
        status=record["status"],
    )
    assert found.kind == EXPECTED[name], found.message


def test_every_recorded_curve_has_an_expectation() -> None:
    assert {path.stem for path in CURVES.glob("*.json")} == set(EXPECTED)


def test_overfitting_is_dated_from_the_lowest_validation_loss() -> None:
    record = load_curves("overfit")
    found = diagnose(record["epochs"], status="finished")
    lowest = min(record["epochs"], key=lambda e: e.val_loss)
    assert found.epoch == lowest.epoch
    risen = record["epochs"][-1].epoch - lowest.epoch
    assert found.message == (
        f"validation loss has risen for {risen} epochs while training loss falls:"
        " overfitting; try dropout, L2, fewer epochs or more data"
    )


@pytest.mark.parametrize("name", ["overfit-dropout", "overfit-l2", "classic"])
def test_a_remedied_or_healthy_run_is_never_called_overfitting(name: str) -> None:
    assert "overfitting" not in verdicts(load_curves(name))


def test_a_problem_once_named_stays_named_to_the_end() -> None:
    for name in ("overfit", "underfit", "lr-high", "lr-low"):
        kinds = verdicts(load_curves(name))
        first = kinds.index(EXPECTED[name])
        assert set(kinds[first:]) == {EXPECTED[name]}, (name, kinds)


def test_too_high_a_rate_shows_in_the_first_epoch_from_the_batch_losses() -> None:
    assert verdicts(load_curves("lr-high"))[0] == "lr_too_high"


def test_the_remedies_end_with_a_lower_validation_loss_than_the_overfit_run() -> None:
    overfit = load_curves("overfit")["epochs"]
    for name in ("overfit-dropout",):
        remedied = load_curves(name)["epochs"]
        assert min(e.val_loss for e in remedied) < min(e.val_loss for e in overfit)
        assert remedied[-1].val_loss < overfit[-1].val_loss


# -- hand-made edge cases -------------------------------------------------------------


def test_fewer_than_three_epochs_give_no_verdict() -> None:
    epochs = epochs_from([0.9, 0.3], [0.5, 0.9])
    running = diagnose(epochs, planned_epochs=10)
    assert running.kind == "too_early"
    assert "epoch 2 of 10" in running.message
    assert diagnose([], status="running").kind == "too_early"
    assert diagnose(epochs, status="finished").kind == "too_early"
    assert not running.is_problem


def test_noisy_but_healthy_curves_are_healthy() -> None:
    losses = [0.9, 0.42, 0.3, 0.24, 0.2, 0.17, 0.15, 0.135, 0.12, 0.11, 0.1, 0.093]
    noise = [
        0.03,
        -0.02,
        0.025,
        -0.015,
        0.02,
        -0.025,
        0.015,
        -0.01,
        0.02,
        -0.02,
        0.01,
        0.0,
    ]
    val = [0.45 - 0.015 * i + n for i, n in enumerate(noise)]
    for n in range(3, len(losses) + 1):
        found = diagnose(epochs_from(losses[:n], val[:n]))
        assert found.kind == "healthy", (n, found.message)
    assert diagnose(epochs_from(losses, val), status="finished").message == (
        "no problem seen in the curves"
    )


def test_overfitting_that_begins_late_is_found_when_it_has_lasted_three_epochs() -> (
    None
):
    losses = [1.0 / (i + 1) for i in range(20)]
    # Lowest 0.39 in epoch 14 (0-based); 0.40 is not 5% up, 0.42, 0.44 and 0.46 are.
    val = [0.6 - 0.015 * i for i in range(15)] + [0.40, 0.42, 0.44, 0.46, 0.48]
    kinds = [diagnose(epochs_from(losses[:n], val[:n])).kind for n in range(3, 21)]
    assert kinds == ["healthy"] * (19 - 3) + ["overfitting"] * 2
    found = diagnose(epochs_from(losses, val))
    assert found.epoch == 14
    assert found.message.startswith("validation loss has risen for 5 epochs")


def test_a_rising_validation_loss_with_a_rising_training_loss_is_not_overfitting() -> (
    None
):
    losses = [0.5, 0.3, 0.2, 0.15, 0.16, 0.17, 0.18, 0.19]
    val = [0.5, 0.4, 0.3, 0.3, 0.4, 0.45, 0.5, 0.55]
    assert diagnose(epochs_from(losses, val)).kind != "overfitting"


def test_without_validation_there_is_no_overfitting_verdict() -> None:
    losses = [1.0 / (i + 1) for i in range(10)]
    assert diagnose(epochs_from(losses)).kind == "healthy"


def test_a_nan_run_has_diverged() -> None:
    epochs = epochs_from([0.9, 0.5])
    found = diagnose(epochs, status="nan")
    assert (found.kind, found.message, found.epoch) == ("diverged", "diverged (NaN)", 2)
    points = [BatchPoint(0.5, 1.0, 0.5), BatchPoint(0.6, math.inf, 0.1)]
    assert diagnose([], points).kind == "diverged"


def test_a_loss_that_jumps_far_above_guessing_is_too_high_a_rate() -> None:
    points = [BatchPoint(0.1, 25.8, 0.1), BatchPoint(0.5, 6.0, 0.2)]
    found = diagnose([], points)
    assert found.kind == "lr_too_high"
    assert found.epoch == 0
    assert found.message == (
        "loss is jumping or rising from the start: the learning rate may be too high"
    )


def test_a_training_loss_that_rises_while_high_is_too_high_a_rate() -> None:
    found = diagnose(epochs_from([2.2, 1.5, 1.49, 1.64, 1.55]))
    assert (found.kind, found.epoch) == ("lr_too_high", 3)


def test_small_rises_of_a_nearly_zero_training_loss_are_not_jumps() -> None:
    losses = [0.6, 0.2, 0.05, 0.02, 0.04, 0.08, 0.03, 0.01]
    assert diagnose(epochs_from(losses)).kind == "healthy"


def test_a_loss_falling_in_small_steady_steps_is_too_low_a_rate() -> None:
    losses = [2.27, 2.18, 2.09, 1.99, 1.89]
    found = diagnose(epochs_from(losses, accuracies=[0.12, 0.18, 0.25, 0.34, 0.44]))
    assert found.kind == "lr_too_low"
    assert found.message == "loss is barely moving: the learning rate may be too low"


def test_a_loss_that_levels_off_high_with_flat_accuracy_is_underfitting() -> None:
    losses = [2.2, 2.0, 1.87, 1.77, 1.70, 1.65, 1.61, 1.58]
    accuracies = [0.15, 0.23, 0.35, 0.37, 0.39, 0.39, 0.40, 0.41]
    found = diagnose(epochs_from(losses, accuracies=accuracies))
    assert found.kind == "underfitting"
    assert found.message == (
        "training accuracy is low and flat: underfitting; try more units or epochs"
    )


def test_a_high_flat_accuracy_is_not_underfitting() -> None:
    losses = [0.3, 0.12, 0.1, 0.09, 0.085]
    accuracies = [0.9, 0.96, 0.965, 0.97, 0.972]
    assert diagnose(epochs_from(losses, accuracies=accuracies)).kind == "healthy"


def test_the_rules_are_tried_in_order_and_each_is_documented() -> None:
    assert diagnosis.RULES[0] is diagnosis.diverged
    assert diagnosis.RULES.index(diagnosis.learning_rate_too_high) < (
        diagnosis.RULES.index(diagnosis.overfitting)
    )
    for rule in (*diagnosis.RULES, diagnosis.healthy):
        summary = (rule.__doc__ or "").splitlines()[0]
        assert summary.endswith(".") and ": " in summary

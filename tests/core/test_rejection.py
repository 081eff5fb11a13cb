"""Counting readings, AUROC, energy and choosing thresholds on held-out digits."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.measure.calibration import fit_temperature, softmax
from nnpad.core.measure.rejection import (
    auroc,
    choose_thresholds,
    energy,
    fit_thresholds,
    outcome,
)
from nnpad.core.reading.verdict import Thresholds


def logits_with_top(tops: list[float], digit: int = 3) -> np.ndarray:
    """Logits whose softmax puts ``top`` on ``digit`` and the rest evenly."""
    tops_arr = np.asarray(tops)
    z = np.zeros((len(tops), 10))
    z[:, digit] = np.log(9 * tops_arr / (1 - tops_arr))
    return z


def test_outcome_counts_sure_unsure_and_rejected_readings() -> None:
    z = logits_with_top([0.95, 0.92, 0.6, 0.3, 0.2])
    th = Thresholds(1.0, reject_below=0.35, sure_at=0.9, close_at=0.2)
    o = outcome(z, th, labels=np.array([3, 4, 3, 3, 3]))
    assert (o.count, o.sure, o.unsure, o.rejected) == (5, 0.4, 0.2, 0.4)
    assert o.flagged == pytest.approx(0.6)
    assert o.sure_accuracy == 0.5
    assert o.accuracy == 0.8
    assert outcome(z, th).sure_accuracy is None


def test_auroc_of_separated_tied_and_reversed_scores() -> None:
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert auroc(np.array([1.0, 1.0]), np.array([1.0])) == 0.5
    assert auroc(np.array([2.0, 0.0]), np.array([1.0])) == 0.5


def test_energy_is_temperature_times_logsumexp() -> None:
    z = np.array([[1.0, 2.0, 3.0]])
    assert energy(z)[0] == pytest.approx(np.log(np.exp(z).sum()))
    assert energy(z, 2.0)[0] == pytest.approx(2 * np.log(np.exp(z / 2).sum()))


def test_chosen_thresholds_keep_the_promised_shares_of_every_set() -> None:
    rng = np.random.default_rng(0)
    sets = [rng.normal(0, 1, (1000, 10)) + 8 * np.eye(10)[rng.integers(0, 10, 1000)]]
    sets.append(sets[0][:500] * 0.5)  # a less confident set binds
    th = choose_thresholds(1.0, sets, sure_share=0.97, reject_share=0.01)
    for z in sets:
        top = softmax(z).max(axis=1)
        assert (top >= th.sure_at).mean() >= 0.97
        assert (top < th.reject_below).mean() <= 0.01
    tops = softmax(sets[1]).max(axis=1)
    # The sure threshold is as high as the binding set allows.
    assert (tops >= np.nextafter(th.sure_at, 1)).mean() < 0.97 + 2 / 500


def test_fit_thresholds_fits_the_temperature_first() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 3000)
    z = rng.normal(0, 1, (3000, 10)) + 3 * np.eye(10)[labels]
    th = fit_thresholds(z * 4, labels)
    assert th.temperature == pytest.approx(4 * fit_temperature(z, labels), rel=1e-3)
    # Thresholds are on calibrated probabilities, so scaling logits changes nothing.
    same = fit_thresholds(z, labels)
    assert th.sure_at == pytest.approx(same.sure_at, rel=1e-3)
    assert 0 < th.reject_below <= th.sure_at < 1

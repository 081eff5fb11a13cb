"""Temperature scaling, ECE and NLL on synthetic and hand-made cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnpad.core.measure.calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability,
    softmax,
)


def _sampled(logits: np.ndarray, temperature: float, seed: int = 0) -> np.ndarray:
    """Labels drawn from softmax(logits / temperature): that T is the true one."""
    rng = np.random.default_rng(seed)
    p = softmax(logits, temperature)
    u = rng.random((len(p), 1))
    return (p.cumsum(axis=1) < u).sum(axis=1).clip(0, p.shape[1] - 1)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_the_temperature_labels_were_drawn_with(
    true_t: float,
) -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, size=(20000, 10))
    labels = _sampled(logits, true_t)
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.05)


def test_fit_temperature_lowers_the_nll_and_keeps_the_predictions() -> None:
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 2, size=(5000, 10))
    labels = _sampled(logits, 1.0)
    overconfident = logits * 3
    t = fit_temperature(overconfident, labels)
    assert t == pytest.approx(3.0, rel=0.07)
    before = negative_log_likelihood(softmax(overconfident), labels)
    after = negative_log_likelihood(softmax(overconfident, t), labels)
    assert after < before
    np.testing.assert_array_equal(
        softmax(overconfident, t).argmax(1), overconfident.argmax(1)
    )


def test_fit_temperature_stops_at_its_bound_when_sharper_is_always_better() -> None:
    logits = np.eye(10)[np.arange(50) % 10] * 5.0
    labels = np.arange(50) % 10
    assert fit_temperature(logits, labels, bounds=(0.1, 10.0)) == pytest.approx(
        0.1, rel=1e-3
    )


def test_fit_temperature_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="labels"):
        fit_temperature(np.zeros((3, 10)), np.array([0, 1, 10]))
    with pytest.raises(ValueError, match="finite"):
        fit_temperature(np.full((2, 10), np.nan), np.array([0, 1]))
    with pytest.raises(ValueError, match="bounds"):
        fit_temperature(np.zeros((2, 10)), np.array([0, 1]), bounds=(2.0, 1.0))
    with pytest.raises(ValueError, match="shape"):
        fit_temperature(np.zeros((0, 10)), np.zeros(0, dtype=int))


def test_nll_of_hand_made_probabilities() -> None:
    p = np.array([[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]])
    labels = np.array([0, 1, 1])
    expected = -(math.log(0.5) + math.log(0.75) + math.log(1e-7)) / 3
    assert negative_log_likelihood(p, labels) == pytest.approx(expected)


def test_ece_of_hand_made_probabilities() -> None:
    # Two bins used: confidence 0.9 (right 1 of 2) and 0.6 (right 2 of 2).
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.6, 0.4]])
    labels = np.array([0, 1, 1, 0])
    # |0.5 - 0.9| * 2/4 + |1.0 - 0.6| * 2/4
    assert expected_calibration_error(p, labels, bins=10) == pytest.approx(0.4)


def test_ece_is_zero_when_confidence_matches_accuracy_in_every_bin() -> None:
    p = np.tile([[0.75, 0.25]], (8, 1))
    labels = np.array([0, 0, 0, 1, 0, 0, 0, 1])
    assert expected_calibration_error(p, labels) == pytest.approx(0.0)


def test_reliability_bins_count_every_answer_once() -> None:
    rng = np.random.default_rng(3)
    p = softmax(rng.normal(0, 2, (1000, 10)))
    labels = rng.integers(0, 10, 1000)
    r = reliability(p, labels, bins=15)
    assert r.counts.sum() == 1000
    used = r.counts > 0
    assert np.isnan(r.accuracy[~used]).all()
    # A confidence on a bin edge goes to the lower bin: (k/B, (k+1)/B].
    edge = reliability(np.array([[0.5, 0.5], [0.2, 0.8]]), np.array([0, 1]), bins=10)
    assert edge.counts[4] == 1
    assert edge.counts[7] == 1

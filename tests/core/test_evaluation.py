"""Evaluation: accuracy, confusion, calibration and the surest mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.data import VALIDATION_PART, Dataset, load_sample
from nnpad.core.measure.evaluation import (
    Evaluation,
    evaluate,
    images_to_measure,
    measure,
)
from nnpad.core.model import store


def one_hot_ish(digits, confidence) -> np.ndarray:
    probs = np.full((len(digits), 10), 0.0, np.float32)
    for row, (digit, p) in enumerate(zip(digits, confidence, strict=True)):
        probs[row] = (1 - p) / 9
        probs[row, digit] = p
    return probs


def test_confusion_accuracy_and_cells() -> None:
    labels = np.array([7, 7, 7, 1, 1, 4])
    read = [7, 1, 1, 1, 7, 4]
    evaluation = Evaluation(labels, one_hot_ish(read, [0.9, 0.6, 0.95, 0.8, 0.7, 1.0]))
    assert evaluation.samples == 6
    assert evaluation.accuracy == pytest.approx(3 / 6)
    assert evaluation.confusion[7, 1] == 2 and evaluation.confusion[1, 7] == 1
    assert evaluation.confusion.sum() == 6
    assert evaluation.per_class[7] == pytest.approx(1 / 3)
    assert evaluation.per_class[0] is None
    assert evaluation.cell(7, 1).tolist() == [2, 1]  # surest first
    assert evaluation.mistakes().tolist() == [2, 4, 1]


def test_reliability_and_calibration_error() -> None:
    # Ten readings at 90% of which 9 are right: perfectly calibrated.
    labels = np.zeros(10, int)
    read = [0] * 9 + [3]
    calibrated = Evaluation(labels, one_hot_ish(read, [0.9] * 10))
    bins = calibrated.reliability()
    assert len(bins.counts) == 15 and bins.counts.sum() == 10
    filled = bins.counts > 0
    assert bins.confidence[filled] == pytest.approx([0.9])
    assert bins.accuracy[filled] == pytest.approx([0.9])
    assert bins.ece == pytest.approx(0.0, abs=1e-6)
    # Always 100% sure, right half the time: an error of 0.5.
    overconfident = Evaluation(labels, one_hot_ish([0] * 5 + [3] * 5, [1.0] * 10))
    assert overconfident.reliability().ece == pytest.approx(0.5)
    assert overconfident.negative_log_likelihood() > 5  # -log(1e-7) for half


def test_evaluate_reports_progress_and_agrees_with_the_network() -> None:
    network = store.load().network
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (300, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 300)
    seen: list[float] = []
    evaluation = evaluate(network, images, labels, batch=128, progress=seen.append)
    assert seen == pytest.approx([128 / 300, 256 / 300, 1.0])
    expected = network.predict(images.astype(np.float32) / 255.0).argmax(axis=1)
    np.testing.assert_array_equal(evaluation.predictions, expected)


def bars(n: int) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % 10
    return np.zeros((n, 28, 28), np.uint8) + labels[:, None, None].astype(
        np.uint8
    ), labels


def test_the_test_part_is_measured_when_there_is_one() -> None:
    x, y = bars(60)
    data = Dataset(x[:48], y[:48], x[48:], y[48:], source="bars")
    measured = images_to_measure(data)
    assert measured.part == "test" and len(measured.y) == 12
    assert len(measured.rest_y) == 48  # all the training images stay to learn from
    assert measured.describe() == "bars, test part"


def test_a_validation_part_is_the_tail_training_held_out() -> None:
    x, y = bars(60)
    data = Dataset(x[:48], y[:48], x[48:], y[48:], source="bars")
    measured = images_to_measure(data, validation=1 / 6)
    assert measured.part == "validation" and len(measured.y) == 8
    np.testing.assert_array_equal(measured.x, x[40:48])
    assert len(measured.rest_y) == 40


def test_without_a_test_part_all_is_measured_unless_the_rest_must_stay() -> None:
    x, y = bars(60)
    data = Dataset(x, y, source="bars")
    whole = images_to_measure(data)
    assert whole.part == "all" and len(whole.y) == 60 and not len(whole.rest_y)
    kept = images_to_measure(data, keep_rest=True)
    assert kept.part == "validation" and len(kept.y) == round(60 * VALIDATION_PART)
    with pytest.raises(ValueError, match="no images"):
        images_to_measure(Dataset(x[:1], y[:1], source="one"), keep_rest=True)


def test_measure_reads_at_the_models_own_temperature() -> None:
    model = store.load()
    sample = load_sample()
    measured = measure(model, sample.x_test[:200], sample.y_test[:200])
    raw = evaluate(model.network, sample.x_test[:200], sample.y_test[:200])
    calibrated = raw.at_temperature(model.thresholds.temperature)
    np.testing.assert_allclose(measured.probabilities, calibrated.probabilities)
    assert model.thresholds.temperature != 1.0  # so the two could differ

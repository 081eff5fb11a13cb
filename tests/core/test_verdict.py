"""Readings: the four texts, the threshold edges, temperature and metadata."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnpad.core.ink.strokes import Drawing, Stroke
from nnpad.core.reading.verdict import (
    DEFAULT_THRESHOLDS,
    Thresholds,
    read_logits,
    read_probabilities,
    too_small_to_read,
)

TH = Thresholds(temperature=1.0, reject_below=0.4, sure_at=0.9, close_at=0.2)


def probs(**by_digit: float) -> np.ndarray:
    """Probabilities with the given digits (d0..d9) and the rest spread evenly."""
    p = np.zeros(10)
    for key, value in by_digit.items():
        p[int(key[1:])] = value
    rest = [d for d in range(10) if p[d] == 0]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


def test_a_sure_reading_names_the_digit_and_its_probability() -> None:
    v = read_probabilities(probs(d7=0.98), TH)
    assert (v.kind, v.digit, v.text) == ("digit", 7, "7 (98%)")
    assert v.confidence == pytest.approx(0.98)


def test_two_close_digits_read_as_a_question() -> None:
    v = read_probabilities(probs(d4=0.55, d9=0.40), TH)
    assert v.kind == "unsure"
    assert (v.digit, v.runner_up) == (4, 9)
    assert v.text == "4 or 9? (55% / 40%)"


def test_an_unsure_reading_without_a_close_runner_up_names_one_digit() -> None:
    v = read_probabilities(probs(d3=0.7, d8=0.1), TH)
    assert (v.kind, v.close, v.text) == ("unsure", False, "3? (70%)")


def test_a_flat_reading_is_not_a_digit() -> None:
    v = read_probabilities(probs(d0=0.2), TH)
    assert (v.kind, v.text) == ("not a digit", "not a digit")
    assert v.digit == 0  # still known, for the bars


def test_verdicts_compare_by_value() -> None:
    a = read_probabilities(probs(d7=0.98), TH)
    assert a == read_probabilities(probs(d7=0.98), TH)
    assert a != read_probabilities(probs(d7=0.97), TH)
    assert len({a, read_probabilities(probs(d7=0.98), TH)}) == 1


def test_no_ink_reads_empty() -> None:
    v = read_logits(None, TH)
    assert (v.kind, v.text, v.digit, v.confidence) == ("empty", "", None, 0.0)


@pytest.mark.parametrize(
    ("top", "kind"),
    [(0.9, "digit"), (0.8999, "unsure"), (0.4, "unsure"), (0.3999, "not a digit")],
)
def test_threshold_edges(top: float, kind: str) -> None:
    assert read_probabilities(probs(d5=top), TH).kind == kind


def test_runner_up_exactly_at_close_at_is_close() -> None:
    assert read_probabilities(probs(d1=0.6, d7=0.2), TH).close
    assert not read_probabilities(probs(d1=0.6, d7=0.1999), TH).close


def test_percentages_round_half_up_and_never_say_100() -> None:
    assert read_probabilities(probs(d2=0.9999), TH).text == "2 (99%)"
    assert read_probabilities(probs(d2=0.945), TH).text == "2 (95%)"
    assert read_probabilities(probs(d6=0.625, d0=0.3), TH).text == (
        "6 or 0? (63% / 30%)"
    )


def test_read_logits_applies_the_temperature() -> None:
    logits = np.zeros(10)
    logits[7] = math.log(9 * 0.95 / 0.05)  # 95% at T = 1
    assert read_logits(logits, TH).text == "7 (95%)"
    hot = Thresholds(temperature=2.0, reject_below=0.4, sure_at=0.9, close_at=0.2)
    cooled = read_logits(logits, hot)
    assert cooled.kind == "unsure"
    assert cooled.confidence == pytest.approx(
        math.sqrt(171) / (math.sqrt(171) + 9), rel=1e-6
    )
    assert sum(cooled.probabilities) == pytest.approx(1.0)


def test_thresholds_round_trip_through_plain_json_metadata() -> None:
    th = Thresholds(temperature=1.37, reject_below=0.45, sure_at=0.7, close_at=0.2)
    metadata = json.loads(json.dumps({"val_accuracy": 0.99, **th.to_metadata()}))
    assert Thresholds.from_metadata(metadata) == th
    assert all(isinstance(v, float) for v in metadata["verdict"].values())


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"verdict": "high"},
        {"verdict": {"temperature": -1}},
        {"verdict": {"sure_at": 0.3, "reject_below": 0.5}},
        {"verdict": {"temperature": "1.2"}},
        {"verdict": {"temperature": True}},
    ],
)
def test_missing_or_bad_metadata_gives_the_defaults(metadata: object) -> None:
    assert Thresholds.from_metadata(metadata) == DEFAULT_THRESHOLDS  # type: ignore[arg-type]


def test_partial_metadata_keeps_what_it_has() -> None:
    th = Thresholds.from_metadata({"verdict": {"temperature": 1.5}})
    assert th.temperature == 1.5
    assert th.sure_at == DEFAULT_THRESHOLDS.sure_at


def test_inconsistent_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        Thresholds(reject_below=0.9, sure_at=0.5)
    with pytest.raises(ValueError):
        Thresholds(temperature=0.0)
    with pytest.raises(ValueError):
        Thresholds(close_at=1.5)


def test_a_tap_or_a_flick_is_a_speck_and_a_small_digit_is_not() -> None:
    tap = Drawing((Stroke(((140, 140),), 18),))
    flick = Drawing((Stroke(((100, 100), (104, 110)), 18),))
    small_seven = Drawing((Stroke(((100, 100), (125, 100), (110, 140)), 18),))
    erased = Drawing(
        (Stroke(((10, 10), (200, 200)), 18, erase=True), Stroke(((5, 5),), 18))
    )
    assert (
        too_small_to_read(tap)
        and too_small_to_read(flick)
        and too_small_to_read(erased)
    )
    assert not too_small_to_read(small_seven)
    assert not too_small_to_read(Drawing())

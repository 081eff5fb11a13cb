"""Measure "sure / unsure / not a digit" on many images and choose the thresholds.

Used by ``tests/benchmarks/bench_rejection.py`` and by whatever calibrates a model
after training. Everything works on logits from the NumPy network
(`nnpad.core.network.Network.logits`); no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnpad.core.measure.calibration import fit_temperature, softmax
from nnpad.core.reading.verdict import Thresholds

__all__ = [
    "Outcome",
    "auroc",
    "choose_thresholds",
    "energy",
    "fit_thresholds",
    "outcome",
]


@dataclass(frozen=True)
class Outcome:
    """How a set of images reads under some thresholds (shares of the set)."""

    count: int
    sure: float  # read as a sure digit
    unsure: float
    rejected: float  # read "not a digit"
    sure_accuracy: float | None  # right among the sure readings (None: no labels)
    accuracy: float | None  # top digit right, whatever the verdict

    @property
    def flagged(self) -> float:
        """Share not read as a sure digit (unsure or rejected)."""
        return self.unsure + self.rejected


def energy(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Negative free energy ``T logsumexp(z / T)``: higher means more digit-like."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    top = z.max(axis=1)
    return temperature * (top + np.log(np.exp(z - top[:, None]).sum(axis=1)))


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties 1/2)."""
    scores = np.concatenate((positive, negative))
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    # Mid-ranks: the mean rank of each group of ties, 1-based.
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    n_pos, n_neg = len(positive), len(negative)
    u = ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def outcome(
    logits: np.ndarray, thresholds: Thresholds, labels: np.ndarray | None = None
) -> Outcome:
    """Read every image's logits ``(n, 10)`` with ``thresholds`` and count."""
    p = softmax(logits, thresholds.temperature)
    top = p.max(axis=1)
    rejected = top < thresholds.reject_below
    sure = ~rejected & (top >= thresholds.sure_at)
    n = len(p)
    sure_accuracy = accuracy = None
    if labels is not None:
        right = p.argmax(axis=1) == np.asarray(labels)
        accuracy = float(right.mean())
        sure_accuracy = float(right[sure].mean()) if sure.any() else None
    return Outcome(
        count=n,
        sure=float(sure.mean()),
        unsure=float((~rejected & ~sure).mean()),
        rejected=float(rejected.mean()),
        sure_accuracy=sure_accuracy,
        accuracy=accuracy,
    )


def _quantile_below(values: np.ndarray, share: float) -> float:
    """The largest threshold t with at most ``share`` of ``values`` below t."""
    ordered = np.sort(values)
    k = int(np.floor(share * len(ordered)))
    return float(ordered[min(k, len(ordered) - 1)])


def choose_thresholds(
    temperature: float,
    digit_logits: list[np.ndarray],
    *,
    sure_share: float = 0.98,
    reject_share: float = 0.005,
    close_at: float = 0.2,
) -> Thresholds:
    """Pick ``sure_at`` and ``reject_below`` on held-out digits.

    ``sure_at`` is the highest value that still lets at least ``sure_share`` of the
    digits of *every* set in ``digit_logits`` read as sure, and ``reject_below`` the
    highest that calls at most ``reject_share`` of each set "not a digit". Within
    those bounds higher thresholds flag more non-digits, so no non-digits are needed
    here; measure them on a separate set with `outcome`.
    """
    if not digit_logits:
        raise ValueError("need at least one set of digit logits")
    tops = [softmax(z, temperature).max(axis=1) for z in digit_logits]
    sure_at = min(_quantile_below(t, 1.0 - sure_share) for t in tops)
    reject_below = min(_quantile_below(t, reject_share) for t in tops)
    return Thresholds(temperature, min(reject_below, sure_at), sure_at, close_at)


def fit_thresholds(
    logits: np.ndarray,
    labels: np.ndarray,
    *,
    sure_share: float = 0.98,
    reject_share: float = 0.005,
    close_at: float = 0.2,
) -> Thresholds:
    """Fit the temperature and choose the thresholds on held-out digits.

    What a training run does at its end with its validation split (logits from
    `nnpad.core.network.Network.logits`); see `choose_thresholds` for the shares.
    """
    temperature = fit_temperature(logits, labels)
    return choose_thresholds(
        temperature,
        [logits],
        sure_share=sure_share,
        reject_share=reject_share,
        close_at=close_at,
    )

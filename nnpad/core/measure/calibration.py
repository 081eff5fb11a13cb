"""Calibrated confidence: temperature scaling and how to measure calibration.

Temperature scaling (Guo et al., 2017) divides the logits by one number ``T`` fitted
on held-out data so that ``softmax(logits / T)`` minimises the negative log-likelihood;
the predicted digit never changes. Applying it costs one division of ten numbers.
The expected calibration error (ECE) compares, in bins of confidence, how often the
network is right with how sure it says it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Reliability",
    "expected_calibration_error",
    "fit_temperature",
    "negative_log_likelihood",
    "reliability",
    "softmax",
]

# The NLL of probabilities is clipped here, as Keras clips its crossentropy.
_EPSILON = 1e-7
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Return ``softmax(logits / temperature)`` along the last axis."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _checked(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] < 2:
        raise ValueError(f"expected an (n, classes) array, got shape {scores.shape}")
    if labels.shape != (scores.shape[0],):
        raise ValueError(
            f"expected {scores.shape[0]} labels, got an array of shape {labels.shape}"
        )
    if (
        labels.dtype.kind not in "iu"
        or labels.min() < 0
        or labels.max() >= scores.shape[1]
    ):
        raise ValueError(f"labels must be whole numbers 0..{scores.shape[1] - 1}")
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite")
    return scores, labels.astype(np.intp)


def _nll_at(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    top = z.max(axis=1)
    log_norm = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(z)), labels]))


def fit_temperature(
    logits: np.ndarray,
    labels: np.ndarray,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    tolerance: float = 1e-4,
) -> float:
    """The temperature minimising the NLL of ``softmax(logits / T)`` on ``labels``.

    The NLL is convex in ``1 / T``, so a golden-section search over ``log T`` within
    ``bounds`` finds the optimum (or the bound it lies beyond, for example when
    every answer is right and sharper is always better).

    Parameters
    ----------
    logits
        ``(n, classes)`` pre-softmax outputs, finite.
    labels
        ``(n,)`` true classes.
    bounds
        Smallest and largest temperature considered, ``0 < low < high``.
    tolerance
        Width in ``log T`` at which the search stops.
    """
    z, y = _checked(logits, labels)
    low, high = (float(b) for b in bounds)
    if not 0.0 < low < high or not math.isfinite(high):
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds!r}")
    a, b = math.log(low), math.log(high)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = _nll_at(z, y, math.exp(c)), _nll_at(z, y, math.exp(d))
    while b - a > tolerance:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = _nll_at(z, y, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = _nll_at(z, y, math.exp(d))
    return math.exp((a + b) / 2)


def negative_log_likelihood(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean ``-log p(true class)``, probabilities clipped at 1e-7 as Keras does."""
    p, y = _checked(probabilities, labels)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(p)), y], _EPSILON, 1.0))))


@dataclass(frozen=True)
class Reliability:
    """Per-bin figures of a reliability diagram (bins of equal width over 0..1).

    Bin ``k`` holds the answers whose confidence is in ``(k / bins, (k + 1) / bins]``
    (the first bin also holds 0). Empty bins have count 0 and NaN means.
    """

    counts: np.ndarray  # (bins,) int
    accuracy: np.ndarray  # (bins,) share of right answers
    confidence: np.ndarray  # (bins,) mean confidence

    @property
    def ece(self) -> float:
        """Expected calibration error: count-weighted mean |accuracy - confidence|."""
        used = self.counts > 0
        gaps = np.abs(self.accuracy[used] - self.confidence[used])
        return float(np.sum(self.counts[used] * gaps) / self.counts.sum())


def reliability(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = 15
) -> Reliability:
    """Bin answers by confidence (the top probability) for a reliability diagram."""
    p, y = _checked(probabilities, labels)
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive whole number, got {bins!r}")
    confidence = p.max(axis=1)
    right = (p.argmax(axis=1) == y).astype(np.float64)
    index = np.clip(np.ceil(confidence * bins).astype(np.intp) - 1, 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.bincount(index, right, minlength=bins) / counts
        mean_conf = np.bincount(index, confidence, minlength=bins) / counts
    return Reliability(counts, accuracy, mean_conf)


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = 15
) -> float:
    """ECE over ``bins`` equal-width bins of confidence (15 is the usual choice)."""
    return reliability(probabilities, labels, bins).ece

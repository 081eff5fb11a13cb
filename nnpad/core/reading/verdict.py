"""What nnpad tells a person about a drawing: a digit, "unsure" or "not a digit".

The network's logits are divided by the model's temperature
(`nnpad.core.measure.calibration`) and the calibrated probabilities read with three
thresholds:

- no ink: kind ``"empty"``, text ``""``;
- top probability below ``reject_below``: ``"not a digit"``;
- top probability at or above ``sure_at``: ``"digit"``, text ``"7 (98%)"``;
- otherwise ``"unsure"``: ``"4 or 9? (55% / 40%)"`` when the runner-up has at least
  ``close_at``, else ``"4? (60%)"``.

A model trained with outlier exposure spreads its belief over the ten digits for a
drawing that is not one, so its top probability is the "is it a digit at all" score
as well as the "which digit" one (`tests/benchmarks/bench_rejection.py` compares it
with the energy score). Thresholds live in a model file's metadata as plain numbers
(`Thresholds.to_metadata`); models without them get `DEFAULT_THRESHOLDS`.

A tap or a flick of the pen (`too_small_to_read`) is "not a digit" before any network
sees it: normalised to the 20x20 box, a short flick is a perfect 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing

__all__ = [
    "DEFAULT_THRESHOLDS",
    "SPECK_EXTENT",
    "Kind",
    "Thresholds",
    "Verdict",
    "read_logits",
    "read_probabilities",
    "too_small_to_read",
]

Kind = Literal["digit", "unsure", "not a digit", "empty"]
METADATA_KEY = "verdict"


@dataclass(frozen=True)
class Thresholds:
    """How to read a model's outputs; every field is a plain number.

    Attributes
    ----------
    temperature
        Logits are divided by this before the softmax (> 0; 1 leaves them as they are).
    reject_below
        A top calibrated probability below this reads "not a digit".
    sure_at
        A top calibrated probability at or above this reads as a sure digit.
    close_at
        An unsure reading names the runner-up when its probability is at least this.
    """

    temperature: float = 1.0
    reject_below: float = 0.5
    sure_at: float = 0.9
    close_at: float = 0.2

    def __post_init__(self) -> None:
        for name in ("temperature", "reject_below", "sure_at", "close_at"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if not 0.0 <= self.reject_below <= self.sure_at <= 1.0:
            raise ValueError("thresholds need 0 <= reject_below <= sure_at <= 1")
        if not 0.0 <= self.close_at <= 1.0:
            raise ValueError(f"close_at must be in [0, 1], got {self.close_at}")

    def to_metadata(self) -> dict[str, Any]:
        """The thresholds as a JSON-able entry of a model file's ``nnpad.json``."""
        return {
            METADATA_KEY: {
                "temperature": self.temperature,
                "reject_below": self.reject_below,
                "sure_at": self.sure_at,
                "close_at": self.close_at,
            }
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> Thresholds:
        """Read thresholds saved by `to_metadata`; defaults when absent or invalid.

        A model file is data from anywhere: a missing, mistyped or inconsistent entry
        gives `DEFAULT_THRESHOLDS` rather than an error.
        """
        entry = (metadata or {}).get(METADATA_KEY)
        if not isinstance(entry, Mapping):
            return DEFAULT_THRESHOLDS
        names = ("temperature", "reject_below", "sure_at", "close_at")
        values = {n: entry.get(n, getattr(DEFAULT_THRESHOLDS, n)) for n in names}
        try:
            return cls(**values)
        except ValueError:
            return DEFAULT_THRESHOLDS


DEFAULT_THRESHOLDS = Thresholds()
"""For models saved without thresholds (trained without outlier exposure, they reject
little: see the README's rejection figures)."""


def percent(p: float) -> int:
    """A probability as the whole percent shown (never 100: not certainty)."""
    # Round half up, and never claim 100%: a calibrated probability is not certainty.
    return min(99, math.floor(p * 100 + 0.5))


@dataclass(frozen=True)
class Verdict:
    """The reading of one drawing.

    ``probabilities`` are the calibrated ones: 10 floats summing to 1 (a tuple, so
    verdicts compare and hash), empty with no ink. ``digit`` and ``runner_up`` are
    the two most probable digits whatever the kind (None with no ink); ``close``
    says whether an unsure reading names the runner-up; ``reason`` says why, in a
    few words, when the network was not asked (a speck).
    """

    kind: Kind
    digit: int | None = None
    runner_up: int | None = None
    probabilities: tuple[float, ...] = ()
    close: bool = False
    reason: str = ""

    @property
    def confidence(self) -> float:
        """The calibrated probability of `digit` (0 with no ink)."""
        return float(self.probabilities[self.digit]) if self.digit is not None else 0.0

    @property
    def runner_up_confidence(self) -> float:
        """The calibrated probability of `runner_up` (0 with no ink)."""
        if self.runner_up is None:
            return 0.0
        return float(self.probabilities[self.runner_up])

    @property
    def text(self) -> str:
        """What to show and say: ``"7 (98%)"``, ``"4 or 9? (55% / 40%)"``, ..."""
        if self.kind == "empty":
            return ""
        if self.kind == "not a digit":
            return "not a digit"
        first = percent(self.confidence)
        if self.kind == "digit":
            return f"{self.digit} ({first}%)"
        if self.close:
            second = percent(self.runner_up_confidence)
            return f"{self.digit} or {self.runner_up}? ({first}% / {second}%)"
        return f"{self.digit}? ({first}%)"


EMPTY = Verdict("empty")
TOO_SMALL = "too small to be a digit"


def read_probabilities(probabilities: np.ndarray, thresholds: Thresholds) -> Verdict:
    """Read calibrated probabilities ``(10,)`` with ``thresholds``."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    order = np.argsort(-p, kind="stable")
    digit, runner_up = int(order[0]), int(order[1])
    top = float(p[digit])
    if top < thresholds.reject_below:
        kind: Kind = "not a digit"
    elif top >= thresholds.sure_at:
        kind = "digit"
    else:
        kind = "unsure"
    close = kind == "unsure" and float(p[runner_up]) >= thresholds.close_at
    return Verdict(kind, digit, runner_up, tuple(p.tolist()), close)


def read_logits(logits: np.ndarray | None, thresholds: Thresholds) -> Verdict:
    """Read one image's logits ``(10,)`` (None: no ink) with ``thresholds``."""
    if logits is None:
        return EMPTY
    z = np.asarray(logits, dtype=np.float64).reshape(-1) / thresholds.temperature
    z = np.exp(z - z.max())
    return read_probabilities(z / z.sum(), thresholds)


SPECK_EXTENT = 0.05 * CANVAS_SIZE
"""Ink whose points span less than this (canvas units) is a tap or a flick."""


def too_small_to_read(drawing: Drawing) -> bool:
    """Whether the ink is too small to be a digit: a tap, or a flick of the pen.

    Normalised to MNIST's 20x20 box, a short flick is exactly a 1, so the network
    cannot tell them apart; a caller reads such a drawing as "not a digit" without
    asking it. A digit is never drawn this small on the 280-unit canvas (5%, 14 units).
    """
    ink = [np.asarray(s.points, dtype=float) for s in drawing.strokes if not s.erase]
    ink = [p[np.isfinite(p).all(axis=1)] for p in ink if len(p)]
    points = np.concatenate(ink) if ink else np.empty((0, 2))
    if not len(points):
        return False
    return float((points.max(axis=0) - points.min(axis=0)).max()) < SPECK_EXTENT

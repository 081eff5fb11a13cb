"""What drawings and pictures share: pieces, the line height, specks.

Sizes are fractions of the line height ``H``. The thresholds were set on synthetic
numbers (``tests/benchmarks/bench_numbers.py``, seeds other than those of the
reported figures) and on the tuning half of real digits traced into strokes
(``tests/support/real_strokes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nnpad.core.ink.strokes import Drawing

Classify = Callable[[np.ndarray], np.ndarray]
"""Probabilities ``(n, 10)`` for a batch of MNIST-layout images ``(n, 28, 28)``."""

# A group smaller than this both ways is a speck.
SPECK = 0.2
# A group that is not a speck but shorter than SIDE * H is a fragment (a piece of
# a stroke cut off by a faint or broken pen); alone, it is no digit if shorter
# than SHORT_GROUP * H (one MNIST digit in 10,000 is that short), unless flat.
SHORT_GROUP = 0.5
# Both sides of a split must be this tall, or as flat digits are: at least
# FLAT_TALL * H tall and FLAT_WIDTH * H wide (a 2 or a 7 written wide and low; in
# numbers of real digits, some 2s are a third as tall as their neighbours).
SIDE = 0.65
FLAT_WIDTH = 0.8
FLAT_TALL = 0.35


@dataclass(frozen=True, eq=False)
class Piece:
    """One digit found in a drawing or a picture.

    Attributes
    ----------
    box
        ``(x0, y0, x1, y1)`` of the digit's ink: canvas units for drawings (half the
        pen width included), pixels for pictures (``x1``/``y1`` exclusive).
    image
        float32 ``(28, 28)`` MNIST-layout input for the network.
    drawing
        For drawings, the digit's own strokes with the erasers that reach them;
        None for pictures.
    """

    box: tuple[float, float, float, float]
    image: np.ndarray
    drawing: Drawing | None = None


def line_height(boxes: np.ndarray, floor: float) -> float:
    """Typical digit height: the median height of the taller columns of ink.

    Boxes whose x spans overlap are taken together first (the parts of one
    digit); columns at least half as tall as the tallest then vote. Never less
    than ``floor``.
    """
    b = np.asarray(boxes, dtype=np.float64)[np.argsort(boxes[:, 0], kind="stable")]
    # A box starts a new column when it begins right of every box before it.
    reach = np.maximum.accumulate(b[:, 2])
    starts = np.concatenate(([0], np.flatnonzero(b[1:, 0] >= reach[:-1]) + 1))
    heights = np.maximum.reduceat(b[:, 3], starts) - np.minimum.reduceat(
        b[:, 1], starts
    )
    tall = np.sort(heights[heights >= 0.5 * heights.max()])
    median = (tall[(len(tall) - 1) // 2] + tall[len(tall) // 2]) / 2
    return max(float(median), floor)


def is_speck(box: np.ndarray, height: float) -> bool:
    """Whether ink in ``box`` is too small to be a digit.

    It is when it is smaller than a speck both ways, or shorter than
    ``SHORT_GROUP * H`` and not a flat digit (`digit_sized`).
    """
    return bool(
        max(box[2] - box[0], box[3] - box[1]) < SPECK * height
        or (box[3] - box[1] < SHORT_GROUP * height and not digit_sized(box, height))
    )


def log_odds(probs: np.ndarray) -> np.ndarray:
    """Log-odds of each row's most probable class against all the others."""
    p = np.sort(np.asarray(probs, dtype=np.float64), axis=1)
    # The others summed, not 1 - top: near-certain rows keep their precision.
    rest = np.clip(p[:, :-1].sum(axis=1), 1e-12, None)
    return np.log(np.clip(p[:, -1], 1e-12, None)) - np.log(rest)


def digit_sized(box: np.ndarray, height: float) -> bool:
    """Whether ink in ``box`` is tall enough to be a digit (or wide, for a flat one)."""
    tall = box[3] - box[1]
    return bool(
        tall >= SIDE * height
        or (tall >= FLAT_TALL * height and box[2] - box[0] >= FLAT_WIDTH * height)
    )


def both_tall(a: np.ndarray, b: np.ndarray, height: float) -> bool:
    """Whether two boxes are both big enough to be digits (`digit_sized`)."""
    return digit_sized(a, height) and digit_sized(b, height)

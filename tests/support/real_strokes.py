"""Real handwriting as pen strokes: MNIST digits traced into strokes.

The files (`nnpad.core.data.traced` reads them) hold MNIST digits traced into
strokes by the tracing tool that comes with the project's shared data. This module
splits a file into the half one tunes on and the half one reports on, and composes
numbers of real digits with a person's gaps.

The committed sample `tests/data/real_strokes_sample.json` (see its README) is a
small part of such a file for the default test suite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnpad.core.data.traced import TracedDigit, load_traced
from nnpad.core.ink.strokes import CANVAS_SIZE
from tests.support.numbers import Number, side_by_side

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "real_strokes_sample.json"

RealDigit = TracedDigit


def load(path: str | Path = SAMPLE) -> list[TracedDigit]:
    """The traced digits of a strokes file (by default the committed sample)."""
    return load_traced(path)


def halves(digits: list[TracedDigit]) -> tuple[list[TracedDigit], list[TracedDigit]]:
    """``(tune, report)``: each label's digits shuffled (seed 16) and halved.

    Every figure this project reports on real strokes comes from the second half.
    (Not by index parity: in MNIST's validation part even and odd indices differ,
    the even ones being harder.)
    """
    rng = np.random.default_rng(16)
    tune: list[TracedDigit] = []
    report: list[TracedDigit] = []
    for label in range(10):
        mine = sorted((d for d in digits if d.label == label), key=lambda d: d.index)
        order = rng.permutation(len(mine))
        half = len(mine) // 2
        tune += [mine[i] for i in order[:half]]
        report += [mine[i] for i in order[half:]]
    return sorted(tune, key=lambda d: d.index), sorted(report, key=lambda d: d.index)


def real_number(
    digits: list[TracedDigit],
    rng: np.random.Generator,
    *,
    brush: float | None = None,
    spacing: str | None = None,
) -> Number:
    """Real digits side by side as a person writes a number.

    The digit height (150-230 units, each digit within 8% of it), the brush
    (default 18, sometimes 10-28) and the gaps (`tests.support.numbers.SPACINGS`)
    are random, as for the synthetic numbers.
    """
    height = float(rng.uniform(150, 230))
    if brush is None:
        brush = 18.0 if rng.random() < 0.7 else float(rng.uniform(10, 28))
    drawings = []
    for digit in digits:
        size = height * float(rng.uniform(0.92, 1.08))
        cy = CANVAS_SIZE / 2 + float(rng.uniform(-0.04, 0.04)) * height
        drawings.append(digit.drawing(size, brush=brush, centre=(0.0, cy)))
    return side_by_side(
        drawings, [d.label for d in digits], height, brush, rng, spacing=spacing
    )

"""Real handwriting as pen strokes: MNIST digits traced into strokes.

The files hold a JSON list of ``{"index", "label", "width", "strokes"}`` with points
in 28-pixel units (the MNIST image covers ``[0, 28]``; its ink ~20 units high), as
made by the tracing tool that comes with the project's shared data. This module
turns them into canvas drawings, splits a file into the half one tunes on and the
half one reports on, and composes numbers of real digits with a person's gaps.

The committed sample `tests/data/real_strokes_sample.json` (see its README) is a
small part of such a file for the default test suite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnpad.core.strokes import CANVAS_SIZE, Drawing, Stroke
from tests.support.numbers import Number, side_by_side

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "real_strokes_sample.json"

# MNIST's digits are normalised to a 20-pixel box within the 28-pixel frame.
MNIST_BOX = 20.0


@dataclass(frozen=True)
class RealDigit:
    """One traced digit: its MNIST index and label, pen width and strokes."""

    index: int
    label: int
    width: float  # pen width, 28-pixel units
    strokes: tuple[tuple[tuple[float, float], ...], ...]

    def drawing(
        self,
        height: float = 200.0,
        *,
        brush: float | None = 18.0,
        centre: tuple[float, float] = (CANVAS_SIZE / 2, CANVAS_SIZE / 2),
    ) -> Drawing:
        """The digit drawn ``height`` canvas units high (its MNIST box) at ``centre``.

        ``brush`` is the pen width in canvas units (the canvas' default is 18);
        None keeps the traced pen, scaled with the digit.
        """
        k = height / MNIST_BOX
        pen = self.width * k if brush is None else brush
        cx, cy = centre
        return Drawing(
            tuple(
                Stroke(
                    tuple(((x - 14.0) * k + cx, (y - 14.0) * k + cy) for x, y in s),
                    pen,
                )
                for s in self.strokes
                if s
            )
        )


def load(path: str | Path = SAMPLE) -> list[RealDigit]:
    """The traced digits of a strokes file, in its order."""
    items = json.loads(Path(path).read_text())
    return [
        RealDigit(
            int(item["index"]),
            int(item["label"]),
            float(item["width"]),
            tuple(tuple((float(x), float(y)) for x, y in s) for s in item["strokes"]),
        )
        for item in items
    ]


def halves(digits: list[RealDigit]) -> tuple[list[RealDigit], list[RealDigit]]:
    """``(tune, report)``: each label's digits shuffled (seed 16) and halved.

    Every figure this project reports on real strokes comes from the second half.
    (Not by index parity: in MNIST's validation part even and odd indices differ,
    the even ones being harder.)
    """
    rng = np.random.default_rng(16)
    tune: list[RealDigit] = []
    report: list[RealDigit] = []
    for label in range(10):
        mine = sorted((d for d in digits if d.label == label), key=lambda d: d.index)
        order = rng.permutation(len(mine))
        half = len(mine) // 2
        tune += [mine[i] for i in order[:half]]
        report += [mine[i] for i in order[half:]]
    return sorted(tune, key=lambda d: d.index), sorted(report, key=lambda d: d.index)


def real_number(
    digits: list[RealDigit],
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

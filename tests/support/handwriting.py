"""Synthetic handwriting: digits drawn from stroke templates with a writer's jitter.

Each digit is a list of unit-square polylines (y grows downwards). A drawing gets a
random slant, aspect, rotation and wobble, so every call gives another hand-written
looking digit; a :class:`Style` shifts all of one writer's digits the same way.
Used by benchmarks and tests for held-out drawings the networks never trained on.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke

Polyline = list[tuple[float, float]]


def ellipse(
    cx: float, cy: float, rx: float, ry: float, start: float = 0.0, n: int = 40
) -> Polyline:
    """A closed ellipse as a polyline, starting at angle ``start`` (0 is the top)."""
    t = np.linspace(start, start + 2 * math.pi, n)
    return list(zip(cx + rx * np.sin(t), cy - ry * np.cos(t), strict=True))


TEMPLATES: dict[int, list[Polyline]] = {
    0: [ellipse(0.5, 0.5, 0.3, 0.45)],
    1: [[(0.38, 0.17), (0.55, 0.04), (0.55, 0.96)]],
    2: [
        [
            (0.2, 0.28),
            (0.32, 0.1),
            (0.52, 0.04),
            (0.74, 0.12),
            (0.8, 0.3),
            (0.7, 0.5),
            (0.2, 0.95),
            (0.85, 0.95),
        ]
    ],
    3: [
        [
            (0.2, 0.15),
            (0.5, 0.04),
            (0.78, 0.18),
            (0.72, 0.38),
            (0.45, 0.48),
            (0.78, 0.62),
            (0.8, 0.82),
            (0.5, 0.96),
            (0.2, 0.86),
        ]
    ],
    4: [[(0.6, 0.04), (0.15, 0.65), (0.85, 0.65)], [(0.66, 0.3), (0.66, 0.96)]],
    5: [
        [
            (0.8, 0.05),
            (0.28, 0.05),
            (0.24, 0.45),
            (0.55, 0.38),
            (0.78, 0.55),
            (0.76, 0.82),
            (0.48, 0.96),
            (0.2, 0.88),
        ]
    ],
    6: [
        [
            (0.72, 0.04),
            (0.42, 0.3),
            (0.25, 0.62),
            (0.32, 0.9),
            (0.55, 0.97),
            (0.75, 0.82),
            (0.72, 0.6),
            (0.5, 0.52),
            (0.27, 0.65),
        ]
    ],
    7: [[(0.15, 0.07), (0.85, 0.07), (0.42, 0.96)]],
    8: [
        list(
            zip(
                0.5 + 0.26 * np.sin(2 * np.linspace(0, 2 * math.pi, 60)),
                0.5 - 0.46 * np.cos(np.linspace(0, 2 * math.pi, 60)),
                strict=True,
            )
        )
    ],
    9: [[*ellipse(0.5, 0.3, 0.26, 0.25, start=math.pi / 2), (0.76, 0.3), (0.72, 0.96)]],
}


@dataclass(frozen=True)
class Style:
    """How one writer differs from the templates, applied to every digit they draw.

    ``templates`` replaces some digits' strokes (a writer's own 7 or 4); ``slant`` and
    ``aspect`` are added to / multiplied with each drawing's random ones; ``wobble``
    scales the hand's tremor.
    """

    templates: dict[int, list[Polyline]] | None = None
    slant: float = 0.0
    aspect: float = 1.0
    wobble: float = 1.0

    def strokes(self, digit: int) -> list[Polyline]:
        """The polylines this writer uses for ``digit``."""
        if self.templates and digit in self.templates:
            return self.templates[digit]
        return TEMPLATES[digit]


PLAIN = Style()


def densify(points: np.ndarray, step: float = 0.02) -> np.ndarray:
    """Insert points so that no segment is longer than ``step`` (as a mouse would)."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(1, int(np.linalg.norm(b - a) / step))
        out.extend(a + (b - a) * (i / n) for i in range(1, n + 1))
    return np.array(out)


def random_drawing(
    digit: int,
    size: float,
    brush: float,
    rng: np.random.Generator,
    *,
    style: Style = PLAIN,
    centre: tuple[float, float] | None = None,
) -> Drawing:
    """One jittered drawing of ``digit`` whose height is ``size`` canvas units.

    ``centre`` is where the digit goes, in canvas units (default: somewhere in the
    middle of the canvas).
    """
    slant = rng.uniform(-0.25, 0.25) + style.slant
    aspect = rng.uniform(0.75, 1.15) * style.aspect
    angle = math.radians(rng.uniform(-8, 8))
    rot = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    where = (
        rng.uniform(0.3, 0.7, size=2) * CANVAS_SIZE
        if centre is None
        else np.asarray(centre, dtype=float)
    )
    strokes = []
    for template in style.strokes(digit):
        pts = densify(np.array(template, dtype=float)) - 0.5
        pts[:, 0] = (pts[:, 0] + slant * -pts[:, 1]) * aspect
        pts += rng.normal(0, 0.012 * style.wobble, size=pts.shape)
        pts = pts @ rot.T * size + where
        strokes.append(Stroke(tuple(map(tuple, pts)), width=brush))
    return Drawing(tuple(strokes))

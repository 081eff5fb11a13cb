"""Pen width proportional to the digit vs the person's brush, on small drawings.

Usage: python tests/benchmarks/bench_pen_width.py [--count N]

Digits are drawn from hand-written-like stroke templates with random slant, scale,
aspect and wobble, with the default brush (18 of 280 units), at full size (about
70% of the canvas) and at a third of it. Each is recognised by the shipped model two
ways: from the screen-like bitmap with the brush as drawn (``render`` + ``to_mnist``),
and from the stroke vectors with a pen width proportional to the digit's size
(``drawing_to_mnist``, what nnpad does).
"""

from __future__ import annotations

import argparse
import itertools
import math

import numpy as np

from nnpad.core.inference import load_model
from nnpad.core.preprocess import drawing_to_mnist, to_mnist
from nnpad.core.strokes import CANVAS_SIZE, Drawing, Stroke, render

BRUSH = 18.0  # the canvas' default


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0):
    t = np.linspace(start, start + 2 * math.pi, 40)
    return list(zip(cx + rx * np.sin(t), cy - ry * np.cos(t), strict=True))


# Unit-square polylines (y grows downwards), one list of strokes per digit.
TEMPLATES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_ellipse(0.5, 0.5, 0.3, 0.45)],
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
    9: [
        [*_ellipse(0.5, 0.3, 0.26, 0.25, start=math.pi / 2), (0.76, 0.3), (0.72, 0.96)]
    ],
}


def _densify(points: np.ndarray, step: float = 0.02) -> np.ndarray:
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(1, int(np.linalg.norm(b - a) / step))
        out.extend(a + (b - a) * (i / n) for i in range(1, n + 1))
    return np.array(out)


def random_drawing(
    digit: int, size: float, brush: float, rng: np.random.Generator
) -> Drawing:
    """One jittered drawing of ``digit`` whose height is ``size`` canvas units."""
    slant = rng.uniform(-0.25, 0.25)
    aspect = rng.uniform(0.75, 1.15)
    angle = math.radians(rng.uniform(-8, 8))
    rot = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    centre = rng.uniform(0.3, 0.7, size=2) * CANVAS_SIZE
    strokes = []
    for template in TEMPLATES[digit]:
        pts = _densify(np.array(template, dtype=float)) - 0.5
        pts[:, 0] = (pts[:, 0] + slant * -pts[:, 1]) * aspect
        pts += rng.normal(0, 0.012, size=pts.shape)
        pts = pts @ rot.T * size + centre
        strokes.append(Stroke(tuple(map(tuple, pts)), width=brush))
    return Drawing(tuple(strokes))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50, help="drawings per digit")
    args = parser.parse_args()
    network = load_model().network
    rng = np.random.default_rng(0)
    print(f"{args.count * 10} drawings per row; canvas {CANVAS_SIZE:g} units")
    for brush in (BRUSH, 30.0):
        for label, size in (("full height", 196.0), ("a third", 93.0)):
            as_drawn_hits = proportional_hits = 0
            for digit in range(10):
                for _ in range(args.count):
                    drawing = random_drawing(digit, size, brush, rng)
                    bitmap = render(drawing, 280)
                    as_drawn = to_mnist(bitmap, polarity="light_on_dark")
                    scaled = drawing_to_mnist(drawing)
                    as_drawn_hits += _hit(network, as_drawn, digit)
                    proportional_hits += _hit(network, scaled, digit)
            total = 10 * args.count
            print(
                f"brush {brush:>4g}, {label:11s}: brush as drawn "
                f"{as_drawn_hits / total:6.1%}, pen proportional to the digit "
                f"{proportional_hits / total:6.1%}"
            )


def _hit(network, image: np.ndarray | None, digit: int) -> int:
    return int(image is not None and network.predict(image)[0].argmax() == digit)


if __name__ == "__main__":
    main()

"""Synthetic hand-written numbers: template digits side by side on a wide canvas.

Digits come from `tests.support.handwriting.random_drawing` with a few writers'
`Style`s (some write a 7 or a 4 in two strokes, cross their 7s, lift the pen for the
hat of a 5). The canvas is ``CANVAS_SIZE`` (280) units high and as wide as the number
needs. Gaps between neighbours are mostly normal, sometimes tight, sometimes
overlapping in x (a slanted 7 over a 1) and now and then touching.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke, render
from tests.support.handwriting import PLAIN, Style, ellipse, random_drawing

# A European hand: crossed 7, open 4, 5 with a lifted hat, a 9 as a loop and a
# separate stem. (Its 1 keeps the short flag: the shipped model reads a 1 with a
# long flag as a 7 half the time even alone, which is no matter of segmentation.)
EUROPEAN = Style(
    templates={
        4: [[(0.45, 0.04), (0.16, 0.62), (0.86, 0.62)], [(0.68, 0.26), (0.66, 0.96)]],
        5: [
            [
                (0.3, 0.07),
                (0.26, 0.45),
                (0.55, 0.38),
                (0.78, 0.55),
                (0.76, 0.82),
                (0.48, 0.96),
                (0.2, 0.88),
            ],
            [(0.36, 0.01), (0.84, 0.0)],
        ],
        7: [[(0.15, 0.07), (0.85, 0.07), (0.42, 0.96)], [(0.42, 0.5), (0.84, 0.5)]],
        9: [
            ellipse(0.48, 0.28, 0.26, 0.24, start=math.pi / 2),
            [(0.74, 0.22), (0.72, 0.96)],
        ],
    },
    slant=0.08,
    aspect=0.95,
    wobble=1.2,
)
# A mouse user's upright, narrow hand: the 7 and the 4 in two strokes each.
MOUSE = Style(
    templates={
        4: [[(0.55, 0.04), (0.15, 0.65), (0.85, 0.65)], [(0.66, 0.3), (0.66, 0.96)]],
        7: [[(0.15, 0.07), (0.85, 0.07)], [(0.85, 0.07), (0.42, 0.96)]],
    },
    slant=-0.05,
    aspect=0.85,
)
STYLES: tuple[Style, ...] = (PLAIN, EUROPEAN, MOUSE)

# How the gap to the previous digit is drawn: (name, probability, low, high) with the
# gap between the ink boxes in digit heights (negative: overlapping in x).
SPACINGS = (
    ("normal", 0.70, 0.10, 0.45),
    ("tight", 0.14, 0.0, 0.10),
    ("overlapping", 0.10, -0.15, 0.0),
    ("touching", 0.06, 0.0, 0.0),
)


@dataclass(frozen=True)
class Number:
    """A composed number: the drawing, its digits, and each digit's own drawing."""

    drawing: Drawing
    digits: tuple[int, ...]
    parts: tuple[Drawing, ...]
    spacings: tuple[str, ...]  # how each digit after the first was spaced
    width: float  # canvas width needed, in canvas units

    @property
    def text(self) -> str:
        """The number as a string of digits."""
        return "".join(map(str, self.digits))


def _points(drawing: Drawing, step: float = 2.0) -> np.ndarray:
    """The strokes' centre lines as points at most ``step`` apart.

    Traced digits are polylines of a few vertices: their vertices alone would let a
    neighbour slide through a long bar before any two came near.
    """
    out = []
    for stroke in drawing.strokes:
        xy = stroke._xy
        out.append(xy[:1])
        for a, b in itertools.pairwise(xy):
            n = max(1, math.ceil(float(np.hypot(*(b - a))) / step))
            out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.concatenate(out)


def _shifted(drawing: Drawing, dx: float, dy: float = 0.0) -> Drawing:
    return Drawing(
        tuple(
            Stroke(tuple(map(tuple, s._xy + np.array([dx, dy]))), s.width, s.erase)
            for s in drawing.strokes
        )
    )


def _min_distance(a: np.ndarray, b: np.ndarray) -> float:
    # Only points near the facing edges matter; keeps the pairwise matrix small.
    a = a[a[:, 0] >= b[:, 0].min() - 60.0]
    b = b[b[:, 0] <= a[:, 0].max() + 60.0] if len(a) else b
    if not len(a) or not len(b):
        return math.inf
    d = a[:, None, :] - b[None, :, :]
    return float(np.sqrt((d**2).sum(axis=-1)).min())


def random_number(
    digits: list[int] | tuple[int, ...],
    rng: np.random.Generator,
    *,
    styles: tuple[Style, ...] = STYLES,
    brush: float | None = None,
    spacing: str | None = None,
) -> Number:
    """Compose ``digits`` on a wide canvas in one writer's hand.

    The writer (one of ``styles``), the digit height (150-230 units), the brush
    (default 18, sometimes 10-28) and each gap (see `side_by_side`) are random.
    """
    style = styles[int(rng.integers(len(styles)))]
    height = float(rng.uniform(150, 230))
    if brush is None:
        brush = 18.0 if rng.random() < 0.7 else float(rng.uniform(10, 28))
    drawings = []
    for digit in digits:
        size = height * float(rng.uniform(0.92, 1.08))
        cy = CANVAS_SIZE / 2 + float(rng.uniform(-0.04, 0.04)) * height
        drawings.append(
            random_drawing(int(digit), size, brush, rng, style=style, centre=(0, cy))
        )
    return side_by_side(drawings, digits, height, brush, rng, spacing=spacing)


def side_by_side(
    drawings: list[Drawing],
    digits: list[int] | tuple[int, ...],
    height: float,
    brush: float,
    rng: np.random.Generator,
    *,
    spacing: str | None = None,
) -> Number:
    """Set the digits' drawings left to right with a person's gaps.

    Each gap is drawn from `SPACINGS` (or is always ``spacing``), in units of
    ``height``. Digits keep at least a brush width of paper between them unless
    they are "touching", where the next digit moves left until the two inks meet.
    """
    names = [s[0] for s in SPACINGS]
    weights = np.array([s[1] for s in SPACINGS])
    parts: list[Drawing] = []
    used: list[str] = []
    right = 20.0  # right edge of the ink so far
    previous = np.empty((0, 2))  # the last digit's points, where it was placed
    for i, part in enumerate(drawings):
        pts = _points(part)
        dx = right - pts[:, 0].min()
        if i > 0:
            p = weights / weights.sum()
            kind = spacing or names[int(rng.choice(len(names), p=p))]
            low, high = next((lo, hi) for n, _, lo, hi in SPACINGS if n == kind)
            dx += float(rng.uniform(low, high)) * height + brush
            # Touching: slide left until the inks meet (pen discs overlap); else
            # keep some paper between the inks, whatever the x overlap.
            touching = kind == "touching"
            for _ in range(200):
                near = _min_distance(previous, pts + np.array([dx, 0.0]))
                if (near <= brush * 0.9) if touching else (near >= brush * 1.5):
                    break
                dx += -2.0 if touching else 2.0
            used.append(kind)
        parts.append(_shifted(part, dx))
        previous = pts + np.array([dx, 0.0])
        right = max(right, float(previous[:, 0].max()))
    strokes = tuple(s for p in parts for s in p.strokes)
    return Number(
        drawing=Drawing(strokes),
        digits=tuple(int(d) for d in digits),
        parts=tuple(parts),
        spacings=tuple(used),
        width=right + 20.0 + brush,
    )


def picture(number: Number, k: int, rng: np.random.Generator) -> np.ndarray:
    """The number as a picture, with the brush as drawn.

    Even ``k``: white on black, 280 px high (the canvas' own rendering); odd ``k``:
    dark grey on light grey paper with some noise, 140 px high, like a scan.
    """
    if k % 2 == 0:
        return render(number.drawing, 280, width=math.ceil(number.width))
    return on_paper(render(number.drawing, 140, width=math.ceil(number.width / 2)), rng)


def on_paper(bitmap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A rendering (ink 255 on 0) as dark grey ink on noisy light grey paper, uint8."""
    paper = 235.0 - 200.0 * bitmap / 255.0
    noise = rng.normal(0.0, 6.0, paper.shape)
    return np.clip(paper + noise, 0, 255).astype(np.uint8)


def fitted(number: Number, width: float, height: float = CANVAS_SIZE) -> Drawing:
    """The number scaled (pen included) and centred to fit a ``width`` x ``height``
    canvas with a margin, as a person writes a long number smaller to fit it."""
    x0, y0, x1, y1 = number.drawing.ink_bounds()
    k = min(1.0, 0.9 * width / (x1 - x0), 0.9 * height / (y1 - y0))
    dx = width / 2 - k * (x0 + x1) / 2
    dy = height / 2 - k * (y0 + y1) / 2
    return Drawing(
        tuple(
            Stroke(tuple(map(tuple, s._xy * k + (dx, dy))), s.width * k, s.erase)
            for s in number.drawing.strokes
        )
    )

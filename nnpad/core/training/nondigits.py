"""Drawings that are not digits, for teaching and testing "not a digit".

A deterministic generator of hand-drawn-looking non-digits on the 280x280 logical
canvas, in five families (the templates, and why some letters and symbols are left
out, are in `nnpad.core.training.nondigit_glyphs` and
`nnpad.core.training.nondigit_sketches`):

- ``scribble``: zigzags, random walks, tangles, hatching, cursive loops, waves, bumps,
  scratches;
- ``shape``: triangle, square, diamond, star, heart, spiral, arrow, X mark, hash,
  plus, asterisk, smiley, house, check mark, cube, envelope, flower, sun, stick man,
  ticked box, mountains, trapezoid;
- ``letter``: A C E F H K L M N R T U V W X Y k m n r u v w λ Σ Ψ Ж И (no letter a
  person could read as a digit);
- ``symbol``: @ & % ? = ~ ÷ < > ∞ € π √ - ^ : ± ≠ ≈ ¥;
- ``noise``: a single dot, scattered dots, specks, clutter, a smudge, dashes, a dotted
  line.

Every drawing gets a writer's jitter (slant, aspect, rotation, tremor), a size and a
place on the canvas and a brush of 10-30 units, and is rendered exactly as the canvas
is, with `nnpad.core.reading.preprocess.drawing_to_mnist`.

Held-out protocol. Item ``i`` of seed ``s`` depends only on ``(s, i)``. Training uses
``split="train"``, whose kinds exclude `HELD_OUT_KINDS`, with small seeds (the
recipe's seed); thresholds are chosen on `SELECTION_SEED` and figures reported on
`TEST_SEED`, both with ``split="all"``: the reported set holds new drawings of the
trained kinds and drawings of kinds never trained on (reported apart).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke
from nnpad.core.reading.preprocess import drawing_to_mnist
from nnpad.core.training.nondigit_glyphs import LETTERS, SYMBOLS, Maker, Polylines
from nnpad.core.training.nondigit_sketches import NOISE, SCRIBBLES, SHAPES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FAMILIES",
    "HELD_OUT_KINDS",
    "KINDS",
    "SELECTION_SEED",
    "TEST_SEED",
    "NonDigit",
    "nondigit_drawings",
    "nondigit_images",
    "render_nondigits",
]

Split = Literal["train", "all", "held_out"]

SELECTION_SEED = 900_001
"""Seed of the drawings thresholds are chosen on (never trained on)."""
TEST_SEED = 900_002
"""Seed of the drawings figures are reported on (never trained on or tuned on)."""


@dataclass(frozen=True)
class NonDigit:
    """One generated drawing and what it is."""

    family: str
    kind: str
    drawing: Drawing


def _densify(points: np.ndarray, step: float) -> np.ndarray:
    """Insert points so no segment is longer than ``step`` (as a mouse reports)."""
    if len(points) < 2:
        return points
    seg = np.diff(points, axis=0)
    counts = np.maximum(1, np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step)).astype(int)
    parts = [
        points[i] + seg[i] * (np.arange(c)[:, None] / c) for i, c in enumerate(counts)
    ]
    return np.vstack((*parts, points[-1:]))


def _fit_unit(lines: Polylines) -> Polylines:
    """Scale and move polylines so their box is centred in [0, 1]^2, aspect kept."""
    allp = np.vstack(lines)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = max(float((hi - lo).max()), 1e-9)
    offset = (1.0 - (hi - lo) / span) / 2
    return [(p - lo) / span + offset for p in lines]


MAKERS: dict[str, dict[str, Maker]] = {
    "scribble": SCRIBBLES,
    "shape": SHAPES,
    "letter": LETTERS,
    "symbol": SYMBOLS,
    "noise": NOISE,
}
FAMILIES: tuple[str, ...] = tuple(MAKERS)
KINDS: dict[str, tuple[str, ...]] = {f: tuple(m) for f, m in MAKERS.items()}
HELD_OUT_KINDS: frozenset[str] = frozenset(
    {"loops", "bumps", "heart", "house", "flower", "K", "R", "W", "Ж", "&", "€", "≠"}
    | {"specks", "dashes"}
)
"""Kinds never used for training (``split="train"``): generalisation is measured on
them. One or more per family."""

# How much a writer's hand may turn a drawing (degrees): letters and symbols stay
# nearly upright (an N turned by 90 degrees is a Z, a 2), and so do the scribbles
# with a direction (upright loops or waves read as 3s and 2s).
_MAX_ROTATION = {
    "scribble": 20.0,
    "shape": 20.0,
    "letter": 10.0,
    "symbol": 10.0,
    "noise": 0.0,
}
_FREE_ROTATION = frozenset({"random_walk", "tangle", "hatching"})
_MARGIN = 10.0  # canvas units kept clear around the ink box


def _kinds(families: Sequence[str] | None, split: Split) -> dict[str, list[str]]:
    chosen = FAMILIES if families is None else tuple(families)
    unknown = set(chosen) - set(FAMILIES)
    if unknown or not chosen:
        raise ValueError(f"families must be among {FAMILIES}, got {families!r}")
    if split not in ("train", "all", "held_out"):
        raise ValueError(f"split must be train, all or held_out, got {split!r}")
    table = {}
    for family in chosen:
        names = [
            k
            for k in KINDS[family]
            if split == "all" or (k in HELD_OUT_KINDS) == (split == "held_out")
        ]
        if names:
            table[family] = names
    if not table:
        raise ValueError(f"no kinds of {chosen} in split {split!r}")
    return table


def _place(
    lines: Polylines, kind: str, family: str, rng: np.random.Generator
) -> Polylines:
    """Apply a writer's jitter and put the drawing somewhere on the canvas."""
    lines = _fit_unit(lines)
    slant = rng.uniform(-0.2, 0.2)
    aspect = rng.uniform(0.75, 1.3)
    turn = 180.0 if kind in _FREE_ROTATION else _MAX_ROTATION[family]
    angle = math.radians(rng.uniform(-turn, turn))
    rot = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    # Mostly the size of a digit drawn on the canvas, sometimes small.
    size = rng.uniform(50, 230) if rng.random() < 0.85 else rng.uniform(15, 50)
    wobble = rng.uniform(0.004, 0.015)
    shaped = []
    for p in lines:
        q = (_densify(p, 0.02) if len(p) > 1 else p) - 0.5
        q[:, 0] = (q[:, 0] - slant * q[:, 1]) * aspect
        shaped.append((q + rng.normal(0, wobble, size=q.shape)) @ rot.T)
    # The longer side of the ink box becomes ``size``, and the box lies on the canvas.
    allp = np.vstack(shaped)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    scale = size / max(float((hi - lo).max()), 1e-9)
    room = CANVAS_SIZE - 2 * _MARGIN - (hi - lo) * scale
    corner = _MARGIN + rng.uniform(0, 1, size=2) * np.maximum(room, 0)
    return [(q - lo) * scale + corner for q in shaped]


def _one(seed: int, index: int, table: dict[str, list[str]]) -> NonDigit:
    rng = np.random.default_rng([seed, index])
    families = list(table)
    family = families[int(rng.integers(len(families)))]
    kind = table[family][int(rng.integers(len(table[family])))]
    lines = _place(MAKERS[family][kind](rng), kind, family, rng)
    brush = float(rng.uniform(10, 30))
    strokes = tuple(Stroke(tuple(map(tuple, p.tolist())), width=brush) for p in lines)
    return NonDigit(family, kind, Drawing(strokes))


def nondigit_drawings(
    n: int,
    seed: int,
    families: Sequence[str] | None = None,
    *,
    split: Split = "all",
    start: int = 0,
) -> list[NonDigit]:
    """Generate ``n`` non-digit drawings; the same arguments give the same drawings.

    Parameters
    ----------
    n
        How many.
    seed
        Item ``i`` depends only on ``(seed, families, split, i)``, so a longer list
        starts with the shorter one.
    families
        Families to draw from, each equally likely (default: all of `FAMILIES`); the
        kinds within a family are equally likely too.
    split
        ``"train"``: kinds not in `HELD_OUT_KINDS`; ``"held_out"``: only those;
        ``"all"``: every kind.
    start
        Index of the first item.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    table = _kinds(families, split)
    return [_one(seed, i, table) for i in range(start, start + n)]


def render_nondigits(items: Iterable[NonDigit]) -> tuple[np.ndarray, list[NonDigit]]:
    """Render drawings through the canvas pipeline as uint8 MNIST images.

    Returns the images ``(m, 28, 28)`` (0..255) and the items that had ink (those
    that render to nothing are dropped).
    """
    images, kept = [], []
    for item in items:
        image = drawing_to_mnist(item.drawing)
        if image is not None:
            images.append(np.rint(image * 255.0).astype(np.uint8))
            kept.append(item)
    stack = np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
    return stack, kept


def nondigit_images(
    n: int,
    seed: int,
    families: Sequence[str] | None = None,
    *,
    split: Split = "all",
) -> np.ndarray:
    """``n`` rendered non-digits, uint8 ``(n, 28, 28)`` in 0..255 (MNIST's scale).

    Drawings that render to nothing are replaced by the next items of the same seed.
    """
    images, _ = render_nondigits(nondigit_drawings(n, seed, families, split=split))
    start = n
    while len(images) < n:
        more, _ = render_nondigits(
            nondigit_drawings(n - len(images), seed, families, split=split, start=start)
        )
        start += n
        images = np.concatenate((images, more))
    return images

"""Shapes, scribbles and noise that are not digits, for `nnpad.core.training.nondigits`.

Makers as in `nnpad.core.training.nondigit_glyphs`. No circle or oval is made (a 0),
no lone straight stroke (a 1; a horizontal one is the symbol ``-``), and a zigzag has
at least five segments (three make an N, or a Z: a 2). A tiny flick of the pen is not
made either: normalised to the 20x20 box it is exactly a 1 (see
`nnpad.core.reading.verdict`).
"""

from __future__ import annotations

import math

import numpy as np

from nnpad.core.training.nondigit_glyphs import (
    TAU,
    Maker,
    Polylines,
    arc,
    fixed,
    poly,
    ray,
)

__all__ = ["NOISE", "SCRIBBLES", "SHAPES"]


# -- scribbles ------------------------------------------------------------------------


def _zigzag(rng: np.random.Generator) -> Polylines:
    k = int(rng.integers(6, 14))
    x = np.linspace(0, 1, k) + rng.normal(0, 0.02, k)
    y = (np.arange(k) % 2 + rng.normal(0, 0.08, k)) * rng.uniform(0.3, 1.0)
    return [np.column_stack((x, y))]


def _random_walk(rng: np.random.Generator) -> Polylines:
    # Long and wandering: a short walk is often just a bent stroke, a 1 with a flag
    # or a 7, and training on those made the network doubt real ones.
    n = int(rng.integers(60, 160))
    heading = np.cumsum(rng.normal(0, 0.7, n)) + rng.uniform(0, TAU)
    return [np.cumsum(np.column_stack((np.cos(heading), np.sin(heading))), axis=0)]


def _tangle(rng: np.random.Generator) -> Polylines:
    t = np.linspace(0, TAU, 200)
    lines = []
    for _ in range(int(rng.integers(1, 3))):
        fx, fy, gx, gy = rng.integers(2, 8, size=4)
        px, py = rng.uniform(0, TAU, size=2)
        x = np.sin(fx * t + px) + 0.4 * np.sin(gx * t)
        y = np.sin(fy * t + py) + 0.4 * np.cos(gy * t)
        lines.append(np.column_stack((x, y))[: int(rng.integers(120, 200))])
    return lines


def _hatching(rng: np.random.Generator) -> Polylines:
    lines = []
    for direction in range(1 + int(rng.random() < 0.4)):
        angle = rng.uniform(0, math.pi) + direction * math.pi / 2
        d, normal = ray(angle), ray(angle + math.pi / 2)
        for off in np.linspace(-0.5, 0.5, int(rng.integers(3, 9))):
            half = rng.uniform(0.35, 0.5)
            lines.append(np.vstack((off * normal - half * d, off * normal + half * d)))
    return lines


def _loops(rng: np.random.Generator) -> Polylines:
    turns = int(rng.integers(3, 7))
    t = np.linspace(0, TAU * turns, 40 * turns)
    b, h = rng.uniform(0.8, 1.6), rng.uniform(2, 4)
    return [np.column_stack((t - b * np.sin(t), -h * np.cos(t)))]


def _wave(rng: np.random.Generator) -> Polylines:
    t = np.linspace(0, 1, 80)
    y = np.sin(TAU * rng.uniform(2, 5) * t) * rng.uniform(0.1, 0.4)
    return [np.column_stack((t, y))]


def _bumps(rng: np.random.Generator) -> Polylines:
    k = int(rng.integers(3, 7))
    t = np.linspace(0, k * math.pi, 24 * k)
    return [np.column_stack((t, -np.abs(np.sin(t)) * rng.uniform(0.8, 1.5)))]


def _scratch(rng: np.random.Generator) -> Polylines:
    k = int(rng.integers(8, 20))
    x = np.linspace(0, 1, k) + rng.normal(0, 0.01, k)
    y = np.resize([0.0, 0.25], k) + rng.normal(0, 0.03, k)
    return [np.column_stack((x, y + np.linspace(0, rng.uniform(0, 0.5), k)))]


# -- shapes ---------------------------------------------------------------------------


def _polygon(rng: np.random.Generator, corners: int, start: float) -> Polylines:
    a = (
        start
        + np.arange(corners + 1) * TAU / corners
        + rng.normal(0, 0.08, corners + 1)
    )
    a[-1] = a[0] + TAU + rng.normal(0, 0.05)  # a slight overdraw or gap
    r = rng.uniform(0.85, 1.0, corners + 1)
    r[-1] = r[0]
    return [np.column_stack((r * np.cos(a), r * np.sin(a)))]


def _star(rng: np.random.Generator) -> Polylines:
    if rng.random() < 0.5:  # a pentagram in one stroke
        a = -math.pi / 2 + np.arange(6) * 2 * TAU / 5
        return [np.column_stack((np.cos(a), np.sin(a)))]
    a = -math.pi / 2 + np.arange(11) * math.pi / 5
    r = np.where(np.arange(11) % 2 == 0, 1.0, rng.uniform(0.35, 0.5))
    return [np.column_stack((r * np.cos(a), r * np.sin(a)))]


def _heart(rng: np.random.Generator) -> Polylines:
    t = np.linspace(0, TAU, 60)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.column_stack((x, y))]


def _spiral(rng: np.random.Generator) -> Polylines:
    turns = rng.uniform(2, 4)
    t = np.linspace(0, TAU * turns, int(50 * turns)) * rng.choice([-1.0, 1.0])
    r = 0.1 + np.abs(t)
    return [np.column_stack((r * np.cos(t), r * np.sin(t)))]


def _arrow(rng: np.random.Generator) -> Polylines:
    angle = rng.uniform(0, TAU)
    tip = ray(angle, 0.5)
    barbs = [
        tip
        + ray(angle + math.pi + side * rng.uniform(0.4, 0.7), rng.uniform(0.2, 0.35))
        for side in (-1, 1)
    ]
    if rng.random() < 0.5:
        return [np.vstack((-tip, tip)), np.vstack((barbs[0], tip, barbs[1]))]
    return [np.vstack((-tip, tip, barbs[0])), np.vstack((tip, barbs[1]))]


def _hash(rng: np.random.Generator) -> Polylines:
    a, b = rng.uniform(0.25, 0.38), rng.uniform(0.62, 0.75)
    slanted = f"{a + 0.1} 0, {a - 0.05} 1; {b + 0.1} 0, {b - 0.05} 1"
    return poly(f"{slanted}; 0 {a}, 1 {a}; 0 {b}, 1 {b}")


def _plus(rng: np.random.Generator) -> Polylines:
    x, y = rng.uniform(0.4, 0.6, size=2)
    return poly(f"{x} 0, {x} 1; 0 {y}, 1 {y}")


def _asterisk(rng: np.random.Generator) -> Polylines:
    k = int(rng.integers(3, 5))
    a0 = rng.uniform(0, math.pi)
    return [
        np.vstack((-ray(a0 + i * math.pi / k), ray(a0 + i * math.pi / k)))
        for i in range(k)
    ]


def _smiley(rng: np.random.Generator) -> Polylines:
    face = arc(0, 0, 1, 1, -math.pi / 2, 1.5 * math.pi + 0.2)
    eyes = poly("-0.35 -0.3; 0.35 -0.3")
    if rng.random() < 0.5:
        eyes = poly("-0.35 -0.42, -0.35 -0.2; 0.35 -0.42, 0.35 -0.2")
    mouth = arc(0, 0.05, 0.55, rng.uniform(0.3, 0.5), 0.3, math.pi - 0.3)
    return [face, *eyes, mouth]


def _house(rng: np.random.Generator) -> Polylines:
    door = "; .42 1, .42 .72, .58 .72, .58 1" if rng.random() < 0.5 else ""
    return poly(".1 .45, .1 1, .9 1, .9 .45, .1 .45; .02 .5, .5 0, .98 .5" + door)


def _check(rng: np.random.Generator) -> Polylines:
    return poly(f"0 .6, .35 1, 1 {rng.uniform(0, 0.15)}")


def _cube(rng: np.random.Generator) -> Polylines:
    d = rng.uniform(0.2, 0.35)
    front = f"0 {d}, {1 - d} {d}, {1 - d} 1, 0 1, 0 {d}"
    back = f"0 {d}, {d} 0, 1 0, 1 {1 - d}, {1 - d} 1; {1 - d} {d}, 1 0"
    return poly(f"{front}; {back}")


def _flower(rng: np.random.Generator) -> Polylines:
    petals = int(rng.integers(5, 9))
    t = np.linspace(0, TAU, 30 * petals)
    r = 0.35 + 0.65 * np.abs(np.sin(petals * t / 2))
    return [np.column_stack((r * np.cos(t), r * np.sin(t)))]


def _sun(rng: np.random.Generator) -> Polylines:
    rays = int(rng.integers(6, 11))
    disc = arc(0, 0, 0.45, 0.45, 0, TAU + 0.2)
    angles = rng.uniform(0, TAU) + np.arange(rays) * TAU / rays
    return [disc, *(np.vstack((ray(a, 0.6), ray(a, 1.0))) for a in angles)]


def _stickman(rng: np.random.Generator) -> Polylines:
    head = arc(0.5, 0.15, 0.13, 0.15, 0, TAU)
    arms = f"{rng.uniform(0.05, 0.2)} {rng.uniform(0.25, 0.6)}, .5 .42, .9 .4"
    return [head, *poly(f".5 .3, .5 .7; {arms}; .2 1, .5 .7, .8 1")]


def _mountain(rng: np.random.Generator) -> Polylines:
    peaks = int(rng.integers(2, 5))
    x = np.linspace(0, 1, 2 * peaks + 1)
    y = np.where(
        np.arange(2 * peaks + 1) % 2 == 1, rng.uniform(0, 0.4, 2 * peaks + 1), 1
    )
    return [np.column_stack((x, y))]


# -- noise ----------------------------------------------------------------------------


def _single_dot(rng: np.random.Generator) -> Polylines:
    return [np.array([[0.5, 0.5]])]


def _dots(rng: np.random.Generator) -> Polylines:
    return [p[None] for p in rng.uniform(0, 1, size=(int(rng.integers(2, 40)), 2))]


def _specks(rng: np.random.Generator) -> Polylines:
    lines = []
    for centre in rng.uniform(0, 1, size=(int(rng.integers(5, 40)), 2)):
        d = ray(rng.uniform(0, TAU), rng.uniform(0.01, 0.05))
        lines.append(np.vstack((centre - d, centre + d)))
    return lines


def _clutter(rng: np.random.Generator) -> Polylines:
    lines = []
    for _ in range(int(rng.integers(5, 20))):
        steps = rng.normal(
            0, rng.uniform(0.03, 0.15), size=(int(rng.integers(2, 6)), 2)
        )
        lines.append(np.cumsum(np.vstack((rng.uniform(0, 1, 2), steps)), axis=0))
    return lines


def _smudge(rng: np.random.Generator) -> Polylines:
    """Shading rubbed into one patch: many short back-and-forth strokes."""
    n = int(rng.integers(3, 8))
    centre = rng.normal(0, 0.15, size=(n, 2))
    d = rng.normal(0, 0.25, size=(n, 2))
    k = int(rng.integers(4, 9))
    return [
        c + d_ * np.resize([-1.0, 1.0], k)[:, None]
        for c, d_ in zip(centre, d, strict=True)
    ]


def _dashes(rng: np.random.Generator) -> Polylines:
    lines = []
    for start in rng.uniform(0, 1, size=(int(rng.integers(3, 9)), 2)):
        lines.append(
            np.vstack(
                (start, start + np.array([rng.uniform(0.08, 0.2), rng.normal(0, 0.02)]))
            )
        )
    return lines


def _dotted(rng: np.random.Generator) -> Polylines:
    k = int(rng.integers(5, 14))
    x = np.linspace(0, 1, k)
    y = rng.uniform(-0.3, 0.3) * x + 0.1 * np.sin(x * rng.uniform(0, 6))
    return [p[None] for p in np.column_stack((x, y))]


SCRIBBLES: dict[str, Maker] = {
    "zigzag": _zigzag,
    "random_walk": _random_walk,
    "tangle": _tangle,
    "hatching": _hatching,
    "loops": _loops,
    "wave": _wave,
    "bumps": _bumps,
    "scratch": _scratch,
}
SHAPES: dict[str, Maker] = {
    "triangle": lambda rng: _polygon(rng, 3, -math.pi / 2 + rng.choice([0, math.pi])),
    "square": lambda rng: _polygon(rng, 4, math.pi / 4),
    "diamond": lambda rng: _polygon(rng, 4, -math.pi / 2),
    "star": _star,
    "heart": _heart,
    "spiral": _spiral,
    "arrow": _arrow,
    "x_mark": fixed("0 0, 1 1; 1 0, 0 1"),
    "hash": _hash,
    "plus": _plus,
    "asterisk": _asterisk,
    "smiley": _smiley,
    "house": _house,
    "check": _check,
    "cube": _cube,
    "envelope": fixed("0 0, 1 0, 1 .7, 0 .7, 0 0, .5 .4, 1 0"),
    "flower": _flower,
    "sun": _sun,
    "stickman": _stickman,
    "checkbox": fixed("0 .2, .8 .2, .8 1, 0 1, 0 .2; .15 .55, .4 .85, 1 0"),
    "mountain": _mountain,
    "trapezoid": fixed(".25 0, .75 0, 1 .6, 0 .6, .25 0"),
}
NOISE: dict[str, Maker] = {
    "dot": _single_dot,
    "dots": _dots,
    "specks": _specks,
    "clutter": _clutter,
    "smudge": _smudge,
    "dashes": _dashes,
    "dotted": _dotted,
}

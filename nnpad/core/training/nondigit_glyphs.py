r"""Letters and symbols that are not digits, and the polyline helpers of the templates.

A template is a maker: ``maker(rng) -> list of (n, 2) polylines`` in any box (y grows
downwards); `nnpad.core.training.nondigits` fits them into a unit box, jitters them like
a hand and places them on the canvas. Fixed ones are written as ``"x y, x y; x y, x y"``
(``;`` separates strokes; a stroke of one point is a dot). Shapes, scribbles and noise
are in `nnpad.core.training.nondigit_sketches`.

Letters kept: A C E F H K L M N R T U V W X Y, lowercase k m n r u v w, and λ Σ Ψ Ж И.
Left out because a person could call them a digit, or they are a digit's usual shape:
O o D Q (0), I l i j J (1: one upright stroke, the dot is a speck), Z z (2), S s (5),
B (8 or 3), G b (6), g q (9), P (a 9 seen in a mirror), lowercase a (9 or 2), e (6),
h y (an open 4), t (a crossed 4), Greek α δ (a, 6), Я (near a mirrored 9). Symbols
left out for the same reason: / \ ( ) | (1), ! (a 1 with a speck: trained on, it
made the network doubt real 1s with a flag), $ § (5, 8), ° (0), { } (3), £ (2), ♪ (9).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["LETTERS", "SYMBOLS", "Maker", "Polylines", "arc", "fixed", "poly", "ray"]

Polylines = list[np.ndarray]
Maker = Callable[[np.random.Generator], Polylines]
TAU = 2 * math.pi


def poly(text: str) -> Polylines:
    """Parse ``"x y, x y; x y"`` into polylines."""
    return [
        np.array([[float(v) for v in p.split()] for p in s.split(",")])
        for s in text.split(";")
    ]


def fixed(text: str) -> Maker:
    """A maker that always returns the polylines of ``text``."""
    lines = poly(text)
    return lambda rng: [p.copy() for p in lines]


def smooth(points: np.ndarray, per_segment: int = 8) -> np.ndarray:
    """A Catmull-Rom curve through ``points``."""
    p = np.vstack((points[:1], points, points[-1:]))
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    out = [
        0.5
        * (
            2 * p1
            + (p2 - p0) * t
            + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
            + (3 * p1 - p0 - 3 * p2 + p3) * t**3
        )
        for p0, p1, p2, p3 in zip(p[:-3], p[1:-2], p[2:-1], p[3:], strict=True)
    ]
    return np.vstack((*out, points[-1:]))


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float) -> np.ndarray:
    """Points on an ellipse from angle ``a0`` to ``a1`` (0 is right, y down)."""
    t = np.linspace(a0, a1, max(4, int(abs(a1 - a0) * 8)))
    return np.column_stack((cx + rx * np.cos(t), cy + ry * np.sin(t)))


def ray(angle: float, length: float = 1.0) -> np.ndarray:
    """The vector of ``length`` at ``angle`` (radians)."""
    return length * np.array([math.cos(angle), math.sin(angle)])


# -- letters --------------------------------------------------------------------------

_R_BOWL = arc(0.5, 0.24, 0.3, 0.24, -math.pi / 2, math.pi / 2)
_LETTER_LINES: dict[str, Polylines] = {
    "A": poly(".1 1, .5 0, .9 1; .28 .6, .72 .6"),
    "C": [arc(0.55, 0.5, 0.45, 0.5, -0.25 * math.pi, -1.75 * math.pi)],
    "E": poly(".8 0, .2 0, .2 1, .8 1; .2 .5, .65 .5"),
    "F": poly(".8 0, .2 0, .2 1; .2 .5, .65 .5"),
    "H": poly(".2 0, .2 1; .8 0, .8 1; .2 .5, .8 .5"),
    "K": poly(".25 0, .25 1; .8 0, .25 .55; .4 .42, .8 1"),
    "L": poly(".25 0, .25 1, .8 1"),
    "M": poly(".1 1, .15 0, .5 .6, .85 0, .9 1"),
    "N": poly(".2 1, .2 0, .8 1, .8 0"),
    "R": [
        np.vstack(([[0.25, 1], [0.25, 0]], _R_BOWL, [[0.25, 0.48]])),
        *poly(".45 .48, .8 1"),
    ],
    "T": poly(".1 0, .9 0; .5 0, .5 1"),
    "U": [np.vstack(([[0.2, 0]], arc(0.5, 0.68, 0.3, 0.32, math.pi, 0), [[0.8, 0]]))],
    "V": poly(".1 0, .5 1, .9 0"),
    "W": poly(".05 0, .27 1, .5 .35, .73 1, .95 0"),
    "X": poly(".15 0, .85 1; .85 0, .15 1"),
    "Y": poly(".15 0, .5 .5, .85 0; .5 .5, .5 1"),
    "m": [
        np.vstack(
            (
                [[0.05, 1], [0.05, 0.3]],
                arc(0.275, 0.4, 0.225, 0.3, math.pi, TAU),
                arc(0.725, 0.4, 0.225, 0.3, math.pi, TAU),
                [[0.95, 1]],
            )
        )
    ],
    "n": [
        np.vstack(
            ([[0.2, 1], [0.2, 0.1]], arc(0.5, 0.4, 0.3, 0.3, math.pi, TAU), [[0.8, 1]])
        )
    ],
    "r": [*poly(".3 1, .3 .1"), arc(0.65, 0.45, 0.35, 0.35, math.pi, 1.75 * math.pi)],
    "k": poly(".25 0, .25 1; .75 .35, .25 .75; .42 .6, .8 1"),
    "u": [
        np.vstack(
            ([[0.2, 0]], arc(0.47, 0.7, 0.27, 0.3, math.pi, 0), [[0.8, 0], [0.8, 1]])
        )
    ],
    "v": poly(".15 0, .5 1, .85 0"),
    "w": poly(".05 0, .3 1, .5 .4, .7 1, .95 0"),
    "λ": poly(".2 0, .35 0, .85 1; .55 .45, .15 1"),
    "Σ": poly(".85 0, .15 0, .55 .5, .15 1, .85 1"),
    "Ψ": [
        *poly(".5 0, .5 1"),
        np.vstack(([[0.1, 0.1]], arc(0.5, 0.3, 0.4, 0.35, math.pi, 0), [[0.9, 0.1]])),
    ],
    "Ж": poly(".5 0, .5 1; .05 0, .5 .5, .95 0; .05 1, .5 .5, .95 1"),
    "И": poly(".2 0, .2 1, .8 0, .8 1"),
}


def _copies(lines: Polylines) -> Maker:
    """A maker that draws ``lines`` as they are, whatever the generator."""
    return lambda rng: [q.copy() for q in lines]


LETTERS: dict[str, Maker] = {
    name: _copies(lines) for name, lines in _LETTER_LINES.items()
}


# -- symbols --------------------------------------------------------------------------


def _at(rng: np.random.Generator) -> Polylines:
    inner = arc(0.5, 0.52, 0.17, 0.2, 0, TAU)
    outer = arc(0.5, 0.5, 0.45, 0.48, 0.15 * math.pi, 1.9 * math.pi)
    return [np.vstack((inner, [[0.67, 0.3], [0.67, 0.62], [0.8, 0.7]], outer))]


_AMPERSAND = smooth(
    np.array(
        poly(".9 1, .45 .5, .3 .25, .45 .02, .62 .2, .2 .6, .3 .95, .6 .92, .85 .55")[0]
    )
)
_QUESTION = smooth(poly(".2 .25, .4 .02, .7 .05, .78 .3, .5 .5, .5 .72")[0])


def _infinity(rng: np.random.Generator) -> Polylines:
    t = np.linspace(0, TAU, 60)
    d = 1 + np.sin(t) ** 2
    return [np.column_stack((np.cos(t) / d, np.sin(t) * np.cos(t) / d))]


def _tilde(rng: np.random.Generator) -> Polylines:
    t = np.linspace(0, 1, 30)
    return [np.column_stack((t, 0.12 * np.sin(TAU * t)))]


def _equals(rng: np.random.Generator) -> Polylines:
    gap = rng.uniform(0.2, 0.4)
    return poly(f"0 {0.5 - gap}, 1 {0.5 - gap}; 0 {0.5 + gap}, 1 {0.5 + gap}")


def _minus(rng: np.random.Generator) -> Polylines:
    return poly(f"0 .5, 1 {0.5 + rng.normal(0, 0.03)}")


SYMBOLS: dict[str, Maker] = {
    "@": _at,
    "&": lambda rng: [_AMPERSAND.copy()],
    "%": lambda rng: [
        arc(0.22, 0.2, 0.15, 0.18, 0, TAU),
        *poly(".85 0, .15 1"),
        arc(0.78, 0.8, 0.15, 0.18, 0, TAU),
    ],
    "?": lambda rng: [_QUESTION.copy(), *poly(".5 .97")],
    "=": _equals,
    "~": _tilde,
    "÷": fixed("0 .5, 1 .5; .5 .15; .5 .85"),
    "<": fixed(".8 0, .2 .5, .8 1"),
    ">": fixed(".2 0, .8 .5, .2 1"),
    "∞": _infinity,
    "€": lambda rng: [
        arc(0.6, 0.5, 0.4, 0.5, -0.25 * math.pi, -1.75 * math.pi),
        *poly(".05 .4, .6 .4; .05 .6, .55 .6"),
    ],
    "π": fixed("0 .1, 1 .05; .3 .08, .25 1; .7 .07, .75 .95, .9 1"),
    "√": fixed("0 .6, .15 .5, .35 1, .55 0, 1 0"),
    "-": _minus,
    "^": fixed("0 1, .5 0, 1 1"),
    ":": fixed(".5 .2; .5 .8"),
    "±": fixed("0 .4, 1 .4; .5 0, .5 .8; 0 1, 1 1"),
    "≠": fixed("0 .35, 1 .35; 0 .65, 1 .65; .7 0, .3 1"),
    "≈": lambda rng: [_tilde(rng)[0] + [0, -0.15], _tilde(rng)[0] + [0, 0.15]],
    "¥": fixed(".1 0, .5 .45, .9 0; .5 .45, .5 1; .2 .55, .8 .55; .2 .75, .8 .75"),
}

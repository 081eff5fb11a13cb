"""Marks: the parts of a drawing or a picture whose ink belongs to one digit.

Parts are ink strokes or connected components; sizes are fractions of the line
height ``H`` unless said to be in pen widths.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.reading.segment.common import SPECK, digit_sized

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

# Parts whose ink comes within INK_GAP pen widths of each other (their centre
# lines within a pen width and a third, for strokes) are one mark, however they
# sit side by side (the bar of a 4 ending on its stem), unless the mark would be
# more than JOIN_WIDE times as wide as it is tall (or as H): real digits are at
# most about 1.6 times as wide as tall. The reach never exceeds INK_GAP_MAX * H.
INK_GAP = 0.35
INK_GAP_MAX = 0.2
JOIN_WIDE = 1.6
# Parts overlapping in x by OVERLAP of the narrower one's width (taken as at
# least NARROW * H) that come within TOUCH * H belong to one digit; a short part
# (less than SHORT * H tall, not a speck) or one lying within the other's span
# (WITHIN) may be up to NEAR * H away. A speck joins whatever it touches.
OVERLAP = 0.1
NARROW = 0.1
TOUCH = 0.12
SHORT = 0.4
WITHIN = 0.6
NEAR = 0.3
# A group that is not a speck but not `digit_sized` either (a piece of a stroke
# cut off by a faint or broken pen, the hat of a 5) joins the nearest digit-sized
# group within FRAGMENT * H. Two such fragments with no digit in reach join each
# other when together they are digit-sized: the bowl and floating hat of a small 5.
FRAGMENT = 0.4
# Point sets are thinned to about this many points before measuring distances.
MAX_POINTS = 600


def overlap(a: np.ndarray, b: np.ndarray, height: float) -> float:
    """Horizontal overlap of two boxes ``(x0, y0, x1, y1)``, in narrower widths."""
    ov = min(a[2], b[2]) - max(a[0], b[0])
    narrow = max(min(a[2] - a[0], b[2] - b[0]), NARROW * height)
    return float(ov / narrow)


def widened(box: np.ndarray, height: float) -> np.ndarray:
    """``box``, at least ``NARROW * height`` wide about its middle."""
    half = max(box[2] - box[0], NARROW * height) / 2
    middle = (box[0] + box[2]) / 2
    return np.array([middle - half, box[1], middle + half, box[3]])


def gap(a: np.ndarray, b: np.ndarray) -> float:
    """The larger of the x and y gaps between two boxes (negative: they overlap)."""
    return float(max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3]))


def near_points(a: np.ndarray, b: np.ndarray, within: float) -> np.ndarray:
    """The points of ``a`` within reach of ``b``'s box (only they can be nearest)."""
    lo, hi = b.min(axis=0) - within, b.max(axis=0) + within
    return a[((a >= lo) & (a <= hi)).all(axis=1)]


def distance(a: np.ndarray, b: np.ndarray, within: float) -> float:
    """Smallest distance between two point sets ``(n, 2)``; inf beyond ``within``."""
    a = near_points(a, b, within)
    if not len(a):
        return math.inf
    b = near_points(b, a, within)
    if not len(b):
        return math.inf
    # A few hundred points each is plenty (and bounds the memory).
    a, b = a[:: 1 + len(a) // MAX_POINTS], b[:: 1 + len(b) // MAX_POINTS]
    d = a[:, None, :] - b[None, :, :]
    return float(np.sqrt((d * d).sum(axis=-1).min()))


class Marks:
    """Union-find over parts that keeps each mark's box."""

    def __init__(self, boxes: np.ndarray) -> None:
        self.parent = list(range(len(boxes)))
        self.span = np.asarray(boxes, dtype=np.float64).copy()

    def find(self, i: int) -> int:
        """The part that stands for ``i``'s mark."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Make one mark of ``i``'s and ``j``'s."""
        ri, rj = self.find(i), self.find(j)
        self.parent[rj] = ri
        self.span[ri] = _union(self.span[ri], self.span[rj])

    def narrow(self, i: int, j: int, height: float) -> bool:
        """Whether ``i``'s and ``j``'s marks together are no wider than a digit."""
        a, b = self.span[self.find(i)], self.span[self.find(j)]
        w = max(a[2], b[2]) - min(a[0], b[0])
        h = max(a[3], b[3]) - min(a[1], b[1])
        return bool(w <= JOIN_WIDE * max(h, height))

    def groups(self) -> list[list[int]]:
        """The parts of each mark, in order of their first part."""
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def pairs(boxes: np.ndarray, reach: float) -> Iterator[tuple[int, int]]:
    """Pairs of parts whose boxes come within ``reach`` in x, left one first."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i, 0])
    for pos, i in enumerate(order):
        for j in order[pos + 1 :]:
            if boxes[j, 0] > boxes[i, 2] + reach:
                break  # sorted by x0: no later part comes near i
            yield i, j


def belonging(a: np.ndarray, b: np.ndarray, height: float) -> float:
    """How near two parts overlapping in x must come to be one digit (TOUCH...).

    Negative when they cannot be one digit by these rules.
    """
    # A straight vertical stroke has no width: as drawn, the stem of a 4
    # crossing its bar would overlap it by nothing.
    frac = overlap(widened(a, height), widened(b, height), height)
    speck = min(max(a[2:] - a[:2]), max(b[2:] - b[:2])) < SPECK * height
    if frac < OVERLAP and not speck:
        return -1.0
    short = min(a[3] - a[1], b[3] - b[1]) < SHORT * height
    reach = (NEAR if (frac >= WITHIN or short) and not speck else TOUCH) * height
    if max(a[1] - b[3], b[1] - a[3]) > reach:
        return -1.0  # too far apart vertically
    return reach


def join(
    boxes: np.ndarray,
    points: Sequence[np.ndarray],
    height: float,
    radius: np.ndarray,
    pen: float,
) -> list[list[int]]:
    """Indices of the parts that belong together (see the package docstring).

    ``boxes`` are the parts' boxes ``(n, 4)`` and ``points`` their ink as point
    sets, in the same units; ``radius`` is how far each part's ink reaches beyond
    its points (half its pen for a stroke) and ``pen`` the typical pen width.
    """
    marks = Marks(boxes)
    cap = INK_GAP_MAX * height
    widest = min(2 * float(radius.max(initial=0.0)) + INK_GAP * pen, cap)
    for i, j in pairs(boxes, max(TOUCH * height, widest)):
        if marks.find(i) == marks.find(j):
            continue
        a, b = boxes[i], boxes[j]
        touch = min(float(radius[i] + radius[j]) + INK_GAP * pen, cap)
        if gap(a, b) > touch or not marks.narrow(i, j, height):
            touch = -1.0
        reach = max(touch, belonging(a, b, height))
        if reach >= 0 and distance(points[i], points[j], reach) <= reach:
            marks.union(i, j)
    return attach(marks.groups(), boxes, points, height)


def attach(
    groups: list[list[int]],
    boxes: np.ndarray,
    points: Sequence[np.ndarray],
    height: float,
) -> list[list[int]]:
    """Groups with each fragment (short, not a speck) joined to its nearest digit.

    A fragment with no digit in reach joins the nearest such fragment that makes
    a digit-sized mark with it.
    """
    spans = np.array(
        [
            np.concatenate((boxes[g, :2].min(axis=0), boxes[g, 2:].max(axis=0)))
            for g in groups
        ]
    )
    tall = np.array([digit_sized(span, height) for span in spans], dtype=bool)
    wide = (spans[:, 2:] - spans[:, :2]).max(axis=1) >= SPECK * height
    if tall.all() or not tall.any():
        return groups
    reach = FRAGMENT * height
    ink = [np.concatenate([points[i] for i in g]) for g in groups]
    out = [list(g) for g in groups]
    fragments = [int(k) for k in np.flatnonzero(wide & ~tall)]
    digits = [int(j) for j in np.flatnonzero(tall)]

    def nearest(k: int, targets: Iterable[int]) -> int | None:
        near = [
            (distance(ink[k], ink[j], reach), j)
            for j in targets
            if spans[j, 0] - reach <= spans[k, 2] and spans[k, 0] <= spans[j, 2] + reach
        ]
        best = min(near, default=(math.inf, -1))
        return best[1] if best[0] <= reach else None

    for k in fragments:
        j = nearest(k, digits)
        if j is not None:
            out[j].extend(out[k])
            out[k] = []
    alone = [k for k in fragments if out[k]]
    for k in alone:
        if not out[k]:
            continue  # another fragment joined it
        partners = (
            j
            for j in alone
            if j != k and out[j] and digit_sized(_union(spans[j], spans[k]), height)
        )
        j = nearest(k, partners)
        if j is not None:
            out[j].extend(out[k])
            out[k] = []
            ink[j] = np.concatenate((ink[j], ink[k]))
            spans[j] = _union(spans[j], spans[k])
    return [g for g in out if g]


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The box ``(x0, y0, x1, y1)`` around two boxes."""
    return np.concatenate((np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])))

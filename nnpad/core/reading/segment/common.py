"""What drawings and pictures share: pieces, the line height, grouping and splitting.

Sizes are fractions of the line height ``H``; confidences are log-odds (of the
digit read against all others). The thresholds were set on synthetic numbers
(``tests/benchmarks/bench_numbers.py``, seeds other than those of the reported
figures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    from nnpad.core.ink.strokes import Drawing

G = TypeVar("G")

Classify = Callable[[np.ndarray], np.ndarray]
"""Probabilities ``(n, 10)`` for a batch of MNIST-layout images ``(n, 28, 28)``."""

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
# A group smaller than this both ways is a speck.
SPECK = 0.2
# A group that is not a speck but shorter than SIDE * H (a piece of a stroke cut
# off by a faint or broken pen) joins the nearest taller group within FRAGMENT * H;
# alone, it is no digit if shorter than SHORT_GROUP * H (one MNIST digit in
# 10,000 is that short).
FRAGMENT = 0.4
SHORT_GROUP = 0.5
# Both sides of a split must be this tall.
SIDE = 0.65
# Without a classifier, groups wider than this are split.
WIDE = 1.05
# With a classifier, a split is kept when its pieces' score (a blend of their mean
# and their weaker log-odds: both pieces must read as digits) beats the whole's
# log-odds by MARGIN, a margin that falls by MARGIN_SLOPE per H of width beyond
# MARGIN_WIDTH (wide groups are rarely one digit). Log-odds rather than
# probabilities: the network is near-certain of most things, pieces of digits
# included, and log-odds still rank those.
MARGIN = 6.0
MARGIN_SLOPE = 10.0
MARGIN_WIDTH = 0.8
MEAN_WEIGHT = 0.5
# A group whose log-odds plus the margin reach SURE is kept without trying any
# split: no split of the tuning sets scored that high against such a whole.
SURE = 16.0
# Pieces overlapping in x are less likely two digits: each unit of overlap (of the
# narrower one's width) costs OVERLAP_SLOPE log-odds, and OVERLAP_COST more beyond
# OVERLAP_FREE.
OVERLAP_SLOPE = 1.0
OVERLAP_COST = 10.0
OVERLAP_FREE = 0.35
# Groups of up to this many parts are tried at every two-way partition.
MAX_PARTITION = 4
MAX_DEPTH = 6


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


@dataclass(frozen=True, eq=False)
class Split(Generic[G]):
    """A way to cut a group in two: its sides, left first."""

    left: G
    right: G
    # x overlap of the sides (in the narrower one's width) when they are sets of
    # whole parts; None for a cut through ink.
    overlap: float | None = None

    @property
    def cost(self) -> float:
        """What the geometry says against the split, in log-odds."""
        return 0.0 if self.overlap is None else overlap_cost(self.overlap)

    @property
    def apart(self) -> bool:
        """Whether the sides are whole parts that barely overlap in x."""
        return self.overlap is not None and self.overlap <= OVERLAP_FREE


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


def overlap_cost(frac: float) -> float:
    """Log-odds price of reading two pieces that overlap in x as two digits."""
    return OVERLAP_SLOPE * frac + OVERLAP_COST * max(frac - OVERLAP_FREE, 0.0)


def line_height(boxes: np.ndarray, floor: float) -> float:
    """Typical digit height: the median height of the taller columns of ink.

    Boxes whose x spans overlap are taken together first (the parts of one
    digit); columns at least half as tall as the tallest then vote. Never less
    than ``floor``.
    """
    spans: list[list[float]] = []  # y0, y1, x1 of each column
    for i in np.argsort(boxes[:, 0], kind="stable"):
        x0, y0, x1, y1 = (float(v) for v in boxes[i])
        if spans and x0 < spans[-1][2]:
            last = spans[-1]
            last[:] = [min(last[0], y0), max(last[1], y1), max(last[2], x1)]
        else:
            spans.append([y0, y1, x1])
    heights = np.array([y1 - y0 for y0, y1, _ in spans])
    tall = heights[heights >= 0.5 * heights.max()]
    return max(float(np.median(tall)), floor)


def distance(a: np.ndarray, b: np.ndarray, within: float) -> float:
    """Smallest distance between two point sets ``(n, 2)``; inf beyond ``within``."""
    # Only points within reach of the other's box can be the nearest pair.
    a = a[((a >= b.min(axis=0) - within) & (a <= b.max(axis=0) + within)).all(axis=1)]
    if not len(a):
        return math.inf
    b = b[((b >= a.min(axis=0) - within) & (b <= a.max(axis=0) + within)).all(axis=1)]
    if not len(b):
        return math.inf
    # A few hundred points each is plenty (and bounds the memory).
    a, b = a[:: 1 + len(a) // 600], b[:: 1 + len(b) // 600]
    d = a[:, None, :] - b[None, :, :]
    return float(np.sqrt((d * d).sum(axis=-1).min()))


def join(
    boxes: np.ndarray,
    points: Sequence[np.ndarray],
    height: float,
) -> list[list[int]]:
    """Indices of the parts that belong together (see the package docstring).

    ``boxes`` are the parts' boxes ``(n, 4)`` and ``points`` their ink as point
    sets, in the same units.
    """
    n = len(boxes)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    size = (boxes[:, 2:] - boxes[:, :2]).max(axis=1)
    order = sorted(range(n), key=lambda i: boxes[i, 0])
    for pos, i in enumerate(order):
        a = boxes[i]
        for j in order[pos + 1 :]:
            b = boxes[j]
            if b[0] > a[2] + TOUCH * height:
                break  # sorted by x0: no later part comes near a
            # A straight vertical stroke has no width: as drawn, the stem of a 4
            # crossing its bar would overlap it by nothing.
            frac = overlap(widened(a, height), widened(b, height), height)
            speck = min(size[i], size[j]) < SPECK * height
            if (frac < OVERLAP and not speck) or find(i) == find(j):
                continue
            short = min(a[3] - a[1], b[3] - b[1]) < SHORT * height
            reach = (
                NEAR if (frac >= WITHIN or short) and not speck else TOUCH
            ) * height
            if max(a[1] - b[3], b[1] - a[3]) > reach:
                continue  # too far apart vertically
            if distance(points[i], points[j], reach) <= reach:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return attach(list(groups.values()), boxes, points, height)


def attach(
    groups: list[list[int]],
    boxes: np.ndarray,
    points: Sequence[np.ndarray],
    height: float,
) -> list[list[int]]:
    """Groups with each fragment (short, not a speck) joined to its nearest digit."""
    spans = np.array(
        [
            np.concatenate((boxes[g, :2].min(axis=0), boxes[g, 2:].max(axis=0)))
            for g in groups
        ]
    )
    tall = spans[:, 3] - spans[:, 1] >= SIDE * height
    wide = (spans[:, 2:] - spans[:, :2]).max(axis=1) >= SPECK * height
    if tall.all() or not tall.any():
        return groups
    reach = FRAGMENT * height
    ink = [np.concatenate([points[i] for i in g]) for g in groups]
    out = [list(g) for g in groups]
    for k in np.flatnonzero(wide & ~tall):
        near = [
            (distance(ink[k], ink[j], reach), j)
            for j in np.flatnonzero(tall)
            if spans[j, 0] - reach <= spans[k, 2] and spans[k, 0] <= spans[j, 2] + reach
        ]
        best = min(near, default=(math.inf, -1))
        if best[0] <= reach:
            out[best[1]].extend(out[k])
            out[k] = []
    return [g for g in out if g]


def is_speck(box: np.ndarray, height: float) -> bool:
    """Whether ink in ``box`` is too small to be a digit.

    It is when it is smaller than a speck both ways, or shorter than
    ``SHORT_GROUP * H``.
    """
    return bool(
        max(box[2] - box[0], box[3] - box[1]) < SPECK * height
        or box[3] - box[1] < SHORT_GROUP * height
    )


def log_odds(probs: np.ndarray) -> np.ndarray:
    """Log-odds of each row's most probable class against all the others."""
    p = np.sort(np.asarray(probs, dtype=np.float64), axis=1)
    # The others summed, not 1 - top: near-certain rows keep their precision.
    rest = np.clip(p[:, :-1].sum(axis=1), 1e-12, None)
    return np.log(np.clip(p[:, -1], 1e-12, None)) - np.log(rest)


def both_tall(a: np.ndarray, b: np.ndarray, height: float) -> bool:
    """Whether two boxes are both tall enough to be digits."""
    return bool(min(a[3] - a[1], b[3] - b[1]) >= SIDE * height)


class Splitter(Generic[G]):
    """Recursive splitting of groups, the same for drawings and pictures.

    Subclasses say what a group's key, box and image are and how it could be
    split; they cache images so that the final pieces reuse the tried ones. Each
    group is read (its log-odds) once, with the others of its batch.
    """

    def __init__(self, height: float, classify: Classify | None) -> None:
        self.height = height
        self.classify = classify
        self.odds: dict[Hashable, float] = {}

    def key(self, group: G) -> Hashable:
        """What names the group's ink, for the caches."""
        raise NotImplementedError  # pragma: no cover

    def box(self, group: G) -> np.ndarray:
        """``(x0, y0, x1, y1)`` of the group's ink."""
        raise NotImplementedError  # pragma: no cover

    def image(self, group: G) -> np.ndarray | None:
        """The group's MNIST-layout image (None without ink)."""
        raise NotImplementedError  # pragma: no cover

    def candidates(self, group: G) -> list[Split[G]]:
        """Splits worth trying (both sides digit-tall)."""
        raise NotImplementedError  # pragma: no cover

    def read(self, groups: Sequence[G]) -> None:
        """Log-odds of the groups not read yet, in one call of the classifier."""
        todo: dict[Hashable, np.ndarray] = {}
        for group in groups:
            key = self.key(group)
            if key in self.odds or key in todo:
                continue
            image = self.image(group)
            if image is None:
                self.odds[key] = -math.inf
            else:
                todo[key] = image
        if todo and self.classify is not None:
            odds = log_odds(self.classify(np.stack(list(todo.values()))))
            self.odds.update(zip(todo, (float(v) for v in odds), strict=True))

    def split_all(self, groups: Sequence[G]) -> list[G]:
        """Every group as one or more digit groups (the wholes read in one batch)."""
        if self.classify is not None:
            self.read(groups)
        return [piece for group in groups for piece in self.split(group)]

    def split(self, group: G, depth: int = 0) -> list[G]:
        """The group as one or more digit groups, left to right."""
        if depth >= MAX_DEPTH or self.sure(group):
            return [group]
        candidates = self.candidates(group)
        if not candidates:
            return [group]
        best = self.best(group, candidates)
        if best is None:
            return [group]
        return self.split(best.left, depth + 1) + self.split(best.right, depth + 1)

    def margin(self, group: G) -> float:
        """What a split's score must beat the whole's log-odds by."""
        box = self.box(group)
        width = float(box[2] - box[0]) / self.height
        return MARGIN - MARGIN_SLOPE * max(0.0, width - MARGIN_WIDTH)

    def sure(self, group: G) -> bool:
        """Whether the group reads so well as one digit that no split would win."""
        if self.classify is None:
            return False
        self.read([group])
        return self.odds[self.key(group)] + self.margin(group) >= SURE

    def best(self, group: G, candidates: list[Split[G]]) -> Split[G] | None:
        """The split to make, or None to keep the group whole.

        With a classifier, the best-read split if it beats the whole (see the
        margin above). Without, the split whose sides overlap least, if the group
        is wider than a digit or two sets of its parts stand apart.
        """
        if self.classify is None:
            box = self.box(group)
            apart = [c for c in candidates if c.apart]
            if float(box[2] - box[0]) <= WIDE * self.height and not apart:
                return None
            return min(apart or candidates, key=lambda c: c.cost)
        self.read([side for c in candidates for side in (c.left, c.right)])
        odds = self.odds
        pairs = np.array(
            [[odds[self.key(c.left)], odds[self.key(c.right)]] for c in candidates]
        )
        scores = (
            MEAN_WEIGHT * pairs.mean(axis=1)
            + (1.0 - MEAN_WEIGHT) * pairs.min(axis=1)
            - np.array([c.cost for c in candidates])
        )
        k = int(np.argmax(scores))
        if not math.isfinite(scores[k]):
            return None
        whole = self.odds[self.key(group)]
        return candidates[k] if scores[k] > whole + self.margin(group) else None

"""A drawing or a picture of a number -> the digits in it, left to right.

Each digit is prepared like MNIST on its own (`drawing_to_mnist` / `to_mnist`), so
the network reads every digit as it reads a single one. Sizes below are fractions
of the line height ``H``, the typical height of the tallest blobs of ink, so
nothing depends on the canvas' width, the picture's resolution or the pen.

- Drawings: a stroke joins another that it overlaps in x and touches (the two
  strokes of a 4, the bar of a crossed 7), or that it lies within in x and nearly
  touches (the lifted hat of a 5). Erasers go with the ink they cross; ink they
  wiped out entirely is ignored.
- Pictures: ink is found as `to_mnist` finds it, cut into 8-connected components,
  and a component lying within another's x span nearly touching it joins it.
- Specks: ink smaller than ``_SPECK * H`` both ways that joins no digit is dropped
  (it would be read as a digit of its own; kept with a digit it would shrink it).
  When all the ink is specks (a lone dot), the whole of it is one piece, read as
  a single digit is today.
- Touching digits: a group that could hold two digits (two tall sides that do not
  overlap much, or more than ``_WIDE * H`` wide) is tried at each split between
  its strokes in x order, or at the columns with least ink. With ``classify`` the
  split is kept when its two pieces are read more confidently (geometric mean)
  than the whole; without, a group wider than ``_WIDE * H`` is cut where the two
  sides overlap least / at the least-ink column. Each side is tried again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from typing import Generic, TypeVar

import numpy as np

from nnpad.core.components import label
from nnpad.core.preprocess import Polarity, drawing_to_mnist, find_ink, to_mnist
from nnpad.core.strokes import CANVAS_SIZE, Drawing, Stroke, render

__all__ = ["Classify", "Piece", "segment_drawing", "segment_image"]

G = TypeVar("G")

Classify = Callable[[np.ndarray], np.ndarray]
"""Probabilities ``(n, 10)`` for a batch of MNIST-layout images ``(n, 28, 28)``."""

# Parts that overlap in x by this much of the narrower one's width (at least
# _NARROW * H) and come within _TOUCH * H belong to one digit...
_OVERLAP = 0.1
_TOUCH = 0.12
_NARROW = 0.1
# ...as does a part lying within the other's x span (this much) within _NEAR * H.
_WITHIN = 0.6
_NEAR = 0.3
# Ink smaller than this both ways, joined to no digit, is a speck.
_SPECK = 0.2
# Both sides of a split must be this tall and overlap no more than _SPLIT_OVERLAP.
_TALL = 0.4
_SIDE = 0.65
_SPLIT_OVERLAP = 0.6
# Without a classifier a group is split only when wider than this.
_WIDE = 1.05
# With a classifier, a split is kept when its pieces' mean log-odds (of the digit
# read against all others) beats the whole's by _MARGIN, a margin that falls by
# _MARGIN_SLOPE per H of width beyond _MARGIN_WIDTH (wide groups are rarely one
# digit). Log-odds rather than probabilities: the network is near-certain of
# most things, pieces of digits included, and log-odds still rank those.
_MARGIN = 2.0
_MARGIN_SLOPE = 20.0
_MARGIN_WIDTH = 0.8
# Pieces overlapping in x are less likely two digits: each unit of overlap (of the
# narrower one's width) costs _OVERLAP_SLOPE log-odds, and _OVERLAP_COST more
# beyond _OVERLAP_FREE.
_OVERLAP_SLOPE = 1.0
_OVERLAP_COST = 10.0
_OVERLAP_FREE = 0.35
# Try every two-way partition of a group of up to this many strokes.
_MAX_PARTITION = 4
_MAX_DEPTH = 6
# Pictures: components of at most this many pixels are noise; a group this wide
# (in H) is tried at up to _CUTS columns (least ink first, then every _CUT_STEP)
# at least _CUT_MARGIN from its ends.
_NOISE_PIXELS = 2
_CUT_WIDTH = 0.6
_CUTS = 8
_CUT_STEP = 0.12
_CUT_MARGIN = 0.1
# A cut may wander this far from its column (in H).
_CUT_BAND = 0.3


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
        The digit's own strokes (with the erasers that cross them) for drawings;
        None for pictures.
    """

    box: tuple[float, float, float, float]
    image: np.ndarray
    drawing: Drawing | None = None


# -- shared geometry -----------------------------------------------------------------


def _overlap(a: np.ndarray, b: np.ndarray, height: float) -> float:
    """x overlap of boxes ``(x0, y0, x1, y1)`` as a fraction of the narrower one."""
    ov = min(a[2], b[2]) - max(a[0], b[0])
    narrow = max(min(a[2] - a[0], b[2] - b[0]), _NARROW * height)
    return float(ov / narrow)


def _line_height(boxes: np.ndarray) -> float:
    """Typical digit height: the median height of the taller columns of ink.

    Boxes whose x spans overlap are taken together first (the strokes of one
    digit); columns at least half as tall as the tallest then vote.
    """
    order = np.argsort(boxes[:, 0], kind="stable")
    heights = []
    x1 = -math.inf
    for i in order:
        x0b, y0b, x1b, y1b = boxes[i]
        if heights and x0b < x1:
            lo, hi = heights[-1]
            heights[-1] = (min(lo, y0b), max(hi, y1b))
            x1 = max(x1, x1b)
        else:
            heights.append((y0b, y1b))
            x1 = x1b
    spans = np.array([hi - lo for lo, hi in heights])
    tall = spans[spans >= 0.5 * spans.max()]
    return max(float(np.median(tall)), 0.02 * CANVAS_SIZE)


def _log_odds(probs: np.ndarray) -> np.ndarray:
    """Log-odds of each row's most probable class against all the others."""
    p = np.sort(probs.astype(np.float64), axis=1)
    # The others summed, not 1 - top: near-certain rows keep their precision.
    rest = np.clip(p[:, :-1].sum(axis=1), 1e-12, None)
    return np.log(np.clip(p[:, -1], 1e-12, None)) - np.log(rest)


class _Splitter(Generic[G]):
    """Recursive splitting of groups, shared by drawings and pictures.

    Subclasses say what a group's box is, how it could be split and what its
    image is; images are cached so the final pieces reuse the tried ones.
    """

    def __init__(self, height: float, classify: Classify | None) -> None:
        self.height = height
        self.classify = classify

    def box(self, group: G) -> np.ndarray:
        """``(x0, y0, x1, y1)`` of the group's ink."""
        raise NotImplementedError  # pragma: no cover

    def image(self, group: G) -> np.ndarray | None:
        """The group's MNIST-layout image (None without ink)."""
        raise NotImplementedError  # pragma: no cover

    def candidates(self, group: G) -> list[tuple[G, G, float]]:
        """``(left, right, cost)`` splits worth trying.

        The cost, in log-odds, is what the split's geometry says against it
        (sides overlapping in x).
        """
        raise NotImplementedError  # pragma: no cover

    def split(self, group: G, depth: int = 0) -> list[G]:
        """The group as one or more digit groups, left to right."""
        if depth >= _MAX_DEPTH:
            return [group]
        candidates = self.candidates(group)
        if not candidates:
            return [group]
        box = self.box(group)
        best = self._best(group, candidates, float(box[2] - box[0]))
        if best is None:
            return [group]
        left, right = best
        return self.split(left, depth + 1) + self.split(right, depth + 1)

    def _best(
        self, group: G, candidates: list[tuple[G, G, float]], width: float
    ) -> tuple[G, G] | None:
        if self.classify is None:
            if width <= _WIDE * self.height:
                return None
            left, right, _ = min(candidates, key=lambda c: c[2])
            return left, right
        whole = self.image(group)
        tried = []
        images = [] if whole is None else [whole]
        for left, right, cost in candidates:
            a, b = self.image(left), self.image(right)
            if a is not None and b is not None:
                tried.append((left, right, cost))
                images.extend((a, b))
        if not tried:
            return None
        odds = _log_odds(np.asarray(self.classify(np.stack(images))))
        whole_score = -math.inf if whole is None else float(odds[0])
        odds = odds[len(images) - 2 * len(tried) :]
        costs = np.array([t[2] for t in tried])
        scores = 0.5 * (odds[0::2] + odds[1::2]) - costs
        k = int(np.argmax(scores))
        margin = _MARGIN - _MARGIN_SLOPE * max(0.0, width / self.height - _MARGIN_WIDTH)
        if scores[k] > whole_score + margin:
            return tried[k][0], tried[k][1]
        return None


# -- drawings ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Strokes:
    """Ink strokes taken together: (drawing order, stroke, visible points) each."""

    items: tuple[tuple[int, Stroke, np.ndarray], ...]
    box: np.ndarray  # of the visible points: x0, y0, x1, y1

    @staticmethod
    def of(items: list[tuple[int, Stroke, np.ndarray]]) -> _Strokes:
        items = sorted(items, key=lambda t: t[0])
        pts = np.concatenate([t[2] for t in items])
        box = np.concatenate((pts.min(axis=0), pts.max(axis=0)))
        return _Strokes(tuple(items), box)

    @property
    def points(self) -> np.ndarray:
        return np.concatenate([t[2] for t in self.items])


def _finite_points(stroke: Stroke) -> np.ndarray:
    pts = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)
    return pts[np.isfinite(pts).all(axis=1)]


def _densify(pts: np.ndarray, step: float) -> np.ndarray:
    """Points along the polyline no further apart than ``step``."""
    if len(pts) < 2:
        return pts
    seg = np.diff(pts, axis=0)
    n = np.maximum(np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step), 1).astype(np.int64)
    which = np.repeat(np.arange(len(seg)), n)
    t = (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)) / n[which]
    return np.vstack((pts[which] + seg[which] * t[:, None], pts[-1:]))


def _visible(drawing: Drawing, points: list[np.ndarray]) -> list[np.ndarray]:
    """Each ink stroke's points minus those an eraser painted over."""
    if not any(s.erase for s in drawing.strokes):
        return points
    k = 0.5  # a coarse rendering is enough to tell erased points
    side = int(CANVAS_SIZE * k)
    reach = max((float(p[:, 0].max()) for p in points if len(p)), default=0.0)
    wide = int(min(max(side, math.ceil(reach * k) + 1), 8192))
    img = render(drawing, side, supersample=1, width=wide)
    out = []
    for pts in points:
        ij = np.floor(pts * k).astype(np.int64)
        inside = (ij >= 0).all(axis=1) & (ij[:, 0] < wide) & (ij[:, 1] < side)
        keep = ~inside
        keep[inside] = img[ij[inside, 1], ij[inside, 0]] > 0
        out.append(pts[keep])
    return out


def _distance(a: np.ndarray, b: np.ndarray, within: float) -> float:
    """Smallest distance between two point clouds, or inf if more than ``within``."""
    # Only points within reach of the other's box can be the nearest pair.
    a = a[(a >= b.min(axis=0) - within).all(axis=1) & (a <= b.max(axis=0) + within).all(axis=1)]
    if not len(a):
        return math.inf
    b = b[(b >= a.min(axis=0) - within).all(axis=1) & (b <= a.max(axis=0) + within).all(axis=1)]
    if not len(b):
        return math.inf
    d = a[:, None, :] - b[None, :, :]
    return float(np.sqrt((d * d).sum(axis=-1).min()))


def _group_strokes(units: list[_Strokes], height: float) -> list[_Strokes]:
    """Union strokes that belong to one digit (see the module docstring)."""
    n = len(units)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(n), key=lambda i: units[i].box[0])
    for pos, i in enumerate(order):
        a = units[i].box
        for j in order[pos + 1 :]:
            b = units[j].box
            if b[0] > a[2]:
                break  # sorted by x0: no later stroke overlaps a in x
            frac = _overlap(a, b, height)
            if frac < _OVERLAP or find(i) == find(j):
                continue
            # A flat part (a hat, a bar) or one within the other's span may float.
            flat = min(a[3] - a[1], b[3] - b[1]) < _TALL * height
            near = _NEAR if frac >= _WITHIN or flat else _TOUCH
            # Boxes further apart vertically than that cannot be near.
            if max(a[1] - b[3], b[1] - a[3]) > near * height:
                continue
            reach = near * height
            if _distance(units[i].points, units[j].points, reach) <= reach:
                parent[find(j)] = find(i)
    groups: dict[int, list[tuple[int, Stroke, np.ndarray]]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).extend(units[i].items)
    return [_Strokes.of(items) for items in groups.values()]


def _cut(group: _Strokes, x: float) -> tuple[list, list]:
    """Strokes of the group on each side of the vertical line at ``x``.

    A stroke that crosses the line is split there into runs of points, each its
    own stroke; returns ``(order, stroke)`` lists for the left and right sides.
    """
    sides: tuple[list, list] = ([], [])
    for order, stroke, _ in group.items:
        raw = _finite_points(stroke)
        right = raw[:, 0] >= x
        bounds = np.flatnonzero(np.diff(right.astype(np.int8))) + 1
        for run in np.split(np.arange(len(raw)), bounds):
            part = Stroke(raw[run], stroke.width, stroke.erase)
            sides[bool(right[run[0]])].append((order, part))
    return sides


class _DrawingSplitter(_Splitter[_Strokes]):
    def __init__(
        self, drawing: Drawing, step: float, height: float, classify: Classify | None
    ) -> None:
        super().__init__(height, classify)
        self.drawing = drawing
        self.step = step
        self.erasers = [(i, s) for i, s in enumerate(drawing.strokes) if s.erase]
        self.cache: dict[tuple[int, ...], np.ndarray | None] = {}

    def box(self, group: _Strokes) -> np.ndarray:
        return group.box

    def sub_drawing(self, group: _Strokes) -> Drawing:
        """The group's strokes with the erasers that reach its ink, in order."""
        lo = group.box[:2]
        hi = group.box[2:]
        pen = max(s.width for _, s, _ in group.items) / 2
        strokes = [(i, s) for i, s, _ in group.items]
        for i, eraser in self.erasers:
            pts = _finite_points(eraser)
            if not len(pts):
                continue
            reach = eraser.width / 2 + pen
            if (pts.max(axis=0) + reach >= lo).all() and (
                pts.min(axis=0) - reach <= hi
            ).all():
                strokes.append((i, eraser))
        strokes.sort(key=lambda t: t[0])
        return Drawing(tuple(s for _, s in strokes))

    def image(self, group: _Strokes) -> np.ndarray | None:
        key = tuple(id(s) for _, s, _ in group.items)
        if key not in self.cache:
            self.cache[key] = drawing_to_mnist(self.sub_drawing(group))
        return self.cache[key]

    def candidates(self, group: _Strokes) -> list[tuple[_Strokes, _Strokes, float]]:
        h = self.height
        items = sorted(group.items, key=lambda t: float(t[2][:, 0].mean()))
        n = len(items)
        if n <= _MAX_PARTITION:
            # Every split into two sets (the first keeps the leftmost stroke).
            parts = [
                ([items[i] for i in range(n) if i not in other], [items[i] for i in other])
                for size in range(1, n)
                for other in combinations(range(1, n), size)
            ]
        else:
            parts = [(items[:k], items[k:]) for k in range(1, n)]
        out = []
        for a, b in parts:
            left, right = _Strokes.of(a), _Strokes.of(b)
            if left.box[0] + left.box[2] > right.box[0] + right.box[2]:
                left, right = right, left
            tall = min(left.box[3] - left.box[1], right.box[3] - right.box[1])
            if tall >= _SIDE * h:
                frac = _overlap(left.box, right.box, h)
                out.append((left, right, _overlap_cost(frac)))
        if not out and group.box[2] - group.box[0] > _WIDE * h:
            x = _least_ink_column(group.points[:, 0], group.box, h)
            cut = [self.units(side) for side in _cut(group, x)]
            if all(cut):
                left, right = _Strokes.of(cut[0]), _Strokes.of(cut[1])
                tall = min(left.box[3] - left.box[1], right.box[3] - right.box[1])
                if tall >= _SIDE * h:
                    out.append((left, right, 0.0))
        return out

    def units(self, strokes: list[tuple[int, Stroke]]) -> list:
        """``(order, stroke, visible points)`` of those strokes that show."""
        points = _visible(
            self.drawing, [_densify(_finite_points(s), self.step) for _, s in strokes]
        )
        return [
            (i, s, pts) for (i, s), pts in zip(strokes, points, strict=True) if len(pts)
        ]


def _least_ink_column(xs: np.ndarray, box: np.ndarray, height: float) -> float:
    """The x, away from the ends, that the fewest ink points sit near."""
    step = 0.05 * height
    edges = np.arange(box[0], box[2] + step, step)
    counts, _ = np.histogram(xs, bins=edges)
    margin = max(1, int(0.25 * height / step))
    if len(counts) <= 2 * margin:
        return float((box[0] + box[2]) / 2)
    inner = counts[margin:-margin]
    # Among equally empty columns, the most central.
    centre = (len(inner) - 1) / 2
    k = min(range(len(inner)), key=lambda i: (inner[i], abs(i - centre)))
    return float(edges[margin + k] + step / 2)


def segment_drawing(drawing: Drawing, classify: Classify | None = None) -> list[Piece]:
    """Split a drawing into its digits, left to right.

    Parameters
    ----------
    drawing
        The strokes, on a canvas ``CANVAS_SIZE`` units high and any width.
    classify
        Optional ``images (n, 28, 28) -> probabilities (n, 10)``, called in batches
        to choose how to split touching digits. Without it, only groups wider
        than a digit are split, where their sides overlap least.

    Returns
    -------
    list of Piece
        Empty when there is no visible ink. A single digit (all the visible ink in
        one group) gives one piece whose drawing is ``drawing`` itself and whose
        image is exactly ``drawing_to_mnist(drawing)``. A lone dot, or only specks,
        likewise gives one piece of the whole drawing.
    """
    if not isinstance(drawing, Drawing):
        raise ValueError(f"expected a Drawing, got {drawing!r}")
    ink = [
        (i, s, _finite_points(s))
        for i, s in enumerate(drawing.strokes)
        if not s.erase
    ]
    ink = [t for t in ink if len(t[2])]
    if not ink:
        return []
    raw = np.concatenate([t[2] for t in ink])
    span = float(np.ptp(raw[:, 1])) if len(raw) > 1 else 0.0
    step = min(max(0.03 * span, 0.5), 6.0)
    visible = _visible(drawing, [_densify(t[2], step) for t in ink])
    units = [
        _Strokes.of([(i, s, pts)])
        for (i, s, _), pts in zip(ink, visible, strict=True)
        if len(pts)
    ]
    if not units:
        return []
    height = _line_height(np.array([u.box for u in units]))
    groups = _group_strokes(units, height)
    digits = [g for g in groups if max(g.box[2:] - g.box[:2]) >= _SPECK * height]
    if not digits:
        return [_whole_drawing(drawing, groups)]
    splitter = _DrawingSplitter(drawing, step, height, classify)
    pieces: list[_Strokes] = []
    for group in digits:
        pieces.extend(splitter.split(group))
    if len(pieces) == 1 and len(pieces[0].items) == len(units):
        return [_whole_drawing(drawing, pieces)]
    out = []
    for group in sorted(pieces, key=lambda g: (g.box[0] + g.box[2]) / 2):
        image = splitter.image(group)
        if image is not None:
            out.append(Piece(_ink_box(group), image, splitter.sub_drawing(group)))
    return out


def _ink_box(group: _Strokes) -> tuple[float, float, float, float]:
    boxes = np.array(
        [
            (*(pts.min(axis=0) - s.width / 2), *(pts.max(axis=0) + s.width / 2))
            for _, s, pts in group.items
        ]
    )
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def _whole_drawing(drawing: Drawing, groups: list[_Strokes]) -> Piece:
    """The whole drawing as one piece, exactly as a single digit is read."""
    image = drawing_to_mnist(drawing)
    if image is None:  # pragma: no cover - visible ink always renders
        image = np.zeros((28, 28), np.float32)
    boxes = np.array([_ink_box(g) for g in groups])
    box = (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))
    return Piece(tuple(float(v) for v in box), image, drawing)  # type: ignore[arg-type]



# -- pictures ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Pixels:
    """Ink pixels taken together: some components, or one side of a cut."""

    key: tuple
    xy: np.ndarray  # (n, 2) int x, y of the pixels
    lab: np.ndarray  # (n,) component of each pixel
    box: np.ndarray  # x0, y0, x1, y1 (exclusive)

    @staticmethod
    def of(key: tuple, xy: np.ndarray, lab: np.ndarray) -> _Pixels | None:
        if not len(xy):
            return None
        box = np.concatenate((xy.min(axis=0), xy.max(axis=0) + 1))
        return _Pixels(key, xy, lab, box)

    def part(self, key: object, chosen: np.ndarray) -> _Pixels | None:
        return _Pixels.of((*self.key, key), self.xy[chosen], self.lab[chosen])


class _ImageSplitter(_Splitter[_Pixels]):
    def __init__(
        self, ink: np.ndarray, level: int, height: float, classify: Classify | None
    ) -> None:
        super().__init__(height, classify)
        self.ink = ink
        self.level = level
        self.cache: dict[tuple, np.ndarray | None] = {}

    def box(self, group: _Pixels) -> np.ndarray:
        return group.box

    def image(self, group: _Pixels) -> np.ndarray | None:
        if group.key not in self.cache:
            self.cache[group.key] = to_mnist(self.crop(group), polarity="light_on_dark")
        return self.cache[group.key]

    def crop(self, group: _Pixels) -> np.ndarray:
        """The group's ink alone, with its faint edge but no other ink, on black."""
        x0, y0, x1, y1 = (int(v) for v in group.box)
        pad = 2
        h, w = self.ink.shape
        out = np.zeros((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad), dtype=np.uint8)
        sy0, sx0 = max(y0 - pad, 0), max(x0 - pad, 0)
        sy1, sx1 = min(y1 + pad, h), min(x1 + pad, w)
        out[sy0 - y0 + pad : sy1 - y0 + pad, sx0 - x0 + pad : sx1 - x0 + pad] = (
            self.ink[sy0:sy1, sx0:sx1]
        )
        own = np.zeros(out.shape, dtype=bool)
        own[group.xy[:, 1] - y0 + pad, group.xy[:, 0] - x0 + pad] = True
        # Anti-aliased edge pixels (below the ink level) next to our ink are ours.
        keep = own | (_grow(own) & (out < self.level))
        out[~keep] = 0
        return out

    def candidates(self, group: _Pixels) -> list[tuple[_Pixels, _Pixels, float]]:
        h = self.height
        out: list[tuple[_Pixels, _Pixels, float]] = []
        labels = np.unique(group.lab)
        if 1 < len(labels) <= _MAX_PARTITION:
            for size in range(1, len(labels)):
                for other in combinations(labels[1:].tolist(), size):
                    chosen = np.isin(group.lab, other)
                    a = group.part(("without", other), ~chosen)
                    b = group.part(("with", other), chosen)
                    if a is not None and b is not None:
                        if a.box[0] + a.box[2] > b.box[0] + b.box[2]:
                            a, b = b, a
                        out.append((a, b, _overlap_cost(_overlap(a.box, b.box, h))))
        out = [c for c in out if _tall(c, h)]
        # Cut through ink only when no two sets of whole components will do.
        if not out and group.box[2] - group.box[0] >= _CUT_WIDTH * h:
            several = self.classify is not None
            seen = set()
            anchors = _cut_columns(group, h, self.classify is not None)
            for x, path in zip(
                anchors, _cut_paths(group, anchors, round(_CUT_BAND * h)), strict=True
            ):
                left = group.xy[:, 0] < path[group.xy[:, 1] - int(group.box[1])]
                if int(left.sum()) in seen:
                    continue  # another column led to the same cut
                seen.add(int(left.sum()))
                a = group.part(("left of", x), left)
                b = group.part(("right of", x), ~left)
                if a is not None and b is not None:
                    out.append((a, b, 0.0))
        return [c for c in out if _tall(c, h)]


def _tall(candidate: tuple[_Pixels, _Pixels, float], height: float) -> bool:
    """Whether both sides of a split are tall enough to be digits."""
    a, b, _ = candidate
    return min(a.box[3] - a.box[1], b.box[3] - b.box[1]) >= _SIDE * height


def _grow(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8 neighbours (a 3x3 dilation)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def _cut_columns(group: _Pixels, height: float, several: bool) -> list[int]:
    """Columns to cut near, away from the ends, best first.

    The least-ink column first (smoothed over a few pixels), then, with
    ``several``, the other local minima of the column profile and columns every
    ``_CUT_STEP * H``, up to ``_CUTS`` in all.
    """
    x0, x1 = int(group.box[0]), int(group.box[2])
    profile = np.bincount(group.xy[:, 0] - x0, minlength=x1 - x0).astype(np.float64)
    k = max(1, round(0.03 * height))
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    margin = max(1, round(_CUT_MARGIN * height))
    if x1 - x0 <= 2 * margin:
        return []
    inner = smooth[margin : len(smooth) - margin]
    is_min = np.ones(len(inner), dtype=bool)
    is_min[1:] &= inner[1:] <= inner[:-1]
    is_min[:-1] &= inner[:-1] <= inner[1:]
    centre = (len(inner) - 1) / 2
    found = sorted(np.flatnonzero(is_min), key=lambda i: (inner[i], abs(i - centre)))
    if not several:
        return [x0 + margin + int(found[0])]
    step = max(1, round(_CUT_STEP * height))
    found += list(range(0, len(inner), step))
    picked: list[int] = []
    for i in found:
        # Distinct cuts only: a flat valley counts once.
        if all(abs(i - j) > step // 2 for j in picked):
            picked.append(int(i))
        if len(picked) == _CUTS:
            break
    return [x0 + margin + i for i in picked]


def _cut_paths(group: _Pixels, anchors: list[int], band: int) -> list[np.ndarray]:
    """For each anchor column, the top-to-bottom path that crosses the least ink.

    Dynamic programming over the rows of the group's box: a path moves at most
    one pixel sideways per row and stays within ``band`` pixels of its anchor
    (all anchors at once, one band each). Returns each path's x per row.
    """
    x0, y0, x1, y1 = (int(v) for v in group.box)
    grid = np.zeros((y1 - y0, x1 - x0), dtype=np.float64)
    grid[group.xy[:, 1] - y0, group.xy[:, 0] - x0] = 1.0
    # Band k covers columns anchors[k] - band .. + band; outside the box is barred.
    cols = np.asarray(anchors)[:, None] - x0 + np.arange(-band, band + 1)
    inside = (cols >= 0) & (cols < x1 - x0)
    bands = np.where(inside, grid[:, np.clip(cols, 0, x1 - x0 - 1)], np.inf)
    # A tiny price for each sideways step keeps paths straight in the paper.
    bend = 1e-3
    cost = bands[0] + bend * np.abs(np.arange(-band, band + 1))
    steps = np.zeros(bands.shape, dtype=np.int8)
    for y in range(1, len(bands)):
        best = cost.copy()
        step = steps[y]
        from_left = cost[:, :-1] + bend  # arriving at i from i - 1
        better = from_left < best[:, 1:]
        best[:, 1:][better] = from_left[better]
        step[:, 1:][better] = -1
        from_right = cost[:, 1:] + bend
        better = from_right < best[:, :-1]
        best[:, :-1][better] = from_right[better]
        step[:, :-1][better] = 1
        cost = best + bands[y]
    paths = []
    for k in range(len(anchors)):
        i = int(np.argmin(cost[k]))
        path = np.empty(len(bands), dtype=np.int64)
        for y in range(len(bands) - 1, -1, -1):
            path[y] = cols[k, i] + x0
            i += int(steps[y, k, i])
        paths.append(path)
    return paths


def _overlap_cost(frac: float) -> float:
    """Log-odds price of reading two overlapping pieces as two digits."""
    return _OVERLAP_SLOPE * frac + _OVERLAP_COST * max(frac - _OVERLAP_FREE, 0.0)


def _components(
    ink: np.ndarray, level: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Pixel coordinates ``(x, y)`` of each ink component (index 0 unused), boxes."""
    labels, n = label(ink >= level)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    order = np.argsort(lab, kind="stable")
    counts = np.bincount(lab, minlength=n + 1)
    xy = np.stack((xs, ys), axis=1)[order]
    coords = [np.empty((0, 2), np.int64), *np.split(xy, np.cumsum(counts[1:])[:-1])]
    boxes = np.array(
        [np.concatenate((c.min(axis=0), c.max(axis=0) + 1)) for c in coords[1:]],
        dtype=np.float64,
    ).reshape(-1, 4)
    return coords, boxes


def _sample(xy: np.ndarray, limit: int = 400) -> np.ndarray:
    return xy[:: max(1, len(xy) // limit)].astype(np.float64)


def _group_components(
    coords: list[np.ndarray], boxes: np.ndarray, keep: list[int], height: float
) -> list[frozenset[int]]:
    """Components of one digit together: a hat, a broken stroke, a lifted bar."""
    parent = {k: k for k in keep}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(keep, key=lambda k: boxes[k - 1, 0])
    for pos, i in enumerate(order):
        a = boxes[i - 1]
        for j in order[pos + 1 :]:
            b = boxes[j - 1]
            if b[0] > a[2]:
                break
            frac = _overlap(a, b, height)
            if frac < _OVERLAP or find(i) == find(j):
                continue
            flat = min(a[3] - a[1], b[3] - b[1]) < _TALL * height
            near = _NEAR if frac >= _WITHIN or flat else _TOUCH
            if max(a[1] - b[3], b[1] - a[3]) > near * height:
                continue
            reach = near * height
            if _distance(_sample(coords[i]), _sample(coords[j]), reach) <= reach:
                parent[find(j)] = find(i)
    groups: dict[int, set[int]] = {}
    for k in keep:
        groups.setdefault(find(k), set()).add(k)
    return [frozenset(g) for g in groups.values()]


def segment_image(
    image: np.ndarray,
    classify: Classify | None = None,
    *,
    polarity: Polarity = "auto",
) -> list[Piece]:
    """Split a picture of a number into its digits, left to right.

    Parameters
    ----------
    image
        Any picture `to_mnist` accepts: any size, dark on light or light on dark,
        grayscale, RGB(A) or with alpha.
    classify
        As for `segment_drawing`.
    polarity
        As for `to_mnist`.

    Returns
    -------
    list of Piece
        Empty for a blank picture. When one piece holds all the ink (a single
        digit, or only specks) its image is exactly ``to_mnist(image)``; other
        pieces are `to_mnist` of their own ink alone.
    """
    found = find_ink(image, polarity=polarity)
    if found is None:
        return []
    ink, level = found
    coords, boxes = _components(ink, level)
    if not len(boxes):
        return []
    # Two-pixel salt is noise, not ink (as in to_mnist), unless that is all there is.
    sizes = np.array([len(c) for c in coords[1:]])
    keep = [k + 1 for k in np.flatnonzero(sizes > _NOISE_PIXELS)]
    if not keep:
        keep = list(range(1, len(boxes) + 1))
    height = _line_height(boxes[np.array(keep) - 1])
    groups = []
    for labels in _group_components(coords, boxes, keep, height):
        ks = sorted(labels)
        xy = np.concatenate([coords[k] for k in ks])
        lab = np.repeat(ks, [len(coords[k]) for k in ks])
        group = _Pixels.of((tuple(ks),), xy, lab)
        if group is not None:
            groups.append(group)
    digits = [g for g in groups if max(g.box[2:] - g.box[:2]) >= _SPECK * height]
    whole = _whole_image(image, polarity, boxes)
    if not digits:
        return [whole] if whole is not None else []
    splitter = _ImageSplitter(ink, level, height, classify)
    pieces: list[_Pixels] = []
    for group in digits:
        pieces.extend(splitter.split(group))
    if len(pieces) == 1 and len(pieces[0].xy) == sum(sizes) and whole is not None:
        return [whole]
    out = []
    for group in sorted(pieces, key=lambda g: float(g.box[0] + g.box[2])):
        img = splitter.image(group)
        if img is not None:
            box = tuple(float(v) for v in group.box)
            out.append(Piece(box, img))  # type: ignore[arg-type]
    return out


def _whole_image(image: np.ndarray, polarity: Polarity, boxes: np.ndarray) -> Piece | None:
    out = to_mnist(image, polarity=polarity)
    if out is None:
        return None
    box = (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))
    return Piece(tuple(float(v) for v in box), out)  # type: ignore[arg-type]

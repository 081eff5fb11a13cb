"""Digits in a drawing: strokes grouped by digit, erasers with the ink they reach."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke, render
from nnpad.core.reading.preprocess import drawing_to_mnist
from nnpad.core.reading.segment.common import (
    Classify,
    Piece,
    both_tall,
    is_speck,
    line_height,
)
from nnpad.core.reading.segment.marks import distance, join, overlap
from nnpad.core.reading.segment.split import MAX_PARTITION, Split, Splitter

# Groups wider than CUT_WIDE * H whose strokes cannot be parted into two digits
# are tried at cuts through their strokes (one stroke across two digits).
CUT_WIDE = 1.05
# When the drawing holds one digit, the specks and fragments whose ink comes within
# ALONE_REACH * H of it are its own: a dot left on a 9's loop, a 5's hat or a 7's
# bar lifted off (in a number, a fragment only joins a digit within FRAGMENT * H,
# since it may belong to either neighbour). Set on 8,000 real digits traced from
# MNIST's validation part (tests/benchmarks/trace_training_strokes.py --skip).
ALONE_REACH = 0.6
# Points further out are clamped, as `Stroke` clamps them for rendering.
COORD_LIMIT = 10.0 * CANVAS_SIZE

# (drawing order, stroke, its visible points densified) for each ink stroke.
Item = tuple[int, Stroke, np.ndarray]


@dataclass(frozen=True, eq=False)
class Strokes:
    """Ink strokes taken together, with the box of their visible points."""

    items: tuple[Item, ...]
    box: np.ndarray  # x0, y0, x1, y1

    @staticmethod
    def of(items: list[Item]) -> Strokes:
        """The strokes in drawing order with their box."""
        items = sorted(items, key=lambda t: t[0])
        pts = np.concatenate([t[2] for t in items])
        return Strokes(tuple(items), np.concatenate((pts.min(axis=0), pts.max(axis=0))))

    @property
    def points(self) -> np.ndarray:
        """All the visible points."""
        return np.concatenate([t[2] for t in self.items])

    def ink_box(self) -> tuple[float, float, float, float]:
        """The box of the visible ink, half of each pen width included."""
        lo = np.min([p.min(axis=0) - s.width / 2 for _, s, p in self.items], axis=0)
        hi = np.max([p.max(axis=0) + s.width / 2 for _, s, p in self.items], axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def _slant(group: Strokes) -> float:
    """How far the writing leans: x moved per unit of y, along its steep strokes.

    Steep pieces of stroke (within about 34 degrees of upright) vote by their
    height: the stem of a 1, a 7 or a 4 leans as the hand does, while the bowl of
    a 5 or a 6 says nothing about it.
    """
    dx_sum = dy_sum = 0.0
    for _, _, pts in group.items:
        d = np.diff(pts, axis=0)
        steep = np.abs(d[:, 1]) > 1.5 * np.abs(d[:, 0])
        dx_sum += float((d[steep, 0] * np.sign(d[steep, 1])).sum())
        dy_sum += float(np.abs(d[steep, 1]).sum())
    return dx_sum / dy_sum if dy_sum > 0 else 0.0


def _upright(points: np.ndarray, slant: float) -> np.ndarray:
    """The box of the points sheared upright by ``slant``."""
    x = points[:, 0] - slant * points[:, 1]
    return np.array([x.min(), points[:, 1].min(), x.max(), points[:, 1].max()])


def finite_points(stroke: Stroke) -> np.ndarray:
    """The stroke's finite points as an ``(n, 2)`` array, clamped as strokes are."""
    pts = np.asarray(stroke.points, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    return np.clip(pts, -COORD_LIMIT, COORD_LIMIT)


def densify(lines: list[np.ndarray], step: float) -> list[np.ndarray]:
    """Points along each polyline no further apart than ``step`` (all at once)."""
    full = [p for p in lines if len(p)]
    if not full:
        return list(lines)
    pts = np.concatenate(full)
    ends = np.cumsum([len(p) for p in full])
    seg = np.diff(pts, axis=0)
    n = np.maximum(np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step), 1).astype(np.int64)
    # The segment from one polyline's last point to the next one's first gives
    # just that last point.
    between = ends[:-1] - 1
    n[between] = 1
    which = np.repeat(np.arange(len(seg)), n)
    t = (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)) / n[which]
    t[np.isin(which, between)] = 0.0
    out = np.vstack((pts[which] + seg[which] * t[:, None], pts[-1:]))
    counts = np.add.reduceat(np.append(n, 1), np.append(0, ends[:-1]))
    dense = iter(np.split(out, np.cumsum(counts)[:-1]))
    return [next(dense) if len(p) else p for p in lines]


def visible(drawing: Drawing, points: list[np.ndarray]) -> list[np.ndarray]:
    """Each ink stroke's points minus those an eraser painted over on the canvas."""
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
        keep = ~inside  # points off the rendering are kept
        keep[inside] = img[ij[inside, 1], ij[inside, 0]] > 0
        out.append(pts[keep])
    return out


def cut_strokes(
    group: Strokes, x: float
) -> tuple[list[tuple[int, Stroke]], list[tuple[int, Stroke]]]:
    """``(order, stroke)`` lists of the group's ink left and right of ``x``.

    A stroke that crosses the vertical line is split there into runs of points,
    each a stroke of its own.
    """
    sides: tuple[list[tuple[int, Stroke]], list[tuple[int, Stroke]]] = ([], [])
    for order, stroke, _ in group.items:
        raw = finite_points(stroke)
        right = raw[:, 0] >= x
        bounds = np.flatnonzero(np.diff(right.astype(np.int8))) + 1
        for run in np.split(np.arange(len(raw)), bounds):
            # Stroke takes any (n, 2) points and stores them as a tuple.
            part = Stroke(raw[run], stroke.width, stroke.erase)  # type: ignore[arg-type]
            sides[bool(right[run[0]])].append((order, part))
    return sides


def cut_columns(
    group: Strokes, height: float, several: bool
) -> list[tuple[float, int]]:
    """Where to cut a group through its strokes, best first, and how many cross.

    The x positions, at least ``0.1 H`` from the ends, that the fewest stroke
    segments cross (where two digits written in one stroke join, the pen crosses
    once; through a digit, mostly twice or more), the most central first among
    equals; one, or with ``several`` up to 8 at least ``0.12 H`` apart.
    """
    segs = [
        (np.minimum(p[:-1, 0], p[1:, 0]), np.maximum(p[:-1, 0], p[1:, 0]))
        for _, _, p in group.items
        if len(p) > 1
    ]
    x0, x1 = float(group.box[0]), float(group.box[2])
    xs = np.arange(x0 + 0.1 * height, x1 - 0.1 * height, 0.02 * height)
    if not segs or not len(xs):
        return []
    lo = np.concatenate([a for a, _ in segs])
    hi = np.concatenate([b for _, b in segs])
    crossings = ((lo <= xs[:, None]) & (xs[:, None] < hi)).sum(axis=1)
    order = np.lexsort((np.abs(xs - (x0 + x1) / 2), crossings))
    picked: list[tuple[float, int]] = []
    for i in order:
        if all(abs(xs[i] - x) >= 0.12 * height for x, _ in picked):
            picked.append((float(xs[i]), int(crossings[i])))
        if len(picked) == (8 if several else 1):
            break
    return picked


class DrawingSplitter(Splitter[Strokes]):
    """Splits groups of strokes; images are `drawing_to_mnist` of sub-drawings."""

    def __init__(
        self, drawing: Drawing, step: float, height: float, classify: Classify | None
    ) -> None:
        super().__init__(height, classify)
        self.drawing = drawing
        self.step = step
        self.erasers = [(i, s) for i, s in enumerate(drawing.strokes) if s.erase]
        # Keyed by the strokes' ids; each entry keeps its strokes alive so that
        # no id is reused while the cache lives.
        self.cache: dict[tuple[int, ...], tuple[object, np.ndarray | None]] = {}

    def key(self, group: Strokes) -> tuple[int, ...]:
        """The ids of the group's strokes (the image cache keeps them alive)."""
        return tuple(id(s) for _, s, _ in group.items)

    def box(self, group: Strokes) -> np.ndarray:
        """The box of the group's visible points."""
        return group.box

    def sub_drawing(self, group: Strokes) -> Drawing:
        """The group's strokes with the erasers that reach its ink, in order."""
        lo, hi = group.box[:2], group.box[2:]
        pen = max(s.width for _, s, _ in group.items) / 2
        strokes = [(i, s) for i, s, _ in group.items]
        for i, eraser in self.erasers:
            pts = finite_points(eraser)
            reach = eraser.width / 2 + pen
            if len(pts) and (
                (pts.max(axis=0) + reach >= lo).all()
                and (pts.min(axis=0) - reach <= hi).all()
            ):
                strokes.append((i, eraser))
        strokes.sort(key=lambda t: t[0])
        return Drawing(tuple(s for _, s in strokes))

    def image(self, group: Strokes) -> np.ndarray | None:
        """`drawing_to_mnist` of the group's sub-drawing."""
        key = self.key(group)
        if key not in self.cache:
            image = drawing_to_mnist(self.sub_drawing(group))
            self.cache[key] = (group.items, image)
        return self.cache[key][1]

    def candidates(self, group: Strokes) -> list[Split[Strokes]]:
        """Two-way partitions of the strokes; a cut when there are none."""
        h = self.height
        items = sorted(group.items, key=lambda t: float(t[2][:, 0].mean()))
        n = len(items)
        if n <= MAX_PARTITION:
            # Every split into two sets (the first keeps the leftmost stroke).
            parts = [
                (
                    [items[i] for i in range(n) if i not in other],
                    [items[i] for i in other],
                )
                for size in range(1, n)
                for other in combinations(range(1, n), size)
            ]
        else:  # splits between strokes in x order
            parts = [(items[:k], items[k:]) for k in range(1, n)]
        out = []
        slant = _slant(group)
        for a, b in parts:
            left, right = Strokes.of(a), Strokes.of(b)
            if left.box[0] + left.box[2] > right.box[0] + right.box[2]:
                left, right = right, left
            if both_tall(left.box, right.box, h):
                ov = overlap(
                    _upright(left.points, slant), _upright(right.points, slant), h
                )
                out.append(Split(left, right, ov))
        if not out and group.box[2] - group.box[0] > CUT_WIDE * h:
            # One stroke (or strokes that cannot be told apart) across two digits.
            for x, crossed in cut_columns(group, h, several=self.classify is not None):
                sides = [self.items(side) for side in cut_strokes(group, x)]
                if all(sides):
                    left, right = Strokes.of(sides[0]), Strokes.of(sides[1])
                    if both_tall(left.box, right.box, h):
                        out.append(Split(left, right, seam=crossed))
        return out

    def items(self, strokes: list[tuple[int, Stroke]]) -> list[Item]:
        """``(order, stroke, visible points)`` of those strokes that show."""
        points = visible(
            self.drawing, densify([finite_points(s) for _, s in strokes], self.step)
        )
        return [
            (i, s, pts) for (i, s), pts in zip(strokes, points, strict=True) if len(pts)
        ]


def segment_drawing(drawing: Drawing, classify: Classify | None = None) -> list[Piece]:
    """Split a drawing into its digits, left to right.

    Parameters
    ----------
    drawing
        The strokes, on a canvas ``CANVAS_SIZE`` units high and any width.
    classify
        Optional ``images (n, 28, 28) -> probabilities (n, 10)``, called with a
        batch per group that might hold touching digits, to choose how to split
        it. Without it, only strokes standing apart as two digits, or a group
        wider than any one digit through a single stroke, are split (see the
        package docstring).

    Returns
    -------
    list of Piece
        Empty when there is no visible ink. When one group holds all the visible
        ink (a single digit, a lone dot or only specks), one piece whose drawing
        is ``drawing`` itself and whose image is exactly
        ``drawing_to_mnist(drawing)``. Otherwise each digit's own sub-drawing and
        its `drawing_to_mnist`; specks apart from the digits are left out (of a
        lone digit, only those further than ``ALONE_REACH * H``).
    """
    if not isinstance(drawing, Drawing):
        raise ValueError(f"expected a Drawing, got {drawing!r}")
    ink = [(i, s, finite_points(s)) for i, s in enumerate(drawing.strokes)]
    ink = [t for t in ink if not t[1].erase and len(t[2])]
    if not ink:
        return []
    pts = np.concatenate([t[2] for t in ink])
    seg = np.hypot(*np.diff(pts, axis=0).T)
    seg[np.cumsum([len(t[2]) for t in ink])[:-1] - 1] = 0.0  # from stroke to stroke
    length = float(seg.sum())
    ys = pts[:, 1]
    # Points about 3% of the ink's height apart, and a few thousand at most.
    step = max(min(max(0.03 * float(np.ptp(ys)), 0.5), 6.0), length / 4000)
    shown = visible(drawing, densify([t[2] for t in ink], step))
    units = [
        Strokes.of([(i, s, pts)])
        for (i, s, _), pts in zip(ink, shown, strict=True)
        if len(pts)
    ]
    if not units:
        return []
    boxes = np.array([u.box for u in units])
    height = line_height(boxes, 0.02 * CANVAS_SIZE)
    widths = np.array([u.items[0][1].width for u in units])
    pen = float(np.median(widths))
    members = join(boxes, [u.points for u in units], height, widths / 2, pen)
    groups = [Strokes.of([units[i].items[0] for i in m]) for m in members]
    if len(groups) < len(units):  # the line height of digits, not of their strokes
        height = line_height(np.array([g.box for g in groups]), 0.02 * CANVAS_SIZE)
    digits = [g for g in groups if not is_speck(g.box, height)]
    if not digits:
        return _whole(drawing, groups)
    splitter = DrawingSplitter(drawing, step, height, classify)
    pieces = splitter.split_all(digits)
    if len(pieces) == 1:
        pieces = [_with_near(pieces[0], groups, ALONE_REACH * height)]
        if len(pieces[0].items) == len(units):
            return _whole(drawing, pieces)
    out = []
    for group in pieces:
        image = splitter.image(group)
        if image is not None:
            out.append(Piece(group.ink_box(), image, splitter.sub_drawing(group)))
    return sorted(out, key=lambda p: p.box[0] + p.box[2])


def _with_near(digit: Strokes, groups: list[Strokes], reach: float) -> Strokes:
    """The digit with the other groups whose ink comes within ``reach`` of it."""
    mine = {id(s) for _, s, _ in digit.items}
    ink = digit.points
    items = list(digit.items)
    for group in groups:
        if id(group.items[0][1]) in mine:
            continue
        if distance(group.points, ink, reach) <= reach:
            items.extend(group.items)
    return digit if len(items) == len(digit.items) else Strokes.of(items)


def _whole(drawing: Drawing, groups: list[Strokes]) -> list[Piece]:
    """The whole drawing as one piece, read exactly as a single digit is.

    Empty when `drawing_to_mnist` sees no ink (its pen and erasers are the
    network's, which can hide a sliver the canvas still shows).
    """
    image = drawing_to_mnist(drawing)
    if image is None:
        return []
    boxes = np.array([g.ink_box() for g in groups])
    lo, hi = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
    box = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    return [Piece(box, image, drawing)]

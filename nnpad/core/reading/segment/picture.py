"""Digits in a picture: ink components grouped by digit, touching digits cut apart."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from nnpad.core.reading.preprocess import Polarity, find_ink, to_mnist
from nnpad.core.reading.segment.common import (
    Classify,
    Piece,
    both_tall,
    is_speck,
    line_height,
)
from nnpad.core.reading.segment.components import label
from nnpad.core.reading.segment.ink_cuts import CUT_MARGIN, cut_columns, cut_paths
from nnpad.core.reading.segment.marks import join, overlap
from nnpad.core.reading.segment.pair_reader import PairReader, mark_image
from nnpad.core.reading.segment.split import MAX_PARTITION, Split, Splitter

# Ink taller than this (pixels) is reduced to it first.
WORK_HEIGHT = 320
# Components of at most this many pixels are noise (salt, JPEG specks).
NOISE_PIXELS = 2
# A group this wide (in H) may be cut through its ink (`ink_cuts`), each cut
# wandering up to CUT_BAND from its column.
CUT_WIDTH = 0.6
CUT_BAND = 0.3
# With a classifier, straight cuts are tried as well, every STRAIGHT_STEP (in H):
# the least-ink paths often wander around a stroke's end instead of between the
# digits, where a plain vertical cut separates them.
STRAIGHT_STEP = 0.08


@dataclass(frozen=True, eq=False)
class Pixels:
    """Ink pixels taken together: whole components, or one side of a cut."""

    key: tuple[object, ...]  # names the pixels, for the image cache
    xy: np.ndarray  # (n, 2) int x, y
    lab: np.ndarray  # (n,) the component of each pixel
    box: np.ndarray  # x0, y0, x1, y1 (exclusive)

    @staticmethod
    def of(key: tuple[object, ...], xy: np.ndarray, lab: np.ndarray) -> Pixels | None:
        """The pixels with their box; None without any."""
        if not len(xy):
            return None
        return Pixels(
            key, xy, lab, np.concatenate((xy.min(axis=0), xy.max(axis=0) + 1))
        )

    def part(self, name: object, chosen: np.ndarray) -> Pixels | None:
        """The chosen pixels, named ``name`` within this group."""
        return Pixels.of((*self.key, name), self.xy[chosen], self.lab[chosen])


def grow(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8 neighbours (a 3x3 dilation)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def with_faint_edge(ink: np.ndarray, own: np.ndarray, level: int) -> np.ndarray:
    """``ink`` where ``own`` is, with the faint pixels next to it; 0 elsewhere.

    Faint (anti-aliased) pixels, below ``level``, next to our ink are ours; other
    ink is not.
    """
    out = ink.copy()
    out[~(own | (grow(own) & (ink < level)))] = 0
    return out


class PictureSplitter(Splitter[Pixels]):
    """Splits groups of ink pixels; images are `to_mnist` of their own ink."""

    def __init__(
        self,
        ink: np.ndarray,
        level: int,
        height: float,
        pen: float,
        classify: Classify | None,
        pairs: PairReader | None = None,
    ) -> None:
        super().__init__(height, classify, pairs)
        self.ink = ink
        self.level = level
        self.pen = pen
        self.cache: dict[tuple[object, ...], np.ndarray | None] = {}

    def key(self, group: Pixels) -> tuple[object, ...]:
        """The name of the group's pixels."""
        return group.key

    def box(self, group: Pixels) -> np.ndarray:
        """The box of the group's pixels."""
        return group.box

    def image(self, group: Pixels) -> np.ndarray | None:
        """`to_mnist` of the group's own ink."""
        if group.key not in self.cache:
            self.cache[group.key] = to_mnist(self.crop(group), polarity="light_on_dark")
        return self.cache[group.key]

    def mark(self, group: Pixels) -> np.ndarray | None:
        """The group's own ink, fitted for the pair reader."""
        return mark_image(self.crop(group))

    def crop(self, group: Pixels) -> np.ndarray:
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
        return with_faint_edge(out, own, self.level)

    def candidates(self, group: Pixels) -> list[Split[Pixels]]:
        """Two-way partitions of whole components; cuts when there are none."""
        h = self.height
        out = []
        labels = np.unique(group.lab).tolist()
        if 1 < len(labels) <= MAX_PARTITION:
            for size in range(1, len(labels)):
                for other in combinations(labels[1:], size):
                    chosen = np.isin(group.lab, other)
                    a = group.part(("without", other), ~chosen)
                    b = group.part(("with", other), chosen)
                    if a is None or b is None or not both_tall(a.box, b.box, h):
                        continue
                    if a.box[0] + a.box[2] > b.box[0] + b.box[2]:
                        a, b = b, a
                    out.append(Split(a, b, overlap(a.box, b.box, h)))
        if out or group.box[2] - group.box[0] < CUT_WIDTH * h:
            return out
        # Touching digits: cut through the ink.
        anchors = cut_columns(group.xy, group.box, h, several=self.classify is not None)
        if not anchors:
            return out
        band = round(CUT_BAND * h)
        lefts = [
            group.xy[:, 0] < path[group.xy[:, 1] - int(group.box[1])]
            for path in cut_paths(group.xy, group.box, anchors, band)
        ]
        if self.classify is not None:
            x0, x1 = float(group.box[0]), float(group.box[2])
            step = max(1.0, STRAIGHT_STEP * h)
            for x in np.arange(x0 + CUT_MARGIN * h, x1 - CUT_MARGIN * h + 1e-9, step):
                lefts.append(group.xy[:, 0] < round(x))
        seen = set()
        for left in lefts:
            key = tuple(int(v) for v in (left.sum(), *group.xy[left].sum(axis=0)))
            if key in seen:
                continue  # another column led to the same cut
            seen.add(key)
            a = group.part(("left", *key), left)
            b = group.part(("right", *key), ~left)
            if a is not None and b is not None and both_tall(a.box, b.box, h):
                joint = int(seam(group, left).sum())
                out.append(Split(a, b, seam=joint / self.pen))
        return out


def seam(group: Pixels, left: np.ndarray) -> np.ndarray:
    """The group's pixels on one side of a cut that touch the other side (a mask)."""
    x0, y0, x1, y1 = (int(v) for v in group.box)
    side = np.zeros((y1 - y0 + 2, x1 - x0 + 2), dtype=np.int8)
    side[group.xy[:, 1] - y0 + 1, group.xy[:, 0] - x0 + 1] = np.where(left, 1, 2)
    mine = side == 1
    other = side == 2
    touching = np.zeros_like(mine)
    touching[:, :-1] |= other[:, 1:]
    touching[:, 1:] |= other[:, :-1]
    touching[:-1] |= other[1:]
    touching[1:] |= other[:-1]
    return mine & touching


def edges(mask: np.ndarray) -> np.ndarray:
    """The ink pixels with paper (or the border) among their four neighbours."""
    inner = np.zeros_like(mask)
    inner[1:-1, 1:-1] = (
        mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2]
    ) & mask[1:-1, 2:]
    return mask & ~inner


def components(ink: np.ndarray, level: int) -> list[np.ndarray]:
    """Pixel coordinates ``(x, y)`` of each 8-connected component of the ink."""
    labels, n = label(ink >= level)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    xy = np.stack((xs, ys), axis=1)[np.argsort(lab, kind="stable")]
    counts = np.bincount(lab, minlength=n + 1)[1:]
    return np.split(xy, np.cumsum(counts)[:-1]) if n else []


def segment_image(
    image: np.ndarray,
    classify: Classify | None = None,
    *,
    polarity: Polarity = "auto",
    pairs: PairReader | None = None,
) -> list[Piece]:
    """Split a picture of a number into its digits, left to right.

    Parameters
    ----------
    image
        Any picture `to_mnist` accepts: any size, dark on light or light on dark,
        grayscale, RGB(A), with or without alpha.
    classify
        As for `segment_drawing`.
    polarity
        As for `to_mnist`.
    pairs
        A pair reader (`pair_reader.shipped_pair_reader`): marks it reads as two
        touching digits are split even when the digit network reads them well
        whole. Used only with ``classify``.

    Returns
    -------
    list of Piece
        Empty for a blank picture. When there is one piece (a single digit,
        with or without specks apart, or only specks), its image is exactly
        ``to_mnist(image)``; each other piece is `to_mnist` of its own ink
        alone. Pixel boxes.
    """
    found = find_ink(image, polarity=polarity)
    if found is None:
        return []
    ink, level = found
    ink, scale, origin = _working_ink(ink, level)
    parts = components(ink, level)
    if not parts:
        return []
    # Two-pixel salt is noise (as in to_mnist), unless that is all there is.
    kept = [p for p in parts if len(p) > NOISE_PIXELS] or parts
    boxes = np.array(
        [np.concatenate((p.min(axis=0), p.max(axis=0) + 1)) for p in kept], float
    )
    groups, pen = marks(kept, boxes, ink >= level)
    height = line_height(np.array([g.box for g in groups], float), 2.0)
    digits = [g for g in groups if not is_speck(g.box, height)]
    whole = _original(_box(boxes), scale, origin)
    if not digits:
        return _whole(image, polarity, whole)
    splitter = PictureSplitter(ink, level, height, pen, classify, pairs)
    pieces = splitter.split_all(digits)
    if len(pieces) == 1:
        # One digit, perhaps with specks apart: read the picture as a single
        # digit always was. Specks there are mostly pieces of a broken stroke.
        return _whole(image, polarity, _original(pieces[0].box, scale, origin))
    out = []
    for group in pieces:
        img = splitter.image(group)
        if img is not None:
            out.append(Piece(_original(group.box, scale, origin), img))
    return sorted(out, key=lambda p: p.box[0] + p.box[2])


def marks(
    parts: list[np.ndarray], boxes: np.ndarray, mask: np.ndarray
) -> tuple[list[Pixels], float]:
    """The components grouped into marks (see `join`), and the pen width.

    Distances are measured between the components' outlines, where the nearest
    pixels of two components always lie.
    """
    edge = edges(mask)
    outlines = [p[edge[p[:, 1], p[:, 0]]] for p in parts]
    # A stroke of length L and width w has about 2 L pixels of outline.
    pen = 2.0 * sum(map(len, parts)) / max(sum(map(len, outlines)), 1)
    radius = np.full(len(parts), 0.5)  # the points are pixel centres
    groups = []
    for members in join(boxes, outlines, line_height(boxes, 2.0), radius, pen):
        xy = np.concatenate([parts[i] for i in members])
        lab = np.repeat(members, [len(parts[i]) for i in members])
        groups.append(Pixels((tuple(members),), xy, lab, _box(boxes[members])))
    return groups, pen


def _working_ink(ink: np.ndarray, level: int) -> tuple[np.ndarray, float, np.ndarray]:
    """The ink cropped to where it is and, when taller than WORK_HEIGHT, reduced.

    Large photos then cost no more than a screen-sized picture. The reduction
    keeps the strongest pixel of each block, so thin strokes survive it. Returns
    the ink, the scale and where the crop starts in the picture.
    """
    mask = ink >= level
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    y0, x0 = max(int(rows[0]) - 2, 0), max(int(cols[0]) - 2, 0)
    crop = ink[y0 : int(rows[-1]) + 3, x0 : int(cols[-1]) + 3]
    f = -(-crop.shape[0] // WORK_HEIGHT)  # ceiling division
    if f > 1:
        h, w = -(-crop.shape[0] // f) * f, -(-crop.shape[1] // f) * f
        padded = np.zeros((h, w), dtype=crop.dtype)
        padded[: crop.shape[0], : crop.shape[1]] = crop
        crop = padded.reshape(h // f, f, w // f, f).max(axis=(1, 3))
    return crop, 1.0 / f, np.array([x0, y0, x0, y0], dtype=np.float64)


def _original(
    box: np.ndarray, scale: float, origin: np.ndarray
) -> tuple[float, float, float, float]:
    """A working box in the picture's pixels."""
    x0, y0, x1, y1 = (float(v) for v in np.asarray(box) / scale + origin)
    return (x0, y0, x1, y1)


def _box(boxes: np.ndarray) -> np.ndarray:
    return np.concatenate((boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)))


def _whole(
    image: np.ndarray, polarity: Polarity, box: tuple[float, float, float, float]
) -> list[Piece]:
    """The whole picture as one piece, read exactly as a single digit is."""
    out = to_mnist(image, polarity=polarity)
    return [] if out is None else [Piece(box, out)]

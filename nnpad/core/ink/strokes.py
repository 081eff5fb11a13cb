"""Pen strokes on a fixed logical canvas and their anti-aliased rendering.

Coordinates live on a square canvas of ``CANVAS_SIZE`` logical units whatever the size
of the widget they were drawn in, so a rendering never depends on screen DPI. Only
Pillow and NumPy are used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from nnpad.core.files import atomic_path

if TYPE_CHECKING:
    import os

__all__ = [
    "CANVAS_SIZE",
    "Drawing",
    "Stroke",
    "render",
    "render_for_network",
    "save_png",
]

CANVAS_SIZE = 280.0
"""Side of the logical canvas; points are in ``[0, CANVAS_SIZE]`` when on it."""

# Points further off the canvas than this are clamped so Pillow's integer maths
# cannot overflow; anything out there is invisible anyway.
_COORD_LIMIT = 10.0 * CANVAS_SIZE
_MAX_RENDER_SIDE = 16384
# A digit whose points span less than this (canvas units) is treated as a dot of
# this size by render_for_network, which bounds the zoom.
_MIN_EXTENT = 0.02 * CANVAS_SIZE
_NETWORK_BOX = 0.7


def _points_array(points: object) -> np.ndarray:
    try:
        if isinstance(points, Iterable) and not isinstance(
            points, np.ndarray | Sequence
        ):
            points = list(points)  # a generator, say
        arr = np.array(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"stroke points must be (x, y) number pairs: {exc}") from None
    if arr.size == 0:
        return np.empty((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"stroke points must be (x, y) number pairs, got shape {arr.shape}"
        )
    return arr


@dataclass(frozen=True)
class Stroke:
    """One pen or eraser stroke.

    Parameters
    ----------
    points
        ``(x, y)`` pairs in canvas units (``0..CANVAS_SIZE``); any iterable of pairs
        is accepted and stored as a tuple of float tuples. Non-finite points are kept
        but never drawn.
    width
        Pen diameter in canvas units, finite and ``>= 0``.
    erase
        Paint background instead of ink.
    """

    points: tuple[tuple[float, float], ...]
    width: float
    erase: bool = False
    # Finite points clamped to +-_COORD_LIMIT, shape (n, 2), read-only.
    _xy: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        arr = _points_array(self.points)
        try:
            width = float(self.width)
        except (TypeError, ValueError):
            raise ValueError(
                f"stroke width must be a number, got {self.width!r}"
            ) from None
        if not math.isfinite(width) or width < 0:
            raise ValueError(f"stroke width must be finite and >= 0, got {width}")
        finite = arr[np.isfinite(arr).all(axis=1)]
        xy = np.clip(finite, -_COORD_LIMIT, _COORD_LIMIT)
        xy.flags.writeable = False
        object.__setattr__(self, "points", tuple(map(tuple, arr.tolist())))
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "erase", bool(self.erase))
        object.__setattr__(self, "_xy", xy)


@dataclass(frozen=True)
class Drawing:
    """An ordered, immutable sequence of strokes; later strokes paint over earlier."""

    strokes: tuple[Stroke, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.strokes, Iterable) or isinstance(
            self.strokes, str | bytes
        ):
            raise ValueError(
                f"strokes must be a sequence of Stroke, got {self.strokes!r}"
            )
        strokes = tuple(self.strokes)
        for s in strokes:
            if not isinstance(s, Stroke):
                raise ValueError(f"strokes must be Stroke instances, got {s!r}")
        object.__setattr__(self, "strokes", strokes)

    def with_stroke(self, stroke: Stroke) -> Drawing:
        """Return a new drawing with ``stroke`` appended."""
        if not isinstance(stroke, Stroke):
            raise ValueError(f"expected a Stroke, got {stroke!r}")
        return Drawing((*self.strokes, stroke))

    @property
    def is_empty(self) -> bool:
        """Whether no ink stroke has a finite point (erasers are ignored)."""
        return not any(len(s._xy) for s in self.strokes if not s.erase)

    def ink_bounds(self) -> tuple[float, float, float, float] | None:
        """Bounding box ``(x0, y0, x1, y1)`` of the ink, or None without ink.

        The box covers the finite (clamped) points of the ink strokes grown by half
        of each stroke's pen width; erased ink still counts.
        """
        boxes = [
            (*(s._xy.min(axis=0) - s.width / 2), *(s._xy.max(axis=0) + s.width / 2))
            for s in self.strokes
            if not s.erase and len(s._xy)
        ]
        if not boxes:
            return None
        b = np.array(boxes)
        return (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return int(value)


def _paint(
    items: Iterable[tuple[np.ndarray, float, bool]],
    size: int,
    supersample: int,
    wide: int | None = None,
) -> np.ndarray:
    """Draw strokes given in output-pixel coordinates and reduce to ``size``.

    Each item is ``(xy, width, erase)`` with ``xy`` of shape (n, 2) in output pixels,
    pixel ``i`` covering ``[i, i + 1)``, and ``width`` in output pixels. The output
    is ``size`` high and ``wide`` (default ``size``) wide.
    """
    side = size * supersample
    img = Image.new("L", ((wide or size) * supersample, side), 0)
    draw = ImageDraw.Draw(img)
    limit = 10.0 * side
    for xy, width, erase in items:
        if not len(xy):
            continue
        fill = 0 if erase else 255
        pts = np.clip(xy * supersample, -limit, limit)
        w = min(max(width * supersample, 1.0), 4.0 * side)
        if len(pts) > 1:
            draw.line(pts.ravel().tolist(), fill=fill, width=round(w))
        # Pillow's wide lines have square, unjoined ends: a disc at every point gives
        # round caps and joins (joint="curve" is ~10x slower) and draws single dots.
        # Pillow truncates coordinates and includes both bbox ends, so the box is
        # shrunk by half a pixel per side to keep the disc unbiased in place and area.
        r = w / 2 - 0.5
        for box in np.hstack((pts - r, pts + r)).tolist():
            draw.ellipse(box, fill=fill)
    if supersample > 1:
        img = img.reduce(supersample)
    return np.array(img, dtype=np.uint8)


def render(
    drawing: Drawing,
    size: int = 280,
    *,
    supersample: int = 4,
    width: int | None = None,
) -> np.ndarray:
    """Render a drawing as the user sees it: ink 255 on 0, anti-aliased.

    Parameters
    ----------
    drawing
        The strokes; canvas coordinates scale by ``size / CANVAS_SIZE``.
    size
        Height of the output in pixels (and its width unless ``width`` is given).
    supersample
        Drawing happens at ``size * supersample`` and is box-reduced; 1 gives hard
        edges.
    width
        Width of the output in pixels, for a canvas wider than tall; None (the
        default) gives a square ``size`` wide.

    Returns
    -------
    np.ndarray
        ``uint8`` array of shape ``(size, width or size)``.
    """
    if not isinstance(drawing, Drawing):
        raise ValueError(f"expected a Drawing, got {drawing!r}")
    size = _check_int("size", size, 1, _MAX_RENDER_SIDE)
    supersample = _check_int("supersample", supersample, 1, 16)
    wide = size if width is None else _check_int("width", width, 1, _MAX_RENDER_SIDE)
    if max(size, wide) * supersample > _MAX_RENDER_SIDE:
        raise ValueError(f"size * supersample must be <= {_MAX_RENDER_SIDE}")
    k = size / CANVAS_SIZE
    return _paint(
        ((s._xy * k, s.width * k, s.erase) for s in drawing.strokes),
        size,
        supersample,
        wide,
    )


def save_png(
    drawing: Drawing,
    path: str | os.PathLike[str],
    size: int = 280,
    *,
    width: int | None = None,
) -> None:
    """Write the drawing as the user sees it (white on black) to a PNG, atomically.

    ``size`` is the height in pixels and ``width`` the width (default: ``size``), as
    in `render`.
    """
    image = Image.fromarray(render(drawing, size, width=width))
    with atomic_path(path, suffix=".png") as tmp:
        image.save(tmp, format="PNG")


def _visible_ink_points(drawing: Drawing) -> np.ndarray:
    """Finite ink points, minus those an eraser has wiped out on the user's canvas."""
    ink = [s._xy for s in drawing.strokes if not s.erase and len(s._xy)]
    if not ink:
        return np.empty((0, 2))
    pts = np.concatenate(ink)
    if not any(s.erase for s in drawing.strokes):
        return pts
    # Sample a coarse rendering under each point so that a stray stroke the user has
    # erased does not shrink the digit; points off the canvas are kept.
    side = 140
    # As wide as the ink reaches: the canvas may be wider than tall.
    reach = float(pts[:, 0].max()) * side / CANVAS_SIZE
    wide = side if reach <= side else min(math.ceil(reach) + 1, 4096)
    img = render(drawing, side, supersample=1, width=wide)
    ij = np.floor(pts * (side / CANVAS_SIZE)).astype(np.int64)
    inside = np.asarray(((ij >= 0) & (ij < (wide, side))).all(axis=1))
    visible: np.ndarray = np.logical_not(inside)
    visible[inside] = img[ij[inside, 1], ij[inside, 0]] > 0
    return pts[visible]


def render_for_network(
    drawing: Drawing,
    *,
    width_ratio: float = 0.12,
    size: int = 112,
    supersample: int = 2,
) -> np.ndarray | None:
    """Render the ink with a pen proportional to the digit, centred and zoomed.

    MNIST strokes are about 2-3 px wide in the 20 px digit box, whatever pen wrote
    them, so the user's brush width is ignored: the pen becomes ``width_ratio`` times
    the longer side of the ink points' bounding box. That box is scaled to 70% of
    ``size`` and centred. Eraser strokes go through the same transform, their width
    scaled like the coordinates. Ink points wiped out by an eraser do not count
    towards the box.

    Parameters
    ----------
    drawing
        The strokes.
    width_ratio
        Pen diameter relative to the longer side of the points' box, in ``(0, 1]``.
    size
        Side of the square output in pixels.
    supersample
        Anti-aliasing factor, as in `render`.

    Returns
    -------
    np.ndarray or None
        ``uint8`` ``(size, size)`` with ink 255 on 0, or None when there is no ink.
    """
    if not isinstance(drawing, Drawing):
        raise ValueError(f"expected a Drawing, got {drawing!r}")
    try:
        ratio = float(width_ratio)
    except (TypeError, ValueError):
        raise ValueError(f"width_ratio must be a number, got {width_ratio!r}") from None
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"width_ratio must be in (0, 1], got {width_ratio!r}")
    size = _check_int("size", size, 1, _MAX_RENDER_SIDE)
    supersample = _check_int("supersample", supersample, 1, 16)
    if size * supersample > _MAX_RENDER_SIDE:
        raise ValueError(f"size * supersample must be <= {_MAX_RENDER_SIDE}")
    pts = _visible_ink_points(drawing)
    if not len(pts):
        return None
    lo = pts.min(axis=0)
    hi = pts.max(axis=0)
    extent = max(float((hi - lo).max()), _MIN_EXTENT)
    k = _NETWORK_BOX * size / extent
    centre = (lo + hi) / 2
    pen = max(ratio * extent * k, 1.0)
    limit = 10.0 * size

    def items() -> Iterable[tuple[np.ndarray, float, bool]]:
        for s in drawing.strokes:
            xy = np.clip((s._xy - centre) * k + size / 2, -limit, limit)
            yield xy, (min(s.width * k, 4.0 * size) if s.erase else pen), s.erase

    return _paint(items(), size, supersample)

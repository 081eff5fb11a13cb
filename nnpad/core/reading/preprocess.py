"""Turn any picture of a digit into the MNIST layout.

MNIST digits (LeCun et al.) were "size normalized to fit in a 20x20 pixel box while
preserving their aspect ratio" and "centered in a 28x28 image by computing the center
of mass of the pixels". `to_mnist` reproduces that from a drawing buffer, a photo or a
scan: it finds the paper from the image border, measures ink as the distance from it,
drops noise, crops, scales the longer side to 20 px and shifts the centre of mass to
the middle. Coordinates here are pixel-corner based: pixel ``i`` covers ``[i, i + 1)``
so the centre of the 28x28 frame is ``(14, 14)`` (index 13.5 in pixel-centre terms).

Only NumPy and Pillow are used; the no-ink answer is always ``None``, never a guess.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Literal

import numpy as np
from PIL import Image

from nnpad.core.ink.strokes import Drawing, render_for_network

__all__ = [
    "BOX_SIZE",
    "MNIST_SIZE",
    "POLARITIES",
    "Polarity",
    "drawing_to_mnist",
    "find_ink",
    "to_gray",
    "to_mnist",
]

Polarity = Literal["auto", "light_on_dark", "dark_on_light"]
POLARITIES: tuple[str, ...] = ("auto", "light_on_dark", "dark_on_light")

MNIST_SIZE = 28
BOX_SIZE = 20

# Ink weaker than this fraction of the strongest (non-isolated) ink is background.
_REL_THRESHOLD = 0.25
# Noise of the paper (estimated on the border) that ink must clear, in sigmas.
_NOISE_SIGMAS = 4.0
# Largest ink contrast (0..255) below which the image counts as blank.
_MIN_CONTRAST = 40
# Fewer ink pixels than max(_MIN_INK_PIXELS, _MIN_INK_FRACTION * area) is no ink.
_MIN_INK_PIXELS = 2
_MIN_INK_FRACTION = 2e-4
# ITU-R 601-2 luma, as Pillow's convert("L").
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _ring(a: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels of a 2-D array (all of it when thinner than 3)."""
    if a.shape[0] < 3 or a.shape[1] < 3:
        return a.ravel()
    return np.concatenate((a[0], a[-1], a[1:-1, 0], a[1:-1, -1]))


def _scaled(a: np.ndarray) -> np.ndarray:
    """Any numeric array as float32 in 0..255.

    Booleans map to 0/255, uint16 is divided by 257, floats whose finite maximum is
    at most 1 are taken as 0..1, everything else as 0..255 (clipped). Non-finite
    values become 0.
    """
    if a.dtype == np.uint8:
        return a.astype(np.float32)
    if a.dtype == np.bool_:
        return a.astype(np.float32) * 255.0
    if a.dtype == np.uint16:
        return a.astype(np.float32) / 257.0
    if a.dtype.kind in "iu":
        return np.clip(a, 0, 255).astype(np.float32)
    finite = np.isfinite(a)
    if not finite.all():
        a = np.where(finite, a, 0)
    a = np.clip(a, -1.0, 255.0)
    if a.size and a.max() <= 1.0:
        a = a * 255.0
    return np.clip(a, 0.0, 255.0).astype(np.float32)


def _flatten_alpha(gray: np.ndarray, alpha: np.ndarray, polarity: str) -> np.ndarray:
    """Composite ``gray`` (0..255) with ``alpha`` (0..1) so transparency is paper.

    The paper is the median of the opaque border pixels when at least half the
    border is opaque. Otherwise (content on a transparent canvas) it is white for
    dark content and black for light content, or as ``polarity`` says.
    """
    opaque = alpha >= 0.5
    ring_opaque = _ring(opaque)
    if np.count_nonzero(ring_opaque) * 2 >= ring_opaque.size:
        paper = float(np.median(_ring(gray)[ring_opaque]))
    elif polarity == "light_on_dark":
        paper = 0.0
    elif polarity == "dark_on_light":
        paper = 255.0
    else:
        weight = float(alpha.sum())
        mean = float((gray * alpha).sum()) / weight if weight > 0 else 0.0
        paper = 255.0 if mean < 127.5 else 0.0
    return gray * alpha + paper * (1.0 - alpha)


def to_gray(image: np.ndarray, polarity: str) -> np.ndarray:
    """Validated ``image`` as a C-contiguous uint8 grayscale array."""
    if image.ndim == 2:
        if image.dtype == np.uint8:
            return np.ascontiguousarray(image)
        gray = _scaled(image)
    else:
        channels = image.shape[2]
        a = _scaled(image)
        if channels in (1, 2):
            gray = a[..., 0]
        else:
            gray = a[..., :3] @ _LUMA
        if channels in (2, 4):
            gray = _flatten_alpha(gray, a[..., -1] / 255.0, polarity)
    return (np.clip(gray, 0.0, 255.0) + 0.5).astype(np.uint8)


def _paper(gray: np.ndarray) -> tuple[int, float]:
    """Paper level and noise (robust standard deviation) of the border ring."""
    ring = _ring(gray)
    paper = math.floor(float(np.median(ring)) + 0.5)
    mad = float(np.median(np.abs(ring.astype(np.int16) - paper)))
    return paper, 1.4826 * mad


def _ink_map(gray: np.ndarray, polarity: str, paper: int) -> np.ndarray:
    """Ink strength 0..255 per pixel: distance from the paper level."""
    if polarity == "light_on_dark":
        if paper == 0:
            return gray
        return np.clip(gray.astype(np.int16) - paper, 0, 255).astype(np.uint8)
    if polarity == "dark_on_light":
        return np.clip(paper - gray.astype(np.int16), 0, 255).astype(np.uint8)
    if paper == 0:
        return gray
    if paper == 255:
        return 255 - gray
    return np.abs(gray.astype(np.int16) - paper).astype(np.uint8)


def _with_neighbour(mask: np.ndarray) -> np.ndarray:
    """Pixels of a 2-D boolean mask that have at least one of their 8 neighbours set."""
    h, w = mask.shape
    # Shifting the flattened array is much faster than 2-D slicing; an empty extra
    # column absorbs the wrap-around from one row's end to the next row's start.
    padded = np.zeros((h, w + 1), dtype=bool)
    padded[:, :w] = mask
    flat = padded.ravel()
    near = np.zeros_like(flat)
    for off in (1, w, w + 1, w + 2):
        if off < flat.size:
            near[off:] |= flat[:-off]
            near[:-off] |= flat[off:]
    return (near & flat).reshape(h, w + 1)[:, :w]


def _pair_peak(ink: np.ndarray) -> int:
    """Largest level reached by two 8-adjacent pixels (the max, ignoring lone ones)."""
    best = 0
    pairs = (
        (ink[:, :-1], ink[:, 1:]),
        (ink[:-1], ink[1:]),
        (ink[:-1, :-1], ink[1:, 1:]),
        (ink[:-1, 1:], ink[1:, :-1]),
    )
    for a, b in pairs:
        if a.size:
            best = max(best, int(np.minimum(a, b).max()))
    return best


def _span(any_ink: np.ndarray | np.bool_) -> tuple[int, int]:
    idx = np.flatnonzero(any_ink)
    return int(idx[0]), int(idx[-1]) + 1


def _threshold(peak: int, noise: float) -> int:
    rel = math.ceil(_REL_THRESHOLD * peak)
    return max(1, rel, math.ceil(min(_NOISE_SIGMAS * noise, 0.5 * peak)))


def _locate(ink: np.ndarray, noise: float) -> np.ndarray | None:
    """Crop of ``ink`` to its bounding box with background zeroed, or None.

    Pixels count as ink at or above ``_REL_THRESHOLD`` of the strongest ink that has
    an inked neighbour, so isolated hot pixels (salt noise, JPEG specks) set neither
    the threshold nor the box. On grainy paper the threshold rises to
    ``_NOISE_SIGMAS`` times the paper's noise, up to half the peak.
    """
    peak = int(ink.max())
    for _ in range(2):
        if peak < _MIN_CONTRAST:
            return None
        thr = _threshold(peak, noise)
        mask = ink >= thr
        my0, my1 = _span(mask.any(axis=1))
        mx0, mx1 = _span(mask.any(axis=0))
        # A one-pixel margin so every neighbour of an ink pixel is in the crop.
        y0, x0 = max(my0 - 1, 0), max(mx0 - 1, 0)
        y1, x1 = min(my1 + 1, ink.shape[0]), min(mx1 + 1, ink.shape[1])
        sub = mask[y0:y1, x0:x1]
        kept = _with_neighbour(sub)
        crop = ink[y0:y1, x0:x1] * kept
        robust_peak = int(crop.max())
        if robust_peak == peak or _threshold(robust_peak, noise) >= thr:
            break
        # The peak was a lone hot pixel: threshold against the strongest ink that
        # has an inked neighbour instead.
        peak = _pair_peak(ink)
    count = np.count_nonzero(kept)
    if count < max(_MIN_INK_PIXELS, _MIN_INK_FRACTION * ink.size):
        return None
    if count == np.count_nonzero(sub):
        # Nothing was dropped: the box is the mask's.
        return crop[my0 - y0 : my1 - y0, mx0 - x0 : mx1 - x0]
    ky0, ky1 = _span(kept.any(axis=1))
    kx0, kx1 = _span(kept.any(axis=0))
    return crop[ky0:ky1, kx0:kx1]


def _normalise(ink: np.ndarray, noise: float) -> np.ndarray | None:
    """Crop, scale into the 20x20 box and centre by mass in 28x28; None if no ink."""
    crop = _locate(ink, noise)
    if crop is None:
        return None
    h, w = crop.shape
    scale = BOX_SIZE / max(h, w)
    nw = min(BOX_SIZE, max(1, math.floor(w * scale + 0.5)))
    nh = min(BOX_SIZE, max(1, math.floor(h * scale + 0.5)))
    img = Image.fromarray(crop)
    if scale < 1.0:
        # BOX is area averaging, which is what MNIST's anti-aliased normalisation
        # amounts to, and the fastest downscale; reducing_gap first bins big crops
        # by an integer factor, with no visible difference.
        img = img.resize((nw, nh), Image.Resampling.BOX, reducing_gap=3.0)
    elif scale > 1.0:
        img = img.resize((nw, nh), Image.Resampling.BILINEAR)
    patch = np.asarray(img, dtype=np.float32)
    peak = float(patch.max())
    if peak <= 0.0:
        return None
    rows = patch.sum(axis=1)
    mass = float(rows.sum())
    cy = float(rows @ (np.arange(nh) + 0.5)) / mass
    cx = float(patch.sum(axis=0) @ (np.arange(nw) + 0.5)) / mass
    centre = MNIST_SIZE / 2
    oy = min(max(math.floor(centre - cy + 0.5), 0), MNIST_SIZE - nh)
    ox = min(max(math.floor(centre - cx + 0.5), 0), MNIST_SIZE - nw)
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    out[oy : oy + nh, ox : ox + nw] = patch / peak
    return out


def to_mnist(image: np.ndarray, *, polarity: Polarity = "auto") -> np.ndarray | None:
    """Convert a picture of one digit to a 28x28 MNIST-style image.

    Parameters
    ----------
    image
        ``(H, W)`` grayscale or ``(H, W, C)`` with C = 1 (gray), 2 (gray + alpha),
        3 (RGB) or 4 (RGBA), any size. uint8 is 0..255, uint16 0..65535, floats with
        a maximum <= 1 are 0..1 (else 0..255), bool is 0/1; NaN counts as 0.
        Transparent pixels count as paper.
    polarity
        ``"auto"`` takes the paper level from the median of the outer ring of pixels
        and ink as any distance from it; ``"light_on_dark"`` / ``"dark_on_light"``
        only count ink brighter / darker than the paper.

    Returns
    -------
    np.ndarray or None
        float32 ``(28, 28)`` in ``[0, 1]``, ink 1 on 0 (white on black as in MNIST),
        strongest ink exactly 1.0, longer side of the ink 20 px, centre of mass at
        ``(14, 14)`` (pixel-corner coordinates) to within half a pixel unless that
        would push the 20 px box out of the frame. None when there is no ink: an
        empty image, contrast below 40/255, or only a few scattered pixels.

    Raises
    ------
    ValueError
        If ``image`` is not a numeric array of a supported shape, or ``polarity``
        is unknown.
    """
    _check_image(image, polarity)
    if image.size == 0:
        return None
    gray = to_gray(image, polarity)
    paper, noise = _paper(gray)
    return _normalise(_ink_map(gray, polarity, paper), noise)


def find_ink(
    image: np.ndarray, *, polarity: Polarity = "auto"
) -> tuple[np.ndarray, int] | None:
    """Ink strength per pixel and the level from which `to_mnist` counts it as ink.

    For finding several digits in one picture (`nnpad.core.reading.segment`): the same
    paper, polarity and noise analysis as `to_mnist`, on the whole image.

    Returns
    -------
    tuple or None
        ``(ink, level)``: uint8 ``(H, W)`` ink strength (0 is paper) and the
        threshold, judged against the strongest ink that has an inked neighbour.
        None when the image is blank (contrast below 40/255).

    Raises
    ------
    ValueError
        As `to_mnist`.
    """
    _check_image(image, polarity)
    if image.size == 0:
        return None
    gray = to_gray(image, polarity)
    paper, noise = _paper(gray)
    ink = _ink_map(gray, polarity, paper)
    peak = _pair_peak(ink)
    if peak < _MIN_CONTRAST:
        return None
    return ink, _threshold(peak, noise)


def _check_image(image: object, polarity: object) -> None:
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a numpy array, got {type(image).__name__}")
    if image.dtype.kind not in "biuf":
        raise ValueError(f"image must have a numeric dtype, got {image.dtype}")
    if image.ndim not in (2, 3) or (
        image.ndim == 3 and image.shape[2] not in (1, 2, 3, 4)
    ):
        raise ValueError(
            f"image must be (H, W) or (H, W, 1|2|3|4), got shape {image.shape}"
        )
    if not isinstance(polarity, str) or polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")


def drawing_to_mnist(drawing: Drawing) -> np.ndarray | None:
    """Render a drawing for the network and convert it with `to_mnist`.

    Returns None when the drawing has no (visible) ink. The image is read-only:
    recent results are kept, so that while a number is written only the digit
    being drawn is prepared again (strokes never change, so their identity is a
    safe key as long as they are kept alive with the result).
    """
    if not isinstance(drawing, Drawing):
        raise ValueError(f"expected a Drawing, got {type(drawing).__name__}")
    key = tuple(map(id, drawing.strokes))
    with _RECENT_LOCK:
        hit = _RECENT.get(key)
        if hit is not None:
            _RECENT.move_to_end(key)
            return hit[1]
    buffer = render_for_network(drawing)
    image = None if buffer is None else to_mnist(buffer, polarity="light_on_dark")
    if image is not None:
        image.setflags(write=False)
    with _RECENT_LOCK:
        _RECENT[key] = (drawing.strokes, image)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return image


_RECENT: OrderedDict[tuple[int, ...], tuple[object, np.ndarray | None]] = OrderedDict()
_RECENT_SIZE = 256
_RECENT_LOCK = threading.Lock()

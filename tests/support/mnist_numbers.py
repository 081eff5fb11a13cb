"""Numbers composed from real MNIST digits, as a scanned handwritten number looks.

Each digit is cropped to its ink, resized to the line's digit height (with some
size variation) and placed after the previous one with a gap like a person's:
mostly a tenth to a half of the digit height, sometimes tight, sometimes
overlapping in x (with paper left between the inks), now and then touching. The
picture is white ink on black, or dark ink on light, noisy paper like a scan.
`side_by_side` is the other easy case: MNIST's own 28x28 frames next to each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# How the gap to the previous digit is drawn: (name, probability, low, high), the gap
# between the ink boxes in digit heights (negative: overlapping in x).
SPACINGS = (
    ("normal", 0.70, 0.10, 0.50),
    ("tight", 0.14, 0.0, 0.10),
    ("overlapping", 0.10, -0.15, 0.0),
    ("touching", 0.06, 0.0, 0.0),
)
# Ink at or above this (of 255) is what "touching" and "paper between" refer to;
# the segmenter's threshold on these pictures is about a quarter of the peak.
STRONG = 128
FAINT = 40
# Digits that do not touch keep at least this much paper (in digit heights, and at
# least 2 px) between their faint ink, as a pen leaves between two letters.
CLEARANCE = 0.06
# MNIST digits' ink is about 20 px tall in their 28x28 frame.
MNIST_HEIGHT = 20


@dataclass(frozen=True)
class Composed:
    """A composed number: its picture (uint8), digits and how each gap was made."""

    image: np.ndarray
    digits: tuple[int, ...]
    spacings: tuple[str, ...]  # for each digit after the first
    height: int  # nominal digit height in pixels
    polarity: str  # "light_on_dark" or "dark_on_light"
    owner: np.ndarray  # int8 per pixel: which digit's ink is strongest there, -1: none

    @property
    def text(self) -> str:
        """The number as a string of digits."""
        return "".join(map(str, self.digits))


def crop(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit (ink 255 on 0) cropped to its ink."""
    rows = np.flatnonzero(digit.any(axis=1))
    cols = np.flatnonzero(digit.any(axis=0))
    return digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def resized(ink: np.ndarray, factor: float) -> np.ndarray:
    """Ink (uint8, white on black) scaled by ``factor``, smoothly."""
    h, w = ink.shape
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    if size == (w, h):
        return ink
    filt = Image.Resampling.BILINEAR if factor > 1 else Image.Resampling.BOX
    return np.asarray(Image.fromarray(ink).resize(size, filt))


def _reach(mask: np.ndarray, r: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the rightmost and leftmost ink column after growing by ``r`` px
    (a square), -inf/+inf for rows without ink."""
    h, w = mask.shape
    cols = np.arange(w)
    right = np.where(mask.any(axis=1), np.where(mask, cols, -1).max(axis=1), -(10**9))
    left = np.where(mask.any(axis=1), np.where(mask, cols, w).min(axis=1), 10**9)
    if r:
        pr = np.pad(right, r, constant_values=-(10**9))
        pl = np.pad(left, r, constant_values=10**9)
        right = np.max([pr[i : i + h] for i in range(2 * r + 1)], axis=0) + r
        left = np.min([pl[i : i + h] for i in range(2 * r + 1)], axis=0) - r
    return right, left


def _clear_of(line: np.ndarray, digit: np.ndarray, y: int, r: int) -> int:
    """Smallest x at which ``digit`` (placed at row ``y``) keeps more than ``r`` px
    (Chebyshev) from every ink pixel of ``line``; ``r = 0`` means just not touching
    (no 8-neighbour), ``r = -1`` touching (some 8-neighbour, no overlap)."""
    h = line.shape[0]
    band = np.zeros((h, digit.shape[1]), dtype=bool)
    band[y : y + digit.shape[0]] = digit
    right, _ = _reach(line, max(r, 0) + 1)
    _, left = _reach(band, 0)
    need = right - left  # x must exceed this on every row where both have ink
    need = need[(right > -(10**8)) & (left < 10**8)]
    if not len(need):
        return -(10**6)
    return int(need.max()) + (1 if r >= 0 else 0)


def compose(
    images: list[np.ndarray],
    labels: list[int],
    rng: np.random.Generator,
    *,
    height: int,
    polarity: str = "light_on_dark",
    spacing: str | None = None,
) -> Composed:
    """Compose MNIST digits into a number ``height`` px high per digit.

    Parameters
    ----------
    images, labels
        28x28 uint8 MNIST digits (white on black) and their digits.
    rng
        Draws the sizes (+-8%), vertical jitter (+-4% of the height), gaps (from
        `SPACINGS`, or always ``spacing``) and the paper noise.
    height
        Nominal digit height in pixels (MNIST's own is 20).
    polarity
        ``"light_on_dark"`` (clean, white on black) or ``"dark_on_light"`` (dark grey
        ink on light grey paper with noise, like a scan).
    """
    names = [s[0] for s in SPACINGS]
    weights = np.array([s[1] for s in SPACINGS])
    margin = max(4, height // 3)
    inks = []
    for image in images:
        factor = height / MNIST_HEIGHT * float(rng.uniform(0.92, 1.08))
        inks.append(resized(crop(image), factor))
    canvas_h = max(i.shape[0] for i in inks) + 2 * margin + round(0.1 * height)
    canvas_w = sum(i.shape[1] for i in inks) + round(0.6 * height) * len(inks)
    canvas = np.zeros((canvas_h, canvas_w + 2 * margin), dtype=np.uint8)
    owner = np.full(canvas.shape, -1, dtype=np.int8)
    mid = canvas_h / 2
    used: list[str] = []
    right = margin  # right edge (exclusive) of the ink so far
    clearance = max(2, round(CLEARANCE * height))
    for i, ink in enumerate(inks):
        y = round(mid - ink.shape[0] / 2 + float(rng.uniform(-0.04, 0.04)) * height)
        y = min(max(y, 1), canvas_h - ink.shape[0] - 1)
        if i == 0:
            x = margin
        else:
            kind = (
                spacing or names[int(rng.choice(len(names), p=weights / weights.sum()))]
            )
            low, high = next((lo, hi) for n, _, lo, hi in SPACINGS if n == kind)
            x = right + round(float(rng.uniform(low, high)) * height)
            if kind == "touching":
                x = _clear_of(canvas >= STRONG, ink >= STRONG, y, -1)
            else:
                x = max(x, _clear_of(canvas >= FAINT, ink >= FAINT, y, clearance))
            used.append(kind)
        x = max(x, 1)
        if x + ink.shape[1] + margin > canvas.shape[1]:
            grown = np.zeros((canvas_h, x + ink.shape[1] + margin), dtype=np.uint8)
            grown[:, : canvas.shape[1]] = canvas
            canvas = grown
            wider = np.full(canvas.shape, -1, dtype=np.int8)
            wider[:, : owner.shape[1]] = owner
            owner = wider
        region = canvas[y : y + ink.shape[0], x : x + ink.shape[1]]
        owner[y : y + ink.shape[0], x : x + ink.shape[1]][
            (ink > region) & (ink > 0)
        ] = i
        np.maximum(region, ink, out=region)
        right = max(right, x + ink.shape[1])
    canvas, owner = canvas[:, : right + margin], owner[:, : right + margin]
    if polarity == "dark_on_light":
        paper = 235.0 - 200.0 * canvas / 255.0 + rng.normal(0.0, 6.0, canvas.shape)
        canvas = np.clip(paper, 0, 255).astype(np.uint8)
    return Composed(
        canvas, tuple(int(d) for d in labels), tuple(used), height, polarity, owner
    )


def side_by_side(images: list[np.ndarray], scale: int) -> np.ndarray:
    """MNIST frames next to each other (their own 4 px margins), dark on white,
    ``scale`` times as large."""
    line = np.concatenate(list(images), axis=1)
    img = Image.fromarray(255 - line)
    return np.asarray(img.resize((line.shape[1] * scale, 28 * scale)))

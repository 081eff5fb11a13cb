"""Elastic distortion: a digit bent a little, as another hand would have drawn it.

Simard, Steinkraus and Platt (2003): each pixel moves by a random displacement field,
smoothed with a Gaussian of ``sigma`` pixels and scaled by ``alpha``, so that nearby
pixels move together and strokes bend rather than tear. With these distortions a plain
feedforward network learns what rotations and shifts cannot teach it: the wobble of
real strokes. Distorted copies join the training images once, before training (the
augmentation layers still move every image a little, each epoch).
"""

from __future__ import annotations

import numpy as np

#: Simard et al.'s values for 28x28 digits: displacements of about 1.4 px (std).
ALPHA = 34.0
SIGMA = 4.0
# Images distorted at once (bounds the memory of the index arrays).
CHUNK = 4096


def smoothing_matrix(size: int, sigma: float) -> np.ndarray:
    """``(size, size)`` Gaussian smoothing along one axis, zero beyond the edges."""
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel[np.abs(offsets) > radius] = 0.0
    # Normalised as the full kernel is, so a field loses strength only at the edges.
    full = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).sum()
    return (kernel / full).astype(np.float32)


def distort(
    images: np.ndarray,
    rng: np.random.Generator,
    alpha: float = ALPHA,
    sigma: float = SIGMA,
) -> np.ndarray:
    """Elastically distorted copies of uint8 ``images`` ``(n, h, w)``, bilinear."""
    out = np.empty_like(images)
    for start in range(0, len(images), CHUNK):
        chunk = images[start : start + CHUNK]
        out[start : start + CHUNK] = _distort(chunk, rng, alpha, sigma)
    return out


def _distort(
    images: np.ndarray, rng: np.random.Generator, alpha: float, sigma: float
) -> np.ndarray:
    n, h, w = images.shape
    rows, cols = smoothing_matrix(h, sigma), smoothing_matrix(w, sigma)
    field = rng.uniform(-1.0, 1.0, (n, 2, h, w)).astype(np.float32)
    dy, dx = (alpha * rows @ field @ cols.T).transpose(1, 0, 2, 3)
    y = np.arange(h, dtype=np.float32)[None, :, None] + dy
    x = np.arange(w, dtype=np.float32)[None, None, :] + dx
    y0, x0 = np.floor(y).astype(np.int64), np.floor(x).astype(np.int64)
    fy, fx = y - y0, x - x0
    source = images.astype(np.float32)
    index = np.arange(n)[:, None, None]

    def pixel(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        value = source[index, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        return np.where(inside, value, 0.0)

    value = (
        pixel(y0, x0) * (1 - fy) * (1 - fx)
        + pixel(y0, x0 + 1) * (1 - fy) * fx
        + pixel(y0 + 1, x0) * fy * (1 - fx)
        + pixel(y0 + 1, x0 + 1) * fy * fx
    )
    return np.clip(np.rint(value), 0, 255).astype(np.uint8)

"""Connected components of a boolean image, in NumPy (no SciPy in nnpad's core).

The mask is cut into horizontal runs of set pixels; runs of neighbouring rows that
touch (8-connectivity) are linked, and the links are resolved by vectorised
hooking and pointer jumping, so the work is a few NumPy passes over the runs
rather than a Python loop over pixels.
"""

from __future__ import annotations

import numpy as np

__all__ = ["label"]


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, first column and end column (exclusive) of every run, in raster order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    return rows, starts, ends


def _links(
    rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of runs (a in row r, b in row r + 1) that touch, corners included."""
    key = width + 3  # row stride of the sort keys: rows never interleave
    end_keys = rows * key + ends
    start_keys = rows * key + starts
    above = (rows - 1) * key
    # Runs of the row above with end >= start (they reach the column left of b's
    # first pixel or further) and start <= end (they begin at most one past b).
    lo = np.searchsorted(end_keys, above + starts, side="left")
    hi = np.searchsorted(start_keys, above + ends, side="right")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if not total:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    b = np.repeat(np.arange(len(rows)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    a = np.repeat(lo, counts) + (np.arange(total) - first)
    return a, b


def _roots(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest member of each run's component (hook to the smaller root, jump)."""
    parent = np.arange(n)
    while True:
        pa, pb = parent[a], parent[b]
        if np.array_equal(pa, pb):
            return parent
        low = np.minimum(pa, pb)
        np.minimum.at(parent, pa, low)
        np.minimum.at(parent, pb, low)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Label the 8-connected components of a 2-D boolean mask.

    Returns
    -------
    labels, count
        int32 array of the mask's shape with 0 for background and ``1..count`` for
        the components, numbered in raster order of their first pixel.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {mask.shape}")
    labels = np.zeros(mask.shape, dtype=np.int32)
    rows, starts, ends = _runs(mask)
    if not len(rows):
        return labels, 0
    a, b = _links(rows, starts, ends, mask.shape[1])
    roots = _roots(len(rows), a, b)
    unique, run_label = np.unique(roots, return_inverse=True)
    # Paint every run with its label.
    lengths = ends - starts
    pixel_run = np.repeat(np.arange(len(rows)), lengths)
    offset = np.arange(int(lengths.sum())) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    labels[rows[pixel_run], starts[pixel_run] + offset] = run_label[pixel_run] + 1
    return labels, len(unique)

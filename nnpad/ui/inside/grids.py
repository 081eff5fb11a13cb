"""Pure layout helpers for the activation view: neurons on grids, images in mosaics.

NumPy only, so they are easy to test; the widgets in ``activation_view`` draw them.
"""

from __future__ import annotations

import math

import numpy as np


def grid_shape(units: int, max_ratio: float = 2.0) -> tuple[int, int]:
    """Return (rows, columns) of a near-square, upright grid for ``units`` cells.

    An exact factorisation no more than ``max_ratio`` times taller than wide is
    preferred (128 -> 16x8, 64 -> 8x8, 512 -> 32x16); otherwise the grid is
    ceil(sqrt(units)) wide and the last row is partly empty.
    """
    if units < 1:
        raise ValueError("a grid needs at least one cell")
    for cols in range(math.isqrt(units), 0, -1):
        if units % cols == 0:
            rows = units // cols
            if rows <= max_ratio * cols:
                return rows, cols
            break
    cols = math.isqrt(units)
    rows = math.ceil(units / cols)
    return rows, cols


def to_grid(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Lay ``values`` out row by row on a float32 grid, padding with NaN."""
    flat = np.asarray(values, dtype=np.float32).ravel()
    grid = np.full(shape[0] * shape[1], np.nan, dtype=np.float32)
    grid[: flat.size] = flat
    return grid.reshape(shape)


def blank_grid(shape: tuple[int, int]) -> np.ndarray:
    """An all-NaN grid (drawn transparent)."""
    return np.full(shape, np.nan, dtype=np.float32)


def cell_index(x: float, y: float, shape: tuple[int, int], units: int) -> int | None:
    """Return the neuron under grid coordinates (x right, y down), or None."""
    rows, cols = shape
    if not (0 <= x < cols and 0 <= y < rows):
        return None
    index = int(y) * cols + int(x)
    return index if index < units else None


def cell_origin(index: int, shape: tuple[int, int]) -> tuple[int, int]:
    """Return (x, y) of the top-left corner of neuron ``index``'s cell."""
    row, col = divmod(index, shape[1])
    return col, row


def mosaic_shape(count: int) -> tuple[int, int]:
    """Return (rows, columns) of tiles for a wide mosaic of ``count`` images."""
    rows, cols = grid_shape(count)
    return cols, rows


def mosaic(images: np.ndarray, tiles: tuple[int, int], gap: int = 1) -> np.ndarray:
    """Tile images (n, h, w) row by row with ``gap`` NaN pixels between tiles."""
    count, height, width = images.shape
    rows, cols = tiles
    out = np.full(
        (rows * (height + gap) - gap, cols * (width + gap) - gap),
        np.nan,
        dtype=np.float32,
    )
    for i in range(count):
        top, left = mosaic_origin(i, tiles, (height, width), gap)
        out[top : top + height, left : left + width] = images[i]
    return out


def mosaic_origin(
    index: int, tiles: tuple[int, int], tile: tuple[int, int], gap: int = 1
) -> tuple[int, int]:
    """Return the (top, left) pixel of tile ``index`` in a mosaic."""
    row, col = divmod(index, tiles[1])
    return row * (tile[0] + gap), col * (tile[1] + gap)


def mosaic_index(
    x: float,
    y: float,
    tiles: tuple[int, int],
    tile: tuple[int, int],
    count: int,
    gap: int = 1,
) -> int | None:
    """Return the image under mosaic pixel coordinates, or None (gaps, outside)."""
    if x < 0 or y < 0:
        return None
    row, dy = divmod(int(y), tile[0] + gap)
    col, dx = divmod(int(x), tile[1] + gap)
    if row >= tiles[0] or col >= tiles[1] or dy >= tile[0] or dx >= tile[1]:
        return None
    index = row * tiles[1] + col
    return index if index < count else None


def symmetric_limit(values: np.ndarray, percentile: float = 100.0) -> float:
    """Return a positive bound L so that (-L, L) frames ``values`` for a diverging map.

    With ``percentile`` below 100 a few extreme weights do not wash out the rest.
    """
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return 1.0
    limit = float(np.percentile(finite, percentile))
    return limit if limit > 0 else 1.0

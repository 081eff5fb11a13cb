"""Where to cut two touching digits of a picture apart: columns, then paths.

A group of ink pixels (their ``(n, 2)`` x, y and their box) is cut near the
columns with the least ink, along the top-to-bottom path that crosses the least
ink.
"""

from __future__ import annotations

import numpy as np

# Up to CUTS columns (least ink first, then every CUT_STEP, in H), at least
# CUT_MARGIN from the group's ends.
CUTS = 8
CUT_STEP = 0.12
CUT_MARGIN = 0.1


def cut_columns(
    xy: np.ndarray, box: np.ndarray, height: float, several: bool
) -> list[int]:
    """Columns to cut near, away from the ends, best first.

    The least-ink column (smoothed over a few pixels) and, with ``several``, the
    other local minima of the column profile and columns every ``CUT_STEP * H``,
    up to ``CUTS`` in all.
    """
    x0, x1 = int(box[0]), int(box[2])
    margin = max(1, round(CUT_MARGIN * height))
    if x1 - x0 <= 2 * margin:
        return []
    profile = np.bincount(xy[:, 0] - x0, minlength=x1 - x0).astype(np.float64)
    k = max(1, round(0.03 * height))
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    inner = smooth[margin : len(smooth) - margin]
    is_min = np.ones(len(inner), dtype=bool)
    is_min[1:] &= inner[1:] <= inner[:-1]
    is_min[:-1] &= inner[:-1] <= inner[1:]
    centre = (len(inner) - 1) / 2
    found = sorted(np.flatnonzero(is_min), key=lambda i: (inner[i], abs(i - centre)))
    if not several:
        return [x0 + margin + int(found[0])]
    step = max(1, round(CUT_STEP * height))
    picked: list[int] = []
    for i in [*found, *range(0, len(inner), step)]:
        if all(abs(i - j) > step // 2 for j in picked):  # a flat valley counts once
            picked.append(int(i))
        if len(picked) == CUTS:
            break
    return [x0 + margin + i for i in picked]


def cut_paths(
    xy: np.ndarray, box: np.ndarray, anchors: list[int], band: int
) -> list[np.ndarray]:
    """For each anchor column, the top-to-bottom path that crosses the least ink.

    Dynamic programming over the rows of the group's box, all anchors at once: a
    path moves at most one pixel sideways per row and stays within ``band``
    pixels of its anchor. Returns each path's x for each row of the box.
    """
    x0, y0, x1, y1 = (int(v) for v in box)
    grid = np.zeros((y1 - y0, x1 - x0), dtype=np.float64)
    grid[xy[:, 1] - y0, xy[:, 0] - x0] = 1.0
    # Band k covers columns anchors[k] - band .. + band; outside the box is barred.
    cols = np.asarray(anchors)[:, None] - x0 + np.arange(-band, band + 1)
    inside = (cols >= 0) & (cols < x1 - x0)
    bands = np.where(inside, grid[:, np.clip(cols, 0, x1 - x0 - 1)], np.inf)
    bend = 1e-3  # a tiny price per sideways step keeps paths straight in the paper
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

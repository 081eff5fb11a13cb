"""A second reader for marks: one digit, or two digits that touch.

To cut two touching digits apart, the splitter must know that a mark holds two,
and the digit network cannot tell it: it reads the halves of an 8 as a sure 1
and a sure 3, and a touching "61" as a sure 4. This small CNN reads the whole
mark, fitted into 28x56, as one of 110 classes: a digit alone (0-9) or a pair,
left and right (10 + 10 * left + right). It was trained on digits of MNIST's
training part, traced into strokes and as MNIST's own pictures, alone and in
pairs that touch or nearly touch (``tests/benchmarks/train_pair_reader.py``),
and runs in NumPy as the digit networks do. Its weights are plain arrays in an
``.npz`` file, loaded without pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from nnpad.core.model.conv import ConvBlock, FlattenMaps, MaxPool
from nnpad.core.model.network import DenseBlock

if TYPE_CHECKING:
    from pathlib import Path

Layer = Callable[[np.ndarray], np.ndarray]

MARK_SHAPE = (28, 56)
# The mark's ink is fitted into this box (height, width), centred in MARK_SHAPE.
FIT = (20, 52)
CLASSES = 110
PAIR_READER = "pair_reader.npz"
FORMAT = 1


def mark_image(ink: np.ndarray) -> np.ndarray | None:
    """A mark's ink (light on dark, any size) as the reader's float32 input.

    The ink's box is scaled, keeping its shape, to fit ``FIT`` and centred;
    the brightest pixel becomes 1. None without ink.
    """
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
    h, w = crop.shape
    scale = min(FIT[0] / h, FIT[1] / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(
        Image.fromarray(crop).resize(size, Image.Resampling.BOX), np.float32
    )
    out = np.zeros(MARK_SHAPE, dtype=np.float32)
    top, left = (MARK_SHAPE[0] - size[1]) // 2, (MARK_SHAPE[1] - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = small
    peak = float(out.max())
    return out / peak if peak > 0 else None


@dataclass(frozen=True)
class PairReading:
    """What the reader makes of one mark."""

    probabilities: np.ndarray  # (110,)

    @property
    def two(self) -> float:
        """The probability that the mark holds two digits."""
        return float(self.probabilities[10:].sum())

    @property
    def pair(self) -> np.ndarray:
        """``(10, 10)``: the probability of each (left, right) pair."""
        return self.probabilities[10:].reshape(10, 10)


class PairReader:
    """The CNN: three convolutions with pooling, then two Dense layers."""

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers

    @classmethod
    def load(cls, path: str | Path) -> PairReader:
        """Read the weights; ValueError for a file that is not a pair reader's."""
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files}
            if int(arrays["format"]) != FORMAT:
                raise ValueError(f"format {arrays['format']}, not {FORMAT}")
            reader = cls(_layers(arrays))
            probe = reader.probabilities(np.zeros((1, *MARK_SHAPE), np.float32))
            if probe.shape != (1, CLASSES):
                raise ValueError(f"{probe.shape[1]} classes, not {CLASSES}")
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path} is not a pair reader's weights: {exc}") from exc
        return reader

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """``(n, 110)`` for images ``(n, 28, 56)``."""
        x = np.asarray(images, dtype=np.float32)[..., None]
        for layer in self.layers:
            x = layer(x)
        return np.asarray(x, dtype=np.float64)

    def read(self, images: list[np.ndarray]) -> list[PairReading]:
        """One reading per image."""
        if not images:
            return []
        return [PairReading(p) for p in self.probabilities(np.stack(images))]


def _layers(arrays: dict[str, np.ndarray]) -> list[Layer]:
    """Three convolutions with pooling, Flatten, then two Dense layers."""
    layers: list[Layer] = []
    for k in range(3):
        kernel, bias = arrays[f"conv{k}_kernel"], arrays[f"conv{k}_bias"]
        layers += [ConvBlock(kernel, bias, "relu", "same"), MaxPool(2)]
    layers.append(FlattenMaps())
    layers.append(DenseBlock(arrays["dense0_kernel"], arrays["dense0_bias"], "relu"))
    layers.append(DenseBlock(arrays["dense1_kernel"], arrays["dense1_bias"], "softmax"))
    return layers


@cache
def shipped_pair_reader() -> PairReader | None:
    """The reader shipped in ``assets/``; None when it is missing or unreadable."""
    from nnpad.resources import asset

    try:
        return PairReader.load(asset(PAIR_READER))
    except (FileNotFoundError, ValueError):
        return None

"""What a CNN's conv layers hold and how one cell of a map was computed.

For "look inside" a convolutional network; the views only draw these. Layers are
numbered as in :meth:`Network.activations` (0 is the input, 1 the first conv layer),
cells as ``(row, column, channel)`` of a layer's maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.model import conv

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.model.network import Network


def conv_filters(network: Network, layer: int) -> np.ndarray:
    """The kernels of conv layer ``layer`` as ``(filters, kh, kw, in)`` float32.

    Keras applies them without flipping: filter ``f`` at a place is the sum of
    ``kernel[f] * window`` over the window of the previous maps there.
    """
    return _conv_block(network, layer).kernel.transpose(3, 0, 1, 2).astype(np.float32)


@dataclass(frozen=True)
class ConvCell:
    """One cell of a conv layer's maps, worked out.

    ``window`` is what the kernel saw, ``(kh, kw, in)`` (zeros where padding "same"
    reaches past the edge); ``value = activation(sum(window * kernel) + bias)``.
    """

    window: np.ndarray
    kernel: np.ndarray
    bias: float
    total: float  # the sum plus the bias, before the activation
    activation: str
    value: float

    @property
    def text(self) -> str:
        """The sum in words and figures.

        For example ``sum of 3×3×1 window × kernel + bias = 0.84 + 0.10 = 0.94;
        relu → 0.94``.
        """
        kh, kw, channels = self.window.shape
        products = self.total - self.bias
        return (
            f"sum of {kh}×{kw}×{channels} window × kernel + bias ="
            f" {products:.2f} {'+' if self.bias >= 0 else '-'} {abs(self.bias):.2f}"
            f" = {self.total:.2f}; {self.activation} → {self.value:.2f}"
        )


def conv_cell(
    network: Network,
    activations: Sequence[np.ndarray],
    layer: int,
    cell: tuple[int, int, int],
) -> ConvCell:
    """How cell ``(row, column, filter)`` of conv layer ``layer`` was computed.

    ``activations`` is ``network.activations(image)`` of one image.
    """
    block = _conv_block(network, layer)
    row, col, channel = cell
    maps = np.asarray(activations[layer][0])
    if not (0 <= row < maps.shape[0] and 0 <= col < maps.shape[1]):
        raise IndexError(f"no cell ({row}, {col}) in {maps.shape[0]}×{maps.shape[1]}")
    if not 0 <= channel < block.filters:
        raise IndexError(f"no filter {channel} in a layer of {block.filters}")
    k = block.kernel_size
    before = conv.same_padding(k)[0] if block.padding == "same" else 0
    inputs = np.asarray(activations[layer - 1][0], dtype=np.float32)
    window = np.zeros((k, k, inputs.shape[2]), dtype=np.float32)
    for i in range(k):
        for j in range(k):
            r, c = row + i - before, col + j - before
            if 0 <= r < inputs.shape[0] and 0 <= c < inputs.shape[1]:
                window[i, j] = inputs[r, c]
    kernel = block.kernel[..., channel].astype(np.float32)
    bias = float(block.bias[channel])
    total = float(np.sum(window.astype(np.float64) * kernel)) + bias
    return ConvCell(
        window, kernel, bias, total, block.activation, float(maps[row, col, channel])
    )


def pool_block(
    network: Network,
    activations: Sequence[np.ndarray],
    layer: int,
    cell: tuple[int, int, int],
) -> np.ndarray:
    """The block of the previous maps that max-pooling cell ``cell`` took the max of.

    ``(size, size)`` values of one channel; the cell's value is their largest.
    """
    feature = (
        network.features[layer - 1] if 1 <= layer <= len(network.features) else None
    )
    if not isinstance(feature, conv.MaxPool):
        raise ValueError(f"layer {layer} is not a max-pooling layer")
    row, col, channel = cell
    p = feature.size
    inputs = np.asarray(activations[layer - 1][0])
    return inputs[row * p : (row + 1) * p, col * p : (col + 1) * p, channel]


def _conv_block(network: Network, layer: int) -> conv.ConvBlock:
    feature = (
        network.features[layer - 1] if 1 <= layer <= len(network.features) else None
    )
    if not isinstance(feature, conv.ConvBlock):
        raise ValueError(f"layer {layer} is not a conv layer")
    return feature


def receptive_field(
    network: Network, layer: int, row: int, col: int
) -> tuple[int, int, int, int]:
    """The input pixels cell ``(row, col)`` of maps layer ``layer`` depends on.

    ``(top, left, height, width)`` in the 28×28 input, before clipping to it: with
    padding "same" a cell near the edge also sees the zeros past it. Layer 0 (the
    input) sees one pixel; batch normalization sees what the layer below saw.
    """
    if not 0 <= layer <= len(network.features):
        raise IndexError(f"layer {layer} has no maps")
    top, bottom, left, right = row, row, col, col
    for feature in reversed(network.features[:layer]):
        if isinstance(feature, conv.ConvBlock):
            k = feature.kernel_size
            before = conv.same_padding(k)[0] if feature.padding == "same" else 0
            top, left = top - before, left - before
            bottom, right = bottom - before + k - 1, right - before + k - 1
        elif isinstance(feature, conv.MaxPool):
            p = feature.size
            top, left = top * p, left * p
            bottom, right = bottom * p + p - 1, right * p + p - 1
        elif not isinstance(feature, conv.ChannelNorm):
            raise ValueError(f"layer {layer} is a vector, not maps")
    return top, left, bottom - top + 1, right - left + 1

"""How one cell of a CNN's maps came to be, as the "look inside" panel tells it.

Qt-free: :func:`cell_story` gathers, for a cell ``(layer, row, column, channel)`` of
one drawing's activations, the patch of the layer below it read, the kernel it was
weighed with and the arithmetic in words; :func:`layer_rows` pairs each layer of a
network with its row of :func:`~nnpad.core.recipe.layer_table.layer_table` (output
shape and parameter count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.model import conv
from nnpad.core.reading.conv_explain import conv_cell, pool_block
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.layer_table import layer_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.model.network import Network
    from nnpad.core.recipe.layer_table import LayerRow

# Above this many products the sum is given per input map, not term by term.
MAX_TERMS = 9


@dataclass(frozen=True)
class CellStory:
    """What the panel shows for one cell.

    ``patch`` is what the cell read from the layer below, ``(h, w, channels)``;
    ``kernel`` the weights it was multiplied with, same shape (None for pooling,
    batch normalization and the input); ``value`` the cell's activation.
    """

    title: str
    patch: np.ndarray | None
    kernel: np.ndarray | None
    text: str
    value: float


def layer_rows(network: Network) -> dict[int, LayerRow]:
    """Each layer of ``network`` (numbered as in ``activations``) and its table row."""
    architecture = network.architecture
    rows = layer_table(architecture)
    found = {0: rows[0], len(network.layer_names()) - 1: rows[-1]}
    layer = 0
    for index, spec in enumerate(architecture.conv, start=1):
        if not isinstance(spec, conv_spec.Dropout):
            layer += 1
            found[layer] = rows[index]
    dense = [
        row
        for row in rows[1 + len(architecture.conv) : -1]
        if row.name.startswith("Dense")
    ]
    for offset, row in enumerate(dense, start=1):
        found[layer + offset] = row
    return found


def cell_story(
    network: Network,
    activations: Sequence[np.ndarray],
    cell: tuple[int, int, int, int],
) -> CellStory:
    """How cell ``(layer, row, column, channel)`` of one drawing was computed.

    ``activations`` is ``network.activations(image)`` of one image.
    """
    layer, row, col, channel = cell
    names = network.layer_names()
    value = float(np.asarray(activations[layer])[0, row, col, channel])
    title = f"{names[layer]}, map {channel}, row {row}, column {col}: {value:.2f}"
    if layer == 0:
        return CellStory(title, None, None, "A pixel of the drawing.", value)
    below = names[layer - 1]
    feature = network.features[layer - 1]
    if isinstance(feature, conv.ConvBlock):
        worked = conv_cell(network, activations, layer, (row, col, channel))
        text = f"{_products(worked.window, worked.kernel)}\n{worked.text}"
        return CellStory(title, worked.window, worked.kernel, text, value)
    if isinstance(feature, conv.MaxPool):
        block = pool_block(network, activations, layer, (row, col, channel))
        figures = ", ".join(f"{v:.2f}" for v in block.ravel())
        size = f"{block.shape[0]}×{block.shape[1]}"
        text = f"The largest of the {size} block of {below}, map {channel}: "
        text += f"max({figures}) = {value:.2f}"
        return CellStory(title, block[..., None], None, text, value)
    if isinstance(feature, conv.ChannelNorm):
        scale, shift = feature.scale_shift
        x = float(np.asarray(activations[layer - 1])[0, row, col, channel])
        text = (
            f"Batch normalization of {below}, map {channel}: {x:.2f} ×"
            f" {scale[channel]:.3f} + {shift[channel]:.3f} = {value:.2f}"
        )
        return CellStory(title, None, None, text, value)
    raise ValueError(f"layer {layer} has no maps")


def _products(window: np.ndarray, kernel: np.ndarray) -> str:
    """The products summed, term by term when few, else per input map."""
    if window.size <= MAX_TERMS:
        terms = [
            f"{x:.2f}×{w:.2f}" if w >= 0 else f"{x:.2f}×({w:.2f})"
            for x, w in zip(window.ravel(), kernel.ravel(), strict=True)
        ]
        return " + ".join(terms)
    sums = np.sum(window.astype(np.float64) * kernel, axis=(0, 1))
    parts = ", ".join(f"{i}: {s:+.2f}" for i, s in enumerate(sums))
    return f"Window × kernel summed over each input map: {parts}"

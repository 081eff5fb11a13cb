"""Two feedforward networks side by side, as one wider feedforward network.

Two networks trained apart make different mistakes, and the mean of their logits
reads better than either (an ensemble). Placed side by side, each hidden layer holds
both networks' neurons, the weights between them zero, and the output layer takes
half of each one's logits: one plain feedforward network that computes exactly that
mean, which every part of nnpad can read, calibrate, look inside and fine-tune.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnpad.core.model.network import DenseBlock, Network


def side_by_side(first: Network, second: Network) -> Network:
    """One network whose logits are the mean of ``first``'s and ``second``'s.

    Both must be feedforward networks of the same depth and activation, without
    batch normalization (whose scale would differ per half). The merged network
    keeps ``first``'s other settings (dropout, augmentation), which do not change
    a reading.
    """
    a, b = first.architecture, second.architecture
    if a.convolutional or b.convolutional:
        raise ValueError("only feedforward networks can be set side by side")
    if a.batch_norm or b.batch_norm:
        raise ValueError("networks with batch normalization cannot be set side by side")
    if len(a.hidden) != len(b.hidden):
        raise ValueError(
            f"the networks differ in depth ({len(a.hidden)} and {len(b.hidden)}"
            " hidden layers)"
        )
    if a.activation != b.activation:
        raise ValueError(
            f"the networks differ in activation ({a.activation} and {b.activation})"
        )
    blocks = []
    last = len(first.blocks) - 1
    for depth, (x, y) in enumerate(zip(first.blocks, second.blocks, strict=True)):
        if depth == 0:  # both read the same input
            kernel = np.concatenate((x.kernel, y.kernel), axis=1)
            bias = np.concatenate((x.bias, y.bias))
        elif depth < last:  # each reads only its own neurons
            kernel = _block_diagonal(x.kernel, y.kernel)
            bias = np.concatenate((x.bias, y.bias))
        else:  # half of each one's logits
            kernel = 0.5 * np.concatenate((x.kernel, y.kernel), axis=0)
            bias = 0.5 * (x.bias + y.bias)
        blocks.append(
            DenseBlock(kernel.astype(np.float32), bias.astype(np.float32), x.activation)
        )
    hidden = tuple(p + q for p, q in zip(a.hidden, b.hidden, strict=True))
    return Network(replace(a, hidden=hidden), blocks)


def _block_diagonal(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    out = np.zeros(
        (upper.shape[0] + lower.shape[0], upper.shape[1] + lower.shape[1]),
        dtype=np.float32,
    )
    out[: upper.shape[0], : upper.shape[1]] = upper
    out[upper.shape[0] :, upper.shape[1] :] = lower
    return out

"""The layers of a CNN before its Dense ones, in NumPy: forward and input gradient.

Maps are channels-last, ``(n, height, width, channels)``, as Keras keeps them. A
convolution is one matrix product (im2col): ``sliding_window_view`` gives every
window without copying; copied to ``(positions, kh·kw·channels)`` they meet the
kernel reshaped to ``(kh·kw·channels, filters)``, which is Keras' own layout ``(kh,
kw, in, out)`` flattened. Keras does not flip kernels (it computes a
cross-correlation), and neither does this. Big batches go in chunks: the windows of
10,000 images for ``mnist_convnet``'s second convolution would take 1.4 GB.
Measured on one BLAS thread here (tests/benchmarks/bench_cnn_inference.py):
``mnist_convnet`` reads a digit in about 0.2 ms and six in about 1 ms.

Each layer has ``__call__`` (the forward pass of a batch) and ``input_gradient``
(from the gradient at its output, the gradient at its input), which the saliency in
:mod:`nnpad.core.reading.explain` chains; both are exact, not approximations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnpad.core.model.activations import activate_in_place, derivative

if TYPE_CHECKING:
    from nnpad.core.model.batch_norm import BatchNorm

# Most bytes of windows copied at once by one convolution (float32).
WINDOW_BYTES = 32 << 20


def same_padding(kernel_size: int) -> tuple[int, int]:
    """Zeros before and after each side for padding "same" (TensorFlow's split).

    For an even kernel the extra row and column go after, as TensorFlow puts them.
    """
    before = (kernel_size - 1) // 2
    return before, kernel_size - 1 - before


@dataclass(frozen=True, eq=False)
class ConvBlock:
    """A Conv2D layer (stride 1) and its activation."""

    kernel: np.ndarray  # (kh, kw, in, out)
    bias: np.ndarray  # (out,)
    activation: str  # relu | sigmoid | tanh
    padding: str = "valid"  # valid | same

    @property
    def filters(self) -> int:
        """Number of filters (output channels)."""
        return int(self.kernel.shape[3])

    @property
    def kernel_size(self) -> int:
        """Height (and width) of the kernel."""
        return int(self.kernel.shape[0])

    @cached_property
    def matrix(self) -> np.ndarray:
        """The kernel as ``(kh·kw·in, out)``, in the order of the windows' values."""
        kh, kw, channels, filters = self.kernel.shape
        kernel = self.kernel.astype(np.float32).reshape(kh * kw * channels, filters)
        return np.ascontiguousarray(kernel)

    def _padded(self, x: np.ndarray) -> np.ndarray:
        if self.padding != "same" or self.kernel_size == 1:
            return x
        before, after = same_padding(self.kernel_size)
        return np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))

    def pre_activation(self, x: np.ndarray) -> np.ndarray:
        """The convolution plus bias, before the activation, float32."""
        x = self._padded(np.asarray(x, dtype=np.float32))
        n, height, width, channels = x.shape
        k = self.kernel_size
        rows, cols = height - k + 1, width - k + 1
        out = np.empty((n, rows, cols, self.filters), dtype=np.float32)
        per_image = rows * cols * channels * k * k * 4
        chunk = max(1, WINDOW_BYTES // max(per_image, 1))
        for start in range(0, n, chunk):
            # sliding_window_view puts the window axes last: (n, rows, cols,
            # channels, kh, kw). Channels last instead makes the copy below read
            # runs of neighbouring values, and matches the kernel's own layout.
            windows = sliding_window_view(x[start : start + chunk], (k, k), (1, 2))
            flat = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, k * k * channels)
            values = out[start : start + chunk].reshape(-1, self.filters)
            np.matmul(flat, self.matrix, out=values)
            values += self.bias.astype(np.float32)
        return out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The feature maps ``(n, rows, cols, filters)`` of maps ``x``."""
        # In place: the maps of a batch are large, and each new array costs a pass.
        return activate_in_place(self.activation, self.pre_activation(x))

    def input_gradient(
        self, grad: np.ndarray, inputs: np.ndarray, outputs: np.ndarray
    ) -> np.ndarray:
        """The gradient at ``inputs`` from the gradient at ``outputs``.

        Back through the activation, then each window's share of the kernel added
        back where the window was taken from (col2im), then the padding cut off.
        """
        k = self.kernel_size
        n, rows, cols, _ = outputs.shape
        channels = inputs.shape[3]
        local = grad * derivative(self.activation, outputs)
        windows = (local.reshape(-1, self.filters) @ self.matrix.T).reshape(
            n, rows, cols, k, k, channels
        )
        before, _ = same_padding(k) if self.padding == "same" else (0, 0)
        padded = np.zeros((n, rows + k - 1, cols + k - 1, channels), dtype=np.float32)
        for i in range(k):
            for j in range(k):
                padded[:, i : i + rows, j : j + cols] += windows[:, :, :, i, j]
        height, width = inputs.shape[1:3]
        return padded[:, before : before + height, before : before + width]


@dataclass(frozen=True, eq=False)
class MaxPool:
    """MaxPooling2D with stride equal to its size and no padding."""

    size: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The largest value of each block."""
        p = self.size
        rows, cols = x.shape[1] // p, x.shape[2] // p
        # One strided view per place in the block: faster than a reduction over
        # two axes of a reshaped array.
        out = x[:, : rows * p : p, : cols * p : p].copy()
        for i in range(p):
            for j in range(p):
                if i or j:
                    np.maximum(out, x[:, i : rows * p : p, j : cols * p : p], out=out)
        return out

    def input_gradient(
        self, grad: np.ndarray, inputs: np.ndarray, outputs: np.ndarray
    ) -> np.ndarray:
        """Each block's gradient goes to its largest value (the first, on a tie)."""
        p = self.size
        rows, cols = outputs.shape[1:3]
        out = np.zeros(inputs.shape, dtype=np.float32)
        taken = np.zeros(outputs.shape, dtype=bool)
        for i in range(p):
            for j in range(p):
                place = (slice(None), slice(i, rows * p, p), slice(j, cols * p, p))
                wins = (inputs[place] == outputs) & ~taken
                out[place] = np.where(wins, grad, np.float32(0.0))
                taken |= wins
        return out


@dataclass(frozen=True, eq=False)
class ChannelNorm:
    """BatchNormalization at inference: one scale and shift per channel (last axis)."""

    batch_norm: BatchNorm

    @cached_property
    def scale_shift(self) -> tuple[np.ndarray, np.ndarray]:
        """``gamma / sqrt(var + eps)`` and ``beta - mean · scale``, float32.

        Computed in float64, as the Dense blocks fold theirs.
        """
        bn = self.batch_norm
        scale = bn.gamma.astype(np.float64) / np.sqrt(
            bn.moving_variance.astype(np.float64) + bn.epsilon
        )
        shift = bn.beta - bn.moving_mean.astype(np.float64) * scale
        return scale.astype(np.float32), shift.astype(np.float32)

    @property
    def channels(self) -> int:
        """Number of channels (or units) normalized."""
        return int(self.batch_norm.gamma.shape[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Scale and shift each channel."""
        scale, shift = self.scale_shift
        return x * scale + shift

    def input_gradient(
        self, grad: np.ndarray, inputs: np.ndarray, outputs: np.ndarray
    ) -> np.ndarray:
        """The gradient scaled per channel."""
        return grad * self.scale_shift[0]


@dataclass(frozen=True, eq=False)
class FlattenMaps:
    """Flatten: the maps as one vector per image (rows, columns, then channels)."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``(n, height·width·channels)``."""
        return x.reshape(len(x), -1)

    def input_gradient(
        self, grad: np.ndarray, inputs: np.ndarray, outputs: np.ndarray
    ) -> np.ndarray:
        """The gradient in the maps' shape."""
        return grad.reshape(inputs.shape)


@dataclass(frozen=True, eq=False)
class GlobalAverage:
    """GlobalAveragePooling2D: the mean of each channel's map."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``(n, channels)``."""
        return x.mean(axis=(1, 2), dtype=np.float32)

    def input_gradient(
        self, grad: np.ndarray, inputs: np.ndarray, outputs: np.ndarray
    ) -> np.ndarray:
        """Each cell of a map gets an equal share of its channel's gradient."""
        height, width = inputs.shape[1:3]
        share = grad[:, None, None, :] / np.float32(height * width)
        return np.broadcast_to(share, inputs.shape).astype(np.float32)


FeatureLayer = ConvBlock | MaxPool | ChannelNorm | FlattenMaps | GlobalAverage

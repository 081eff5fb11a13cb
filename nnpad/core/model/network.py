"""The forward pass in NumPy: probabilities and each layer's activations, no TensorFlow.

A model nnpad builds is Flatten -> hidden blocks -> Dense(10, softmax), where a block is
Dense [-> BatchNormalization] -> activation [-> Dropout]. At inference Dropout and the
augmentation layers are identities and BatchNormalization is an affine map, so the
whole network is a few matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.spec import INPUT_SHAPE, NUM_CLASSES, Architecture

if TYPE_CHECKING:
    from collections.abc import Callable

INPUT_SIZE = INPUT_SHAPE[0] * INPUT_SHAPE[1]


@dataclass(frozen=True)
class BatchNorm:
    """Inference-time batch normalization parameters (Keras' variable order)."""

    gamma: np.ndarray
    beta: np.ndarray
    moving_mean: np.ndarray
    moving_variance: np.ndarray
    epsilon: float = 1e-3

    def arrays(self) -> list[np.ndarray]:
        """The four arrays in the order Keras stores them."""
        return [self.gamma, self.beta, self.moving_mean, self.moving_variance]


@dataclass(frozen=True, eq=False)
class DenseBlock:
    """One Dense layer, optionally batch-normalized, then its activation."""

    kernel: np.ndarray  # (inputs, units)
    bias: np.ndarray  # (units,)
    activation: str  # relu | sigmoid | tanh | softmax
    batch_norm: BatchNorm | None = None

    @property
    def units(self) -> int:
        """Number of neurons."""
        return int(self.kernel.shape[1])

    @cached_property
    def _affine(self) -> tuple[np.ndarray, np.ndarray]:
        """Kernel and bias with batch normalization folded in.

        Folded in float64, then stored as float32: the forward pass runs on every
        mouse move, and float32 halves its memory traffic while staying within
        1e-5 of Keras (tests/core/test_keras_model.py).
        """
        kernel = self.kernel.astype(np.float64)
        bias = self.bias.astype(np.float64)
        bn = self.batch_norm
        if bn is not None:
            scale = bn.gamma.astype(np.float64) / np.sqrt(
                bn.moving_variance.astype(np.float64) + bn.epsilon
            )
            kernel = kernel * scale
            bias = (bias - bn.moving_mean) * scale + bn.beta
        return kernel.astype(np.float32), bias.astype(np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Apply the block to a batch of row vectors."""
        kernel, bias = self._affine
        return _ACTIVATIONS[self.activation](x @ kernel + bias)


class Network:
    """A trained feedforward network, evaluated with NumPy."""

    def __init__(self, architecture: Architecture, blocks: list[DenseBlock]) -> None:
        if len(blocks) != len(architecture.hidden) + 1:
            raise ValueError("a network needs one block per hidden layer plus output")
        expected = [INPUT_SIZE, *architecture.hidden]
        for block, inputs, units in zip(
            blocks, expected, [*architecture.hidden, NUM_CLASSES], strict=True
        ):
            if block.kernel.shape != (inputs, units) or block.bias.shape != (units,):
                raise ValueError(
                    f"weights of shape {block.kernel.shape} do not fit"
                    f" {inputs}->{units}"
                )
        self.architecture = architecture
        self.blocks = tuple(blocks)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Return probabilities (n, 10) for images of shape (n, 28, 28) or (28, 28)."""
        return self.activations(images)[-1]

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Return the output block's values before its softmax, (n, 10) float32."""
        x = np.asarray(images, dtype=np.float32).reshape(-1, INPUT_SIZE)
        for block in self.blocks[:-1]:
            x = block(x)
        return self.logits_from(x)

    def logits_from(self, last_hidden: np.ndarray) -> np.ndarray:
        """The output block's values before its softmax, from the last hidden layer.

        For a reading that already has every layer's activations: one small product
        instead of a second forward pass.
        """
        kernel, bias = self.blocks[-1]._affine
        return (np.asarray(last_hidden, dtype=np.float32) @ kernel + bias).astype(
            np.float32, copy=False
        )

    def activations(self, images: np.ndarray) -> list[np.ndarray]:
        """Return [input (n, 784), hidden 1, ..., output (n, 10)] as float32."""
        x = np.asarray(images, dtype=np.float32).reshape(-1, INPUT_SIZE)
        outputs = [x]
        for block in self.blocks:
            x = block(x)
            outputs.append(x)
        return [out.astype(np.float32, copy=False) for out in outputs]

    def linear_map(self, first: int, stop: int) -> np.ndarray:
        """The product of blocks ``first..stop-1``'s kernels (batch norm folded in).

        A linear view of how those blocks pass signals on, ignoring activations and
        biases: shape (inputs of block ``first``, units of block ``stop - 1``).
        """
        blocks = self.blocks[first:stop]
        if not blocks:
            raise IndexError(f"no blocks from {first} to {stop}")
        combined = blocks[0]._affine[0]
        for block in blocks[1:]:
            combined = combined @ block._affine[0]
        return combined

    def layer_names(self) -> list[str]:
        """Human names: Input, Hidden 1 ..., Output."""
        hidden = [f"Hidden {i + 1}" for i in range(len(self.architecture.hidden))]
        return ["Input", *hidden, "Output"]


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warnings for large negative inputs.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "linear": lambda x: x,
}

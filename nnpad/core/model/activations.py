"""Activation functions and their derivatives, as the NumPy forward pass uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable


def softmax(x: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis."""
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    # tanh form: no overflow warnings for large negative inputs.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "softmax": softmax,
    "linear": lambda x: x,
}


def activate_in_place(activation: str, x: np.ndarray) -> np.ndarray:
    """Apply ``activation`` (not softmax) to float32 ``x`` in place and return it.

    The same operations in the same order as :data:`ACTIVATIONS`, so the same
    values to the bit.
    """
    if activation == "relu":
        np.maximum(x, np.float32(0.0), out=x)
    elif activation == "tanh":
        np.tanh(x, out=x)
    elif activation == "sigmoid":
        x *= np.float32(0.5)
        np.tanh(x, out=x)
        x += np.float32(1.0)
        x *= np.float32(0.5)
    elif activation != "linear":
        raise ValueError(f"no in-place form of activation {activation!r}")
    return x


def derivative(activation: str, output: np.ndarray) -> np.ndarray:
    """The activation's derivative, from its output.

    relu: 1 where the output is positive (TensorFlow's gradient is 0 at 0 too);
    sigmoid: ``s (1 - s)``; tanh: ``1 - t^2``.
    """
    if activation == "relu":
        return (output > 0).astype(np.float32)
    if activation == "sigmoid":
        return output * (1.0 - output)
    if activation == "tanh":
        return 1.0 - output * output
    if activation == "linear":
        return np.ones_like(output)
    raise ValueError(f"no derivative for activation {activation!r}")

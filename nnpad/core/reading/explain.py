"""The maths behind "look inside" and "why this digit"; views only draw its results.

Neurons: :class:`NeuronMaps` says what each responds to and what it pushes toward.
Layers are numbered as in :meth:`Network.activations`: 0 is the input, then (for a
convolutional network) each conv layer, then the hidden layers, the last the output.

Saliency: for a logit ``z_c`` (the output block before its softmax) the saliency of
pixel ``i`` is ``x_i * dz_c / dx_i``; the contrastive view "why a and not b" uses
``z_a - z_b``. Positive values are ink that speaks for the digit (or for ``a`` over
``b``), negative values ink that speaks against it. Both are exact for these
networks: the gradient is carried back through each Dense block's kernel (batch
normalization folded in) and its activation's derivative, read from the activations
of the forward pass (relu: 1 where the neuron is active; sigmoid: ``s (1 - s)``;
tanh: ``1 - t^2``), then back through the conv layers, each of which knows its own
input gradient (:mod:`nnpad.core.model.conv`: a convolution's transposed, max
pooling's to the largest value of each block). One backward pass of a single image:
well under a millisecond for the shipped 784-1024-512-10 network.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.model.activations import derivative
from nnpad.core.recipe.spec import INPUT_SHAPE, NUM_CLASSES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.model.network import Network


class NeuronMaps:
    """Per-layer maps of one network, computed on first use and kept.

    Parameters
    ----------
    network
        The network to explain; its weights never change.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self.weight_images = cache(self._weight_images)
        self.to_output = cache(self._to_output)

    @property
    def output_layer(self) -> int:
        """The index of the output layer."""
        return len(self.network.features) + len(self.network.blocks)

    @property
    def vector_layer(self) -> int:
        """The layer the Dense blocks read: 0 (the input) or a CNN's flattened maps."""
        return len(self.network.features)

    def _weight_images(self, layer: int) -> np.ndarray:
        """What each neuron of ``layer`` (>= 1) responds to, (units, 28, 28).

        For the first hidden layer these are its incoming weights; for deeper layers
        the weighted sum of the first layer's images through the layers in between
        (a linear view that ignores the activations). Only for feedforward networks:
        a convolutional network's neurons see maps, not the image.
        """
        if self.network.features:
            raise ValueError(
                "weight images are for feedforward networks; a convolutional"
                " network's filters are in nnpad.core.reading.conv_explain"
            )
        if not 1 <= layer <= self.output_layer:
            raise IndexError(f"layer {layer} has no incoming weights")
        return self.network.linear_map(0, layer).T.reshape(-1, *INPUT_SHAPE)

    def _to_output(self, layer: int) -> np.ndarray:
        """(units, 10): what one unit of activation in ``layer`` adds to each logit.

        Exact for the last hidden layer; for earlier ones the product of the later
        weight matrices, a linear view that ignores the activations in between. For a
        convolutional network ``layer`` may also be :attr:`vector_layer`, the
        flattened maps.
        """
        first = max(self.vector_layer, 1)
        if not first <= layer < self.output_layer:
            raise IndexError(f"layer {layer} is not a hidden layer")
        block = layer - self.vector_layer
        return self.network.linear_map(block, len(self.network.blocks))


def push_summary(contributions: np.ndarray, top: int = 2) -> str:
    """Describe which digits a neuron pushes toward and against.

    For example ``pushes toward 7 (+1.20), 9 (+0.80); against 3 (-0.90)``.
    """
    order = np.argsort(contributions)
    toward = [d for d in order[::-1][:top] if contributions[d] > 0.005]
    against = [d for d in order[:top] if contributions[d] < -0.005]
    parts = []
    if toward:
        parts.append(
            "pushes toward "
            + ", ".join(f"{d} ({contributions[d]:+.2f})" for d in toward)
        )
    if against:
        parts.append(
            "against " + ", ".join(f"{d} ({contributions[d]:+.2f})" for d in against)
        )
    return "; ".join(parts) if parts else "barely moves any digit"


def _direction(digit: int, against: int | None) -> np.ndarray:
    for name, value in (("digit", digit), ("against", against)):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or not 0 <= value < NUM_CLASSES
        ):
            raise ValueError(f"{name} must be a digit 0-9, got {value!r}")
    v = np.zeros(NUM_CLASSES, dtype=np.float32)
    v[digit] = 1.0
    if against is not None:
        v[against] -= 1.0
    return v


def input_gradient(
    network: Network,
    image: np.ndarray,
    digit: int,
    against: int | None = None,
    *,
    activations: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """``d(z_digit - z_against) / d(image)`` for one image, shape (28, 28) float32.

    Parameters
    ----------
    network
        The NumPy network.
    image
        One 28x28 image in [0, 1] (any shape with 784 values).
    digit
        The logit to explain.
    against
        Optional second digit: the gradient of ``z_digit - z_against`` (0 when equal).
    activations
        ``network.activations(image)`` if already computed, to skip the forward pass.
    """
    v = _direction(digit, against)
    acts = network.activations(image) if activations is None else activations
    blocks, features = network.blocks, network.features
    offset = len(features)
    if len(acts) != offset + len(blocks) + 1 or np.shape(acts[0])[0] != 1:
        raise ValueError("activations must be network.activations of one image")
    # Back through the output block's kernel, then each hidden block's activation
    # derivative and kernel (batch norm folded in by linear_map).
    grad = network.linear_map(len(blocks) - 1, len(blocks)) @ v
    for index in range(len(blocks) - 2, -1, -1):
        grad = grad * derivative(blocks[index].activation, acts[offset + index + 1][0])
        grad = network.linear_map(index, index + 1) @ grad
    # Then back through the conv layers, from the vector to the image.
    grad = grad[None]
    for index in range(offset - 1, -1, -1):
        grad = features[index].input_gradient(grad, acts[index], acts[index + 1])
    return grad.reshape(INPUT_SHAPE).astype(np.float32, copy=False)


def saliency(
    network: Network,
    image: np.ndarray,
    digit: int,
    against: int | None = None,
    *,
    activations: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Gradient x input for ``digit`` (or ``digit`` against ``against``), (28, 28).

    Diverging: positive pixels raise the logit (or the margin over ``against``),
    negative ones lower it; blank pixels are 0. See `input_gradient` for the
    parameters.
    """
    grad = input_gradient(network, image, digit, against, activations=activations)
    x = np.asarray(image, dtype=np.float32).reshape(INPUT_SHAPE)
    return grad * x

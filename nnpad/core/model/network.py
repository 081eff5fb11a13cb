"""The forward pass in NumPy: probabilities and each layer's activations, no TensorFlow.

A feedforward model nnpad builds is Flatten -> hidden blocks -> Dense(10, softmax),
where a block is Dense [-> BatchNormalization] -> activation [-> Dropout]. At
inference Dropout and the augmentation layers are identities and BatchNormalization
is an affine map, so the whole network is a few matrix products.

A convolutional one has its conv layers (:mod:`nnpad.core.model.conv`) before the
blocks: the image as 28×28×1 maps, then convolutions, pooling, batch normalization,
and Flatten or global average pooling, which hand the blocks a vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.model import conv
from nnpad.core.model.activations import ACTIVATIONS
from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.recipe import conv_spec
from nnpad.core.recipe.spec import (
    CONV_INPUT_SHAPE,
    INPUT_SHAPE,
    NUM_CLASSES,
    Architecture,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

INPUT_SIZE = INPUT_SHAPE[0] * INPUT_SHAPE[1]
# Images per step of a convolutional network's predict(): its maps are large
# (mnist_convnet's first layer holds 86 KB per image).
CONV_CHUNK = 256


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
        return ACTIVATIONS[self.activation](x @ kernel + bias)


class Network:
    """A trained network, evaluated with NumPy.

    Parameters
    ----------
    architecture
        What the network is; the weights must fit it.
    blocks
        The Dense blocks, one per hidden layer, then the output block.
    features
        A convolutional network's layers before the blocks, one per layer of
        ``architecture.conv`` except Dropout (the identity at inference); empty for
        a feedforward network.
    """

    def __init__(
        self,
        architecture: Architecture,
        blocks: Sequence[DenseBlock],
        features: Sequence[conv.FeatureLayer] = (),
    ) -> None:
        if len(blocks) != len(architecture.hidden) + 1:
            raise ValueError("a network needs one block per hidden layer plus output")
        vector = _check_features(architecture, tuple(features))
        expected = [vector, *architecture.hidden]
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
        self.features = tuple(features)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """What one image becomes for the first layer: (784,) or (28, 28, 1)."""
        return CONV_INPUT_SHAPE if self.features else (INPUT_SIZE,)

    def _inputs(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(images, dtype=np.float32).reshape(-1, *self.input_shape)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Return probabilities (n, 10) for images of shape (n, 28, 28) or (28, 28)."""
        return _softmax(self.logits(images))

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Return the output block's values before its softmax, (n, 10) float32."""
        x = self._inputs(images)
        if not self.features:
            for block in self.blocks[:-1]:
                x = block(x)
            return self.logits_from(x)
        out = np.empty((len(x), NUM_CLASSES), dtype=np.float32)
        for start in range(0, len(x), CONV_CHUNK):
            part = x[start : start + CONV_CHUNK]
            for layer in (*self.features, *self.blocks[:-1]):
                part = layer(part)
            out[start : start + CONV_CHUNK] = self.logits_from(part)
        return out

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
        """Every layer's output, float32, in the order of :meth:`layer_names`.

        A feedforward network gives [input (n, 784), hidden 1, ..., output (n, 10)];
        a convolutional one [input (n, 28, 28, 1), each conv layer's maps (n, h, w,
        c) or vector, hidden ..., output (n, 10)]. The one before the output is
        always the vector the output block reads.
        """
        x = self._inputs(images)
        outputs = [x]
        for layer in (*self.features, *self.blocks):
            x = layer(x)
            outputs.append(x)
        return [out.astype(np.float32, copy=False) for out in outputs]

    def linear_map(self, first: int, stop: int) -> np.ndarray:
        """The product of blocks ``first..stop-1``'s kernels (batch norm folded in).

        A linear view of how those Dense blocks pass signals on, ignoring
        activations and biases: shape (inputs of block ``first``, units of block
        ``stop - 1``).
        """
        blocks = self.blocks[first:stop]
        if not blocks:
            raise IndexError(f"no blocks from {first} to {stop}")
        combined = blocks[0]._affine[0]
        for block in blocks[1:]:
            combined = combined @ block._affine[0]
        return combined

    def layer_names(self) -> list[str]:
        """Human names: Input, [Conv 1, Pool 1, ..., Flatten,] Hidden 1 ..., Output."""
        hidden = [f"Hidden {i + 1}" for i in range(len(self.architecture.hidden))]
        return ["Input", *_feature_names(self.features), *hidden, "Output"]


_FEATURE_NAMES = {
    conv.ConvBlock: "Conv",
    conv.MaxPool: "Pool",
    conv.ChannelNorm: "Batch norm",
}


def _feature_names(features: tuple[conv.FeatureLayer, ...]) -> list[str]:
    counts: dict[str, int] = {}
    names = []
    for layer in features:
        if isinstance(layer, conv.FlattenMaps):
            names.append("Flatten")
        elif isinstance(layer, conv.GlobalAverage):
            names.append("Global average")
        else:
            kind = _FEATURE_NAMES[type(layer)]
            counts[kind] = counts.get(kind, 0) + 1
            names.append(f"{kind} {counts[kind]}")
    return names


def _check_features(
    architecture: Architecture, features: tuple[conv.FeatureLayer, ...]
) -> int:
    """Check the conv layers against the spec; return the size of their vector."""
    layers = [
        layer for layer in architecture.conv if not isinstance(layer, conv_spec.Dropout)
    ]
    if len(features) != len(layers):
        raise ValueError(
            f"the architecture has {len(layers)} conv layers (without dropout),"
            f" the weights {len(features)}"
        )
    if not layers:
        return INPUT_SIZE
    shapes = [
        shape
        for layer, shape in zip(
            architecture.conv,
            conv_spec.output_shapes(architecture.conv, CONV_INPUT_SHAPE),
            strict=True,
        )
        if not isinstance(layer, conv_spec.Dropout)
    ]
    channels = CONV_INPUT_SHAPE[-1]
    for layer, feature, shape in zip(layers, features, shapes, strict=True):
        if not _fits(layer, feature, channels):
            raise ValueError(
                f"{type(feature).__name__} does not fit a {layer.describe()} layer"
                f" on {channels} channels"
            )
        channels = shape[-1]
    return shapes[-1][0]


def _fits(layer: conv_spec.ConvLayer, feature: conv.FeatureLayer, inputs: int) -> bool:
    """Whether NumPy ``feature`` computes spec ``layer`` on ``inputs`` channels."""
    if isinstance(layer, conv_spec.Conv2D):
        k = layer.kernel_size
        return (
            isinstance(feature, conv.ConvBlock)
            and feature.kernel.shape == (k, k, inputs, layer.filters)
            and feature.bias.shape == (layer.filters,)
            and (feature.activation, feature.padding)
            == (layer.activation, layer.padding)
        )
    if isinstance(layer, conv_spec.MaxPooling2D):
        return isinstance(feature, conv.MaxPool) and feature.size == layer.pool_size
    if isinstance(layer, conv_spec.BatchNormalization):
        return isinstance(feature, conv.ChannelNorm) and all(
            array.shape == (inputs,) for array in feature.batch_norm.arrays()
        )
    if isinstance(layer, conv_spec.Flatten):
        return isinstance(feature, conv.FlattenMaps)
    return isinstance(feature, conv.GlobalAverage)


def feature_layer(
    layer: conv_spec.ConvLayer, arrays: Sequence[np.ndarray], epsilon: float = 1e-3
) -> conv.FeatureLayer | None:
    """The NumPy layer computing spec ``layer`` with Keras' ``arrays`` (its weights).

    None for Dropout, which does nothing at inference. ``epsilon`` is batch
    normalization's.
    """
    if isinstance(layer, conv_spec.Conv2D):
        kernel, bias = arrays
        return conv.ConvBlock(kernel, bias, layer.activation, layer.padding)
    if isinstance(layer, conv_spec.BatchNormalization):
        return conv.ChannelNorm(BatchNorm.of(list(arrays), epsilon))
    if isinstance(layer, conv_spec.MaxPooling2D):
        return conv.MaxPool(layer.pool_size)
    if isinstance(layer, conv_spec.Flatten):
        return conv.FlattenMaps()
    if isinstance(layer, conv_spec.GlobalAveragePooling2D):
        return conv.GlobalAverage()
    return None


def feature_arrays(feature: conv.FeatureLayer) -> list[np.ndarray]:
    """A NumPy layer's weights in Keras' order (none for pooling and flattening)."""
    if isinstance(feature, conv.ConvBlock):
        return [feature.kernel, feature.bias]
    if isinstance(feature, conv.ChannelNorm):
        return feature.batch_norm.arrays()
    return []


_softmax = ACTIVATIONS["softmax"]

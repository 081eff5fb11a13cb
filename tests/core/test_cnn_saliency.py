"""Saliency through conv and pool layers: exact, as TensorFlow's own gradient says."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.model import conv
from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.model.network import DenseBlock, Network
from nnpad.core.reading.explain import NeuronMaps, input_gradient, saliency
from nnpad.core.recipe.conv_spec import (
    BatchNormalization,
    Conv2D,
    GlobalAveragePooling2D,
    MaxPooling2D,
)
from nnpad.core.recipe.spec import Architecture
from tests.core.test_cnn_model import KINDS


def tape_gradient(model, image: np.ndarray, digit: int, against: int | None):
    """d(z_digit - z_against)/d(image) by TensorFlow, the logits before softmax."""
    import keras
    import tensorflow as tf

    output = model.get_layer("output")
    last_hidden = keras.Model(model.inputs, output.input)
    kernel, bias = output.kernel, output.bias
    x = tf.constant(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = last_hidden(x, training=False) @ kernel + bias
        target = z[:, digit] - (z[:, against] if against is not None else 0.0)
    return tape.gradient(target, x).numpy()[0]


@pytest.mark.parametrize("name", sorted(KINDS))
@pytest.mark.parametrize("against", [None, 4])
def test_cnn_saliency_equals_a_tensorflow_gradient_tape(
    name: str, against: int | None
) -> None:
    from nnpad.core.model import keras_bridge
    from tests.core.test_keras_model import _randomize_batch_norm

    spec = KINDS[name]
    model = keras_bridge.build(spec, seed=5)
    rng = np.random.default_rng(11)
    _randomize_batch_norm(model, rng)
    network = keras_bridge.to_network(model, spec)
    for _ in range(3):
        image = np.zeros((28, 28), np.float32)
        image[4:24, 6:22] = rng.random((20, 16), dtype=np.float32)
        ours = input_gradient(network, image, 7, against)
        theirs = tape_gradient(model, image, 7, against)
        scale = float(np.abs(theirs).max())
        assert scale > 0
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * scale)


# -- NumPy only ----------------------------------------------------------------------


def small_cnn(seed: int = 0, *, pool: bool = True) -> Network:
    """Conv (tanh, same) -> batch norm [-> pool] -> conv (sigmoid) -> GAP -> 10."""
    rng = np.random.default_rng(seed)
    spec = Architecture(
        hidden=(),
        conv=(
            Conv2D(3, 3, "same", "tanh"),
            BatchNormalization(),
            *([MaxPooling2D(2)] if pool else []),
            Conv2D(4, 3, "valid", "sigmoid"),
            GlobalAveragePooling2D(),
        ),
    )
    norm = BatchNorm(
        *(rng.uniform(0.5, 1.5, 3).astype(np.float32) for _ in range(4)), epsilon=1e-3
    )
    features = [
        conv.ConvBlock(
            rng.normal(0, 0.5, (3, 3, 1, 3)), rng.normal(0, 0.1, 3), "tanh", "same"
        ),
        conv.ChannelNorm(norm),
        *([conv.MaxPool(2)] if pool else []),
        conv.ConvBlock(
            rng.normal(0, 0.5, (3, 3, 3, 4)), rng.normal(0, 0.1, 4), "sigmoid"
        ),
        conv.GlobalAverage(),
    ]
    output = DenseBlock(
        rng.normal(0, 1, (4, 10)).astype(np.float32),
        rng.normal(0, 0.1, 10).astype(np.float32),
        "softmax",
    )
    return Network(spec, [output], features)


def test_cnn_saliency_matches_finite_differences_without_tensorflow() -> None:
    # Smooth layers only: max pooling is piecewise, and a finite step can change
    # a block's winner (its gradient has a test of its own below). Steps along
    # whole-image directions, not single pixels: global pooling makes one pixel's
    # effect on a float32 logit too small to measure.
    net = small_cnn(pool=False)
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 1, (28, 28)).astype(np.float32)
    grad = input_gradient(net, image, 3, 8).astype(np.float64)
    eps = 1e-2
    for _ in range(10):
        direction = rng.normal(size=(28, 28)).astype(np.float32)
        zu = net.logits(image + eps * direction)[0].astype(np.float64)
        zd = net.logits(image - eps * direction)[0].astype(np.float64)
        numeric = ((zu[3] - zu[8]) - (zd[3] - zd[8])) / (2 * eps)
        # Within float32 rounding of the logits, measured against the size of the
        # pixels' contributions (which cancel in the sum for some directions).
        scale = float(np.sum(np.abs(grad * direction)))
        assert float(np.sum(grad * direction)) == pytest.approx(
            numeric, abs=1e-3 * scale
        )


def test_max_pooling_passes_each_blocks_gradient_to_its_largest_value() -> None:
    x = np.array([[1, 5, 2, 2, 9], [3, 0, 2, 1, 9], [7, 7, 0, 0, 9]], np.float32)
    x = x.reshape(1, 3, 5, 1)
    pool = conv.MaxPool(2)
    grad = np.array([[10.0, 20.0]], np.float32).reshape(1, 1, 2, 1)
    back = pool.input_gradient(grad, x, pool(x))[0, :, :, 0]
    # Ties go to the first in the block (2 and 2 above 1): the row and column
    # left over by the pooling get nothing.
    assert back.tolist() == [[0, 10, 20, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]


def test_cnn_saliency_is_gradient_times_input_on_the_28x28_image() -> None:
    net = small_cnn()
    image = np.zeros((28, 28), np.float32)
    image[6:22, 12:16] = 1.0
    s = saliency(net, image, 5)
    assert s.shape == (28, 28) and s.dtype == np.float32
    np.testing.assert_allclose(s, input_gradient(net, image, 5) * image)
    assert (s[image == 0] == 0).all() and s.any()


def test_neuron_maps_count_the_conv_layers() -> None:
    net = small_cnn()
    maps = NeuronMaps(net)
    assert maps.output_layer == 6 == len(net.activations(np.zeros((28, 28)))) - 1
    assert maps.vector_layer == 5
    np.testing.assert_array_equal(maps.to_output(5), net.blocks[0]._affine[0])
    with pytest.raises(IndexError):
        maps.to_output(4)
    with pytest.raises(ValueError, match="feedforward"):
        maps.weight_images(1)

"""Gradient x input saliency against finite differences, on small NumPy networks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.model.network import DenseBlock, Network
from nnpad.core.reading.explain import input_gradient, saliency
from nnpad.core.recipe.spec import Architecture


def random_network(activation: str, batch_norm: bool, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    spec = Architecture(hidden=(24, 12), activation=activation, batch_norm=batch_norm)
    sizes = [784, 24, 12, 10]
    blocks = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        kernel = rng.normal(0, 1.5 / np.sqrt(n_in), (n_in, n_out)).astype(np.float32)
        bias = rng.normal(0, 0.1, n_out).astype(np.float32)
        last = i == len(sizes) - 2
        bn = None
        if batch_norm and not last:
            bn = BatchNorm(
                rng.uniform(0.5, 1.5, n_out).astype(np.float32),
                rng.normal(0, 0.3, n_out).astype(np.float32),
                rng.normal(0, 0.3, n_out).astype(np.float32),
                rng.uniform(0.5, 2.0, n_out).astype(np.float32),
            )
        blocks.append(DenseBlock(kernel, bias, "softmax" if last else activation, bn))
    return Network(spec, blocks)


def finite_difference(
    net: Network, image: np.ndarray, digit: int, against: int | None, pixels, eps
) -> np.ndarray:
    out = []
    for i in pixels:
        up, down = image.copy().ravel(), image.copy().ravel()
        up[i] += eps
        down[i] -= eps
        zu, zd = net.logits(up)[0].astype(np.float64), net.logits(down)[0]
        margin_u = zu[digit] - (zu[against] if against is not None else 0.0)
        margin_d = zd[digit] - (zd[against] if against is not None else 0.0)
        out.append((margin_u - margin_d) / (2 * eps))
    return np.array(out)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("against", [None, 3])
def test_input_gradient_matches_finite_differences(
    activation: str, batch_norm: bool, against: int | None
) -> None:
    net = random_network(activation, batch_norm)
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 1, (28, 28)).astype(np.float32)
    grad = input_gradient(net, image, 7, against)
    pixels = rng.choice(784, 40, replace=False)
    # The forward pass is float32: a wider step for the smooth activations keeps
    # rounding small; a narrow one for ReLU rarely crosses a kink.
    eps = 1e-3 if activation == "relu" else 2e-2
    numeric = finite_difference(net, image, 7, against, pixels, eps)
    scale = np.abs(grad).max()
    np.testing.assert_allclose(grad.ravel()[pixels], numeric, atol=5e-3 * scale)


def test_saliency_is_gradient_times_input_and_zero_on_blank_pixels() -> None:
    net = random_network("relu", False)
    image = np.zeros((28, 28), np.float32)
    image[8:20, 12:16] = 1.0
    image[10, 5] = 0.5
    s = saliency(net, image, 2)
    np.testing.assert_allclose(s, input_gradient(net, image, 2) * image)
    assert (s[image == 0] == 0).all()
    assert s.shape == (28, 28) and s.dtype == np.float32


def test_contrastive_saliency_is_the_difference_of_two_saliencies() -> None:
    net = random_network("tanh", True)
    image = np.random.default_rng(2).uniform(0, 1, (28, 28)).astype(np.float32)
    np.testing.assert_allclose(
        saliency(net, image, 4, 9),
        saliency(net, image, 4) - saliency(net, image, 9),
        atol=1e-6,
    )
    assert not saliency(net, image, 4, 4).any()


def test_activations_already_computed_give_the_same_map() -> None:
    net = random_network("sigmoid", False)
    image = np.random.default_rng(3).uniform(0, 1, (28, 28)).astype(np.float32)
    acts = net.activations(image)
    np.testing.assert_array_equal(
        saliency(net, image, 1, 0, activations=acts), saliency(net, image, 1, 0)
    )


def test_gradient_x_input_adds_up_to_the_logit_for_a_bias_free_relu_net() -> None:
    # Without biases a ReLU net is positively homogeneous: z(x) = x . dz/dx.
    net = random_network("relu", False)
    for block in net.blocks:
        block.bias[:] = 0
    image = np.random.default_rng(4).uniform(0, 1, (28, 28)).astype(np.float32)
    assert saliency(net, image, 6).sum() == pytest.approx(
        float(net.logits(image)[0, 6]), rel=1e-4
    )


def test_digits_out_of_range_are_refused() -> None:
    net = random_network("relu", False)
    image = np.zeros((28, 28), np.float32)
    with pytest.raises(ValueError, match="digit"):
        saliency(net, image, 10)
    with pytest.raises(ValueError, match="against"):
        saliency(net, image, 1, -1)
    with pytest.raises(ValueError, match="one image"):
        saliency(net, np.zeros((2, 28, 28), np.float32), 1)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_logits_are_what_the_output_softmax_receives(activation: str) -> None:
    net = random_network(activation, True)
    images = np.random.default_rng(5).uniform(0, 1, (4, 28, 28)).astype(np.float32)
    z = net.logits(images)
    assert z.shape == (4, 10) and z.dtype == np.float32
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        e / e.sum(axis=1, keepdims=True), net.predict(images), atol=1e-6
    )

"""Neuron maps: what neurons respond to and where they push, with batch norm too."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnpad.core.model.batch_norm import BatchNorm
from nnpad.core.model.network import DenseBlock, Network
from nnpad.core.reading.explain import NeuronMaps, push_summary
from nnpad.core.recipe.spec import Architecture


def network(hidden=(6, 5), batch_norm=False, seed=0) -> Network:
    rng = np.random.default_rng(seed)
    sizes = [784, *hidden, 10]
    blocks = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        output = i == len(hidden)
        bn = None
        if batch_norm and not output:
            bn = BatchNorm(
                rng.uniform(0.5, 2, n_out).astype(np.float32),
                rng.normal(0, 1, n_out).astype(np.float32),
                rng.normal(0, 1, n_out).astype(np.float32),
                rng.uniform(0.5, 2, n_out).astype(np.float32),
            )
        blocks.append(
            DenseBlock(
                rng.normal(0, 0.1, (n_in, n_out)).astype(np.float32),
                rng.normal(0, 0.1, n_out).astype(np.float32),
                "softmax" if output else "relu",
                bn,
            )
        )
    arch = Architecture(hidden=hidden, batch_norm=batch_norm)
    return Network(arch, blocks)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_first_layer_maps_are_the_incoming_weights(batch_norm) -> None:
    net = network(batch_norm=batch_norm)
    maps = NeuronMaps(net)
    images = maps.weight_images(1)
    assert images.shape == (6, 28, 28)
    # A pixel pattern's pre-activation is the dot product with the neuron's map.
    x = np.random.default_rng(1).random(784).astype(np.float32)
    kernel = net.blocks[0]._affine[0]
    np.testing.assert_allclose(
        images.reshape(6, -1) @ x, x @ kernel, rtol=1e-5, atol=1e-6
    )
    assert maps.weight_images(1) is images  # computed once


def test_deeper_maps_chain_the_kernels() -> None:
    net = network()
    maps = NeuronMaps(net)
    chained = net.blocks[0]._affine[0] @ net.blocks[1]._affine[0]
    np.testing.assert_allclose(
        maps.weight_images(2), chained.T.reshape(5, 28, 28), rtol=1e-6
    )
    assert maps.weight_images(3).shape == (10, 28, 28)
    assert maps.to_output(2).shape == (5, 10)
    np.testing.assert_array_equal(maps.to_output(2), net.blocks[2]._affine[0])
    with pytest.raises(IndexError):
        maps.weight_images(0)
    with pytest.raises(IndexError):
        maps.to_output(3)


def test_push_summary_names_the_strongest_digits() -> None:
    pushes = np.array([0.0, 1.2, -0.9, 0.0, 0.8, 0, 0, 0, 0, -0.1])
    assert push_summary(pushes) == (
        "pushes toward 1 (+1.20), 4 (+0.80); against 2 (-0.90), 9 (-0.10)"
    )
    assert push_summary(np.zeros(10)) == "barely moves any digit"

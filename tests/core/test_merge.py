"""Two feedforward networks side by side as one (`nnpad.core.model.merge`)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from nnpad.core.model.merge import side_by_side
from nnpad.core.model.network import DenseBlock, Network
from nnpad.core.recipe.spec import Architecture


def network(hidden: tuple[int, ...], seed: int, activation: str = "relu") -> Network:
    rng = np.random.default_rng(seed)
    sizes = [784, *hidden, 10]
    blocks = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        kernel = rng.normal(0, 1.5 / np.sqrt(n_in), (n_in, n_out)).astype(np.float32)
        bias = rng.normal(0, 0.1, n_out).astype(np.float32)
        last = i == len(sizes) - 2
        blocks.append(DenseBlock(kernel, bias, "softmax" if last else activation))
    return Network(Architecture(hidden=hidden, activation=activation), blocks)


def images(count: int = 20) -> np.ndarray:
    return np.random.default_rng(3).uniform(0, 1, (count, 28, 28)).astype(np.float32)


@pytest.mark.parametrize("hidden", [(16,), (24, 12), (9, 8, 7)])
def test_the_merged_network_reads_the_mean_of_both_logits(hidden) -> None:
    first, second = network(hidden, 1), network(tuple(h + 3 for h in hidden), 2)
    merged = side_by_side(first, second)
    assert merged.architecture.hidden == tuple(2 * h + 3 for h in hidden)
    x = images()
    mean = 0.5 * (first.logits(x) + second.logits(x))
    np.testing.assert_allclose(merged.logits(x), mean, rtol=1e-5, atol=1e-5)
    # Each half of a hidden layer is one network's own neurons.
    inner = merged.activations(x)[1]
    width = hidden[0]
    np.testing.assert_allclose(inner[:, :width], first.activations(x)[1], atol=1e-5)
    np.testing.assert_allclose(inner[:, width:], second.activations(x)[1], atol=1e-5)


def test_networks_that_cannot_sit_side_by_side_are_refused() -> None:
    first = network((16, 8), 1)
    with pytest.raises(ValueError, match="depth"):
        side_by_side(first, network((16,), 2))
    with pytest.raises(ValueError, match="activation"):
        side_by_side(first, network((16, 8), 2, activation="tanh"))
    normed = network((16, 8), 3)
    normed.architecture = replace(normed.architecture, batch_norm=True)
    with pytest.raises(ValueError, match="batch normalization"):
        side_by_side(first, normed)


@pytest.mark.slow
def test_the_merged_network_survives_its_model_file(tmp_path) -> None:
    from nnpad.core.model import archive, keras_bridge
    from nnpad.core.recipe.spec import Recipe

    merged = side_by_side(network((16, 8), 1), network((16, 8), 2))
    recipe = Recipe(merged.architecture)
    path = tmp_path / "merged.keras"
    keras_bridge.write(keras_bridge.from_network(merged), recipe, path, {})
    x = images()
    reread = archive.read(path).network
    np.testing.assert_allclose(reread.logits(x), merged.logits(x), atol=1e-5)


def test_the_shipped_fnn_is_two_networks_side_by_side() -> None:
    from nnpad.core.model import store

    merged = store.load().network
    assert merged.architecture.hidden == (1024, 512)
    first, second = (slice(0, 512), slice(0, 256)), (slice(512, None), slice(256, None))
    # Nothing crosses between the two networks' neurons.
    inner = merged.blocks[1].kernel
    assert not inner[first[0], second[1]].any()
    assert not inner[second[0], first[1]].any()
    # The two networks' own readings (half the logits each) differ.
    hidden = merged.activations(images())[2]
    output = merged.blocks[-1].kernel
    own = [hidden[:, half[1]] @ output[half[1]] for half in (first, second)]
    assert np.abs(own[0] - own[1]).max() > 0.1

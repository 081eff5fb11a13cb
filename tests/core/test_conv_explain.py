"""Looking inside a CNN: its filters, and how a cell of a map was computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnpad.core.model import store
from nnpad.core.reading.conv_explain import (
    conv_cell,
    conv_filters,
    pool_block,
    receptive_field,
)
from tests.core.test_cnn_saliency import small_cnn

CNN_SMALL = Path(__file__).parent.parent / "data" / "cnn_small.keras"


@pytest.fixture
def reading():
    net = small_cnn()  # conv same tanh, batch norm, pool, conv valid sigmoid, GAP
    image = np.random.default_rng(4).random((28, 28), dtype=np.float32)
    return net, net.activations(image)


def test_filters_are_the_kernels_one_per_filter(reading) -> None:
    net, _ = reading
    filters = conv_filters(net, 4)
    assert filters.shape == (4, 3, 3, 3)
    assert filters.dtype == np.float32
    np.testing.assert_array_equal(
        filters[2], net.features[3].kernel[..., 2].astype("f4")
    )
    with pytest.raises(ValueError, match="not a conv layer"):
        conv_filters(net, 2)


@pytest.mark.parametrize(
    ("layer", "cell"), [(1, (0, 0, 1)), (1, (13, 27, 2)), (4, (5, 2, 3))]
)
def test_a_cell_is_its_window_times_the_kernel_plus_bias_then_activated(
    reading, layer: int, cell: tuple[int, int, int]
) -> None:
    net, acts = reading
    worked = conv_cell(net, acts, layer, cell)
    assert worked.value == pytest.approx(float(acts[layer][0][cell]), abs=1e-6)
    squash = (
        np.tanh if worked.activation == "tanh" else (lambda z: 1 / (1 + np.exp(-z)))
    )
    assert float(squash(worked.total)) == pytest.approx(worked.value, abs=1e-5)
    assert worked.text.startswith(f"sum of 3×3×{worked.window.shape[2]} window")
    assert worked.text.endswith(f"{worked.activation} → {worked.value:.2f}")


def test_padding_same_shows_zeros_beyond_the_edge(reading) -> None:
    net, acts = reading
    corner = conv_cell(net, acts, 1, (0, 0, 0))
    assert (corner.window[0, :] == 0).all() and (corner.window[:, 0] == 0).all()
    np.testing.assert_array_equal(corner.window[1:, 1:, 0], acts[0][0][:2, :2, 0])


def test_a_pooled_cell_is_the_largest_of_its_block(reading) -> None:
    net, acts = reading
    block = pool_block(net, acts, 3, (4, 6, 1))
    assert block.shape == (2, 2)
    assert block.max() == acts[3][0][4, 6, 1]
    with pytest.raises(ValueError, match="not a max-pooling layer"):
        pool_block(net, acts, 1, (0, 0, 0))


def test_cells_out_of_range_are_refused(reading) -> None:
    net, acts = reading
    with pytest.raises(IndexError):
        conv_cell(net, acts, 1, (28, 0, 0))
    with pytest.raises(IndexError):
        conv_cell(net, acts, 1, (0, 0, 3))


def test_a_cells_receptive_field_grows_through_convolutions_and_pools() -> None:
    network = store.load(CNN_SMALL).network  # conv 3×3 same, pool 2, conv 3×3, pool 2
    assert receptive_field(network, 0, 3, 3) == (3, 3, 1, 1)
    assert receptive_field(network, 1, 3, 3) == (2, 2, 3, 3)
    assert receptive_field(network, 2, 3, 3) == (5, 5, 4, 4)
    assert receptive_field(network, 3, 3, 3) == (5, 5, 8, 8)
    assert receptive_field(network, 4, 3, 3) == (11, 11, 10, 10)
    with pytest.raises(ValueError, match="vector"):
        receptive_field(network, 5, 0, 0)

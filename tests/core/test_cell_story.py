"""The story of one cell of a CNN's maps, and each layer's row of the layer table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnpad.core.model import store
from nnpad.core.reading.cell_story import cell_story, layer_rows

CNN_SMALL = Path(__file__).parent.parent / "data" / "cnn_small.keras"


@pytest.fixture(scope="module")
def reading():
    network = store.load(CNN_SMALL).network
    image = np.zeros((28, 28), dtype=np.float32)
    image[5:23, 12:16] = 1.0
    return network, network.activations(image)


def test_each_layer_has_its_shape_and_parameter_arithmetic(reading) -> None:
    network, _ = reading
    rows = layer_rows(network)
    assert rows[1].arithmetic == "8 × 3×3×1 + 8 = 80"
    assert rows[3].arithmetic == "16 × 3×3×8 + 16 = 1,168"
    assert [rows[i].shape_text for i in range(5)] == [
        "28×28×1",
        "28×28×8",
        "14×14×8",
        "12×12×16",
        "6×6×16",
    ]
    assert rows[6].name == "Dense 10 softmax"


def test_a_conv_cell_shows_its_patch_kernel_and_the_sum_giving_its_value(
    reading,
) -> None:
    network, activations = reading
    story = cell_story(network, activations, (1, 10, 13, 3))
    assert story.patch is not None and story.kernel is not None
    assert story.patch.shape == story.kernel.shape == (3, 3, 1)
    assert story.text.count("×") >= 9  # nine products, term by term
    assert story.value == pytest.approx(float(activations[1][0, 10, 13, 3]))
    assert story.text.endswith(f"relu → {story.value:.2f}")

    deeper = cell_story(network, activations, (3, 4, 4, 5))
    assert deeper.patch is not None and deeper.patch.shape == (3, 3, 8)
    assert "summed over each input map" in deeper.text


def test_a_pool_cell_is_the_largest_of_its_block(reading) -> None:
    network, activations = reading
    story = cell_story(network, activations, (2, 5, 6, 3))
    assert story.kernel is None and story.patch is not None
    assert float(story.patch.max()) == pytest.approx(story.value)
    assert "largest of the 2×2 block of Conv 1, map 3" in story.text

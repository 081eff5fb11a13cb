"""The maths behind "look inside": what neurons respond to and what they push toward.

Views only draw what these functions compute. Layers are numbered as in
:meth:`Network.activations`: 0 is the input, 1 the first hidden layer, the last the
output.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.spec import INPUT_SHAPE

if TYPE_CHECKING:
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
        return len(self.network.blocks)

    def _weight_images(self, layer: int) -> np.ndarray:
        """What each neuron of ``layer`` (>= 1) responds to, (units, 28, 28).

        For the first hidden layer these are its incoming weights; for deeper layers
        the weighted sum of the first layer's images through the layers in between
        (a linear view that ignores the activations).
        """
        if not 1 <= layer <= self.output_layer:
            raise IndexError(f"layer {layer} has no incoming weights")
        return self.network.linear_map(0, layer).T.reshape(-1, *INPUT_SHAPE)

    def _to_output(self, layer: int) -> np.ndarray:
        """(units, 10): what one unit of activation in ``layer`` adds to each logit.

        Exact for the last hidden layer; for earlier ones the product of the later
        weight matrices, a linear view that ignores the activations in between.
        """
        if not 1 <= layer < self.output_layer:
            raise IndexError(f"layer {layer} is not a hidden layer")
        return self.network.linear_map(layer, self.output_layer)


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

"""Batch normalization at inference time: four arrays and an epsilon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class BatchNorm:
    """Inference-time batch normalization parameters (Keras' variable order)."""

    gamma: np.ndarray
    beta: np.ndarray
    moving_mean: np.ndarray
    moving_variance: np.ndarray
    epsilon: float = 1e-3

    @classmethod
    def of(cls, arrays: list[np.ndarray], epsilon: float) -> BatchNorm:
        """From the four arrays in the order Keras stores them."""
        gamma, beta, mean, variance = arrays
        return cls(gamma, beta, mean, variance, epsilon)

    def arrays(self) -> list[np.ndarray]:
        """The four arrays in the order Keras stores them."""
        return [self.gamma, self.beta, self.moving_mean, self.moving_variance]

"""A trained model as nnpad uses it: the network, its recipe and what is known of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nnpad.core.reading.verdict import Thresholds

if TYPE_CHECKING:
    from nnpad.core.model.network import Network
    from nnpad.core.recipe.spec import Recipe


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A NumPy network with the recipe that made it and its metadata.

    ``metadata`` is what nnpad stores beside the weights (``nnpad.json``): the
    validation accuracy, what it was trained on, when, and so on; a file from
    elsewhere has none.
    """

    recipe: Recipe
    network: Network
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def val_accuracy(self) -> float | None:
        """Validation accuracy recorded when it was trained, if known."""
        value = self.metadata.get("val_accuracy")
        return float(value) if isinstance(value, int | float) else None

    @cached_property
    def thresholds(self) -> Thresholds:
        """Its temperature and verdict thresholds (defaults when it has none)."""
        return Thresholds.from_metadata(self.metadata)

    def describe(self, *, short: bool = False) -> str:
        """One line such as ``784-128-64-10 relu · validation accuracy 97.51%``.

        ``short`` names the network by its :meth:`~Architecture.summary` instead,
        for a status bar: a CNN's whole description is longer than a window.
        """
        architecture = self.recipe.architecture
        text = architecture.summary() if short else architecture.describe()
        if self.val_accuracy is not None:
            text += f" · validation accuracy {self.val_accuracy:.2%}"
        return text

"""A second opinion: the other shipped network's reading of the digit shown.

When the feedforward network (FNN) reads, the convolutional one (CNN) gives its
opinion, and the other way round, so a person sees where the two disagree. Only
the digit shown is read, and only its verdict (no saliency): one forward pass,
about 0.2 ms for the small CNN, so the live reading does not slow down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnpad.core.reading.verdict import read_logits

if TYPE_CHECKING:
    import numpy as np

    from nnpad.core.model.trained import TrainedModel
    from nnpad.core.reading.verdict import Verdict

TITLES = {"fnn": "FNN", "cnn": "CNN"}


def other_shipped(model: TrainedModel) -> str:
    """The shipped network that gives a second opinion on ``model``'s readings.

    The FNN for a convolutional model, the CNN for any other.
    """
    return "fnn" if model.recipe.architecture.convolutional else "cnn"


@dataclass(frozen=True)
class SecondOpinion:
    """What the shipped network ``name`` (``fnn`` or ``cnn``) reads.

    ``agrees`` says whether it reads the same as the main reading: the same digit,
    or both "not a digit".
    """

    name: str
    verdict: Verdict
    agrees: bool

    @property
    def text(self) -> str:
        """For example ``CNN: 4 (97%)``, or ``CNN: 4 (97%) — disagrees``."""
        said = f"{TITLES[self.name]}: {self.verdict.text}"
        return said if self.agrees else f"{said} — disagrees"


def second_opinion(
    name: str, model: TrainedModel, image: np.ndarray, main: Verdict
) -> SecondOpinion:
    """Read the prepared 28×28 ``image`` with ``model`` and compare with ``main``."""
    logits = model.network.logits(image)[0]
    verdict = read_logits(logits, model.thresholds)
    rejected = (verdict.kind == "not a digit", main.kind == "not a digit")
    if any(rejected):
        agrees = all(rejected)
    else:
        agrees = verdict.digit == main.digit
    return SecondOpinion(name, verdict, agrees)

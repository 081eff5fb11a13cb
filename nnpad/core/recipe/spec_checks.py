"""The error and the checks shared by the parts of a spec (`nnpad.core.recipe.spec`).

Kept apart so that the convolutional layers (:mod:`nnpad.core.recipe.conv_spec`) and the
rest of the spec can both use them without importing each other.
"""

from __future__ import annotations

import math
from typing import Any

ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh")


class SpecError(ValueError):
    """A spec or its JSON names something nnpad cannot build."""


def check_range(name: str, value: Any, low: float, high: float) -> None:
    """Raise SpecError unless ``value`` is a finite number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{name} must be a number, not {value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise SpecError(f"{name} = {value} is not between {low:g} and {high:g}")


def check_int(name: str, value: Any, low: int, high: int) -> None:
    """Raise SpecError unless ``value`` is a whole number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise SpecError(f"{name} = {value} is not between {low} and {high}")


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    """Raise SpecError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise SpecError(f"{name} {value!r} is not one of {', '.join(choices)}")


def reject_unknown(data: dict[str, Any], known: set[str], where: str) -> None:
    """Raise SpecError naming the keys of ``data`` that are not in ``known``."""
    unknown = set(data) - known
    if unknown:
        raise SpecError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")


def as_float(value: Any) -> Any:
    """A whole number as a float (JSON writes 1.0 as 1); anything else unchanged.

    Validation judges what is left.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value

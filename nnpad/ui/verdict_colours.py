"""One colour per verdict, shared by every view that shows one.

A sure digit is blue, an unsure reading amber and "not a digit" grey, on the
canvas' number marks, the number strip, the big text and the bars alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

if TYPE_CHECKING:
    from nnpad.core.verdict import Kind

__all__ = ["COLOURS", "TEXT_COLOURS", "colour"]

COLOURS: dict[Kind, QColor] = {
    "digit": QColor("#6ea0ff"),
    "unsure": QColor("#f59e0b"),
    "not a digit": QColor("#8a8f98"),
}
TEXT_COLOURS: dict[str, QColor | None] = {
    "digit": None,
    "unsure": QColor("#d97706"),
    "not a digit": QColor("#8a8f98"),
    "empty": None,
}
"""Text on the window's background (amber darkened to read; None: the palette's)."""


def colour(kind: Kind) -> QColor:
    """The colour of a verdict (grey for no reading)."""
    return QColor(COLOURS.get(kind, COLOURS["not a digit"]))

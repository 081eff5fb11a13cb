"""Every colour of the window, in one place, named for what it paints.

Three grounds: the dark one under the drawing and the reading (the canvas' surround,
the probability bars, the small digit images), a lighter grey under heat maps (the
inferno colour map draws zero as black, which a black ground would hide), and white
under charts. A verdict has one colour wherever it shows (a sure digit blue, an
unsure reading amber, "not a digit" grey), and each run one colour in the table and
on the charts.

Only QtGui and QtWidgets: the reading is on screen from the first frame, before
pyqtgraph is imported (pyqtgraph takes these QColors as they are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

if TYPE_CHECKING:
    from nnpad.core.reading.verdict import Kind

# -- grounds ------------------------------------------------------------------------
DARK_GROUND = QColor("#202124")  # under the canvas, the bars and the digit images
HEATMAP_GROUND = QColor("#34373c")  # grey, not black: inferno draws zero as black
CHART_GROUND = QColor("#ffffff")
DARK_GRID = QColor(60, 60, 60)  # faint lines on the dark ground
QUIET_TEXT = QColor("#9aa0a6")  # labels on a dark ground
TEXT_ON_LIGHT = QColor(0, 0, 0)  # on a verdict's label, a pale cell
TEXT_ON_DARK = QColor(255, 255, 255)  # on a deeply coloured cell

# -- the drawing: white ink on black paper, as MNIST's images and the network's input
INK = QColor(255, 255, 255)
PAPER = QColor(0, 0, 0)
CANVAS_FRAME = QColor(72, 74, 80)
CANVAS_FRAME_FOCUS = QColor(110, 160, 255)
CANVAS_HINT = QColor(110, 112, 118)

# -- verdicts -----------------------------------------------------------------------
VERDICT: dict[Kind, QColor] = {
    "digit": QColor("#6ea0ff"),
    "unsure": QColor("#f59e0b"),
    "not a digit": QColor("#8a8f98"),
}
UNSURE_TEXT = QColor("#d97706")  # amber darkened to read on the window's ground
VERDICT_TEXT: dict[Kind, QColor | None] = {
    "digit": None,
    "unsure": UNSURE_TEXT,
    "not a digit": VERDICT["not a digit"],
    "empty": None,
}
"""A verdict's text on the window's ground (None: the palette's text colour)."""
BAR = QColor("#5f6b7a")  # a probability bar of a digit the verdict does not name
SPEAKS_FOR = QColor(220, 50, 47)  # saliency: ink that speaks for the digit read
SPEAKS_AGAINST = QColor(38, 110, 220)  # and ink that speaks against it
REFERENCE = QColor(80, 140, 255)  # an MNIST image shown behind the ink

# -- the inside of the network (pyqtgraph colour maps by name) ---------------------
DIVERGING = "CET-D1A"  # blue negative, white zero, red positive
SEQUENTIAL = "inferno"
SELECTED_NEURON = QColor("#00e5ff")
RECEPTIVE_FIELD = QColor("#7cfc00")  # the input pixels a CNN cell sees
PREDICTED = QColor("#ffffff")
LAYER_LABEL = QUIET_TEXT
ZERO_LINE = QColor("#888888")

# -- charts and the Evaluate tab -------------------------------------------------------
AXIS = QColor("#666666")
AXIS_TEXT = QColor("#333333")
BEST_EPOCH_OUTLINE = QColor("#000000")
DIAGONAL = QColor("#999999")  # where confidence equals accuracy
RELIABILITY_BAR = QColor("#4c9be8")
RIGHT = QColor(70, 150, 90)  # the confusion matrix's diagonal
WRONG = QColor(210, 70, 60)
EMPTY_CELL = QColor(250, 250, 250)
LIGHT_GRID = QColor(200, 200, 200)
SELECTED_CELL = QColor(30, 110, 230)
RUNS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
"""Tableau 10: distinct for each run, also to most colour-blind eyes."""

# -- text on the window's ground (Qt style sheets) ------------------------------------
ERROR_STYLE = "color: #d32f2f;"
PROBLEM_STYLE = "color: #b45309; font-weight: bold;"  # amber: something to fix
HEALTHY_STYLE = "color: #15803d;"
QUIET_STYLE = "color: palette(mid);"
LAYER_TABLE_STYLE = "font-family: monospace; color: palette(mid);"
DISAGREES_STYLE = "color: #b45309; font-weight: bold;"  # the other network disagrees
STALE_STYLE = f"color: {UNSURE_TEXT.name()};"  # figures of a model no longer in use


def verdict_colour(kind: Kind) -> QColor:
    """The colour of a verdict (grey for no reading); a copy the caller may change."""
    return QColor(VERDICT.get(kind, VERDICT["not a digit"]))


def run_colour(index: int) -> QColor:
    """The colour of the ``index``-th run (the ten repeat)."""
    return QColor(RUNS[index % len(RUNS)])


def marker(color: QColor, width: float) -> QGraphicsRectItem:
    """A hidden rectangle outline of a cosmetic pen, drawn above the images."""
    pen = QPen(color)
    pen.setCosmetic(True)
    pen.setWidthF(width)
    rect = QGraphicsRectItem()
    rect.setPen(pen)
    rect.setZValue(10)
    rect.hide()
    return rect

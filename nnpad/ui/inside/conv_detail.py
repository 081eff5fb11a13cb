"""The panel beside a CNN's maps: how one cell was computed, CNN Explainer's view.

The patch of the layer below the cell read, the kernel it was weighed with (the
filter of the cell's map), the sum and the bias, and the layer's output shape and
parameter arithmetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

# isort: split
# pyqtgraph binds to the Qt library already imported, so PySide6 must come first.
import pyqtgraph as pg

from nnpad.core.reading.cell_story import layer_rows
from nnpad.ui.inside import grids
from nnpad.ui.style import DIVERGING, HEATMAP_GROUND, LAYER_LABEL, SEQUENTIAL

if TYPE_CHECKING:
    from nnpad.core.model.network import Network
    from nnpad.core.reading.cell_story import CellStory
    from nnpad.core.recipe.layer_table import LayerRow

pg.setConfigOptions(imageAxisOrder="row-major")


class _Picture:
    """A titled image in a graphics layout: a patch or a kernel, maps side by side."""

    def __init__(self, view: pg.GraphicsLayoutWidget, row: int, colours: str) -> None:
        self.title = view.addLabel("", row=row, col=0, color=LAYER_LABEL, size="8pt")
        self.box = view.addViewBox(
            row=row + 1, col=0, lockAspect=True, invertY=True, enableMouse=False
        )
        self.box.setMenuEnabled(False)
        self.item = pg.ImageItem()
        self.item.setColorMap(pg.colormap.get(colours))
        self.box.addItem(self.item)
        self.diverging = colours == DIVERGING

    def show(self, title: str, maps: np.ndarray | None) -> None:
        """Show ``maps`` (h, w, channels) as a mosaic of its channels (None: blank)."""
        self.title.setText(title)
        if maps is None:
            self.item.setImage(grids.blank_grid((1, 1)), levels=(0.0, 1.0))
            return
        tiles = grids.mosaic_shape(maps.shape[-1])
        image = grids.mosaic(np.moveaxis(maps, -1, 0), tiles)
        if self.diverging:
            limit = grids.symmetric_limit(image)
            levels = (-limit, limit)
        else:
            levels = (
                min(0.0, float(np.nanmin(image))),
                max(1e-3, float(np.nanmax(image))),
            )
        self.item.setImage(image.astype(np.float32), levels=levels)
        self.box.setRange(
            xRange=(0, image.shape[1]), yRange=(0, image.shape[0]), padding=0.04
        )


class ConvDetail(QWidget):
    """Caption, the patch and the kernel, and the arithmetic of one cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("convDetail")
        self._rows: dict[int, LayerRow] = {}
        self._caption = _label("convCaption")
        self._layer = _label("convLayer")
        self._pictures = pg.GraphicsLayoutWidget()
        self._pictures.setBackground(HEATMAP_GROUND)
        self._pictures.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._pictures.setMinimumSize(140, 160)
        self._pictures.setToolTip(
            "Left: what the cell read from the layer below (one square per map)."
            " Right: the filter it was weighed with, red positive, blue negative."
        )
        self.patch = _Picture(self._pictures, 0, SEQUENTIAL)
        self.kernel = _Picture(self._pictures, 2, DIVERGING)
        self._computation = _label("convComputation")
        self._computation.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self._caption)
        layout.addWidget(self._layer)
        layout.addWidget(self._pictures, 1)
        layout.addWidget(self._computation)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(180)
        self.set_network(None)

    def caption(self) -> str:
        """The caption, e.g. ``Conv 1, map 3, row 10, column 13: 0.98``."""
        return self._caption.text()

    def layer_text(self) -> str:
        """The layer's output shape and parameter arithmetic."""
        return self._layer.text()

    def computation(self) -> str:
        """The arithmetic of the cell shown, in words and figures."""
        return self._computation.text()

    def set_network(self, network: Network | None) -> None:
        """Describe layers of ``network`` from now on."""
        self._rows = {} if network is None else layer_rows(network)
        self.show_hint("No model loaded." if network is None else "")

    def show_hint(self, text: str) -> None:
        """No cell to show: say why, or what to do."""
        self._caption.setText(text)
        self._layer.setText("")
        self._computation.setText("")
        self.patch.show("", None)
        self.kernel.show("", None)
        self._pictures.hide()  # no empty grey block under the hint
        self.setAccessibleDescription(text)

    def show_story(
        self, cell: tuple[int, int, int, int], story: CellStory, note: str = ""
    ) -> None:
        """Show how ``cell`` (layer, row, column, map) was computed, ``note`` after."""
        self._caption.setText(f"<b>{story.title}</b>{note}")
        row = self._rows.get(cell[0])
        self._layer.setText(
            "" if row is None else f"{row.name} → {row.shape_text}; {row.arithmetic}"
        )
        self._computation.setText(story.text)
        self._pictures.show()
        patch, kernel = story.patch, story.kernel
        size = "" if patch is None else "×".join(str(n) for n in patch.shape)
        self.patch.show("" if patch is None else f"Patch {size}", patch)
        self.kernel.show("No filter" if kernel is None else f"Filter {cell[3]}", kernel)
        self.setAccessibleDescription(f"{story.title}. {story.text}")


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label

"""Look inside a CNN in the real window: maps, the computation of a cell, its field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication

from nnpad.core.model import store
from nnpad.core.reading.conv_explain import conv_filters
from nnpad.ui.inside.map_diagram import GAP
from tests.support.canvas_input import draw_stroke

if TYPE_CHECKING:
    from nnpad.ui.inside.activation_view import ActivationView
    from nnpad.ui.window.main_window import MainWindow

CNN_SMALL = Path(__file__).parent.parent / "data" / "cnn_small.keras"
SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]


@pytest.fixture
def cnn_window(window: MainWindow, qtbot) -> MainWindow:
    """The window reading with cnn_small, Look inside in front, a 7 drawn."""
    window.resize(1440, 900)  # room for five rows of maps beside the panel
    window.session.set_model(store.load(CNN_SMALL), CNN_SMALL)
    window.panels.show("inside")
    qtbot.waitUntil(window.inside.is_built)
    draw_stroke(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.session.recognition is not None)
    settle(qtbot, window.activations)
    return window


def settle(qtbot, view: ActivationView) -> None:
    """Wait until the layout has placed the map columns where they stay."""
    previous: list = []

    def stable() -> bool:
        nonlocal previous
        view.grab()
        current = [
            (p.x(), p.y())
            for column in view.conv.maps.columns
            for p in (column.item.mapToScene(QPointF()),)
        ]
        same, previous = current == previous, current
        return same

    qtbot.waitUntil(stable, timeout=3000)


def cell_point(view: ActivationView, cell: tuple[int, int, int, int]) -> QPointF:
    """The scene point at the middle of ``cell`` (layer, row, column, map)."""
    column = view.conv.maps.column(cell[0])
    top, left = column.origin(cell[3])
    return column.item.mapToScene(QPointF(left + cell[2] + 0.5, top + cell[1] + 0.5))


def current_activations(window: MainWindow) -> list[np.ndarray]:
    return [np.asarray(a) for a in window.session.recognition.current.activations]


def test_one_map_grid_per_conv_layer_with_one_map_per_filter(cnn_window) -> None:
    view = cnn_window.activations
    assert view.is_convolutional()
    columns = view.conv.maps.columns
    # Input, Conv 1 (8 filters), Pool 1, Conv 2 (16), Pool 2; Flatten is a vector.
    assert [c.layer for c in columns] == [0, 1, 2, 3, 4]
    assert [c.shape for c in columns] == [
        (28, 28, 1),
        (28, 28, 8),
        (14, 14, 8),
        (12, 12, 16),
        (6, 6, 16),
    ]
    conv1 = columns[1]
    assert conv1.tiles == (1, 8)
    assert columns[3].tiles == (2, 8)
    assert conv1.item.image.shape == (28, 8 * (28 + GAP) - GAP)
    # The maps are this drawing's: map 5 of Conv 1 is the sixth of its row.
    top, left = conv1.origin(5)
    np.testing.assert_allclose(
        conv1.item.image[top : top + 28, left : left + 28],
        current_activations(cnn_window)[1][..., 5],
        rtol=1e-6,
    )


def test_hovering_a_cell_shows_its_filter_and_a_sum_equal_to_its_activation(
    cnn_window, qtbot
) -> None:
    view = cnn_window.activations
    scene = view.conv.maps.scene()
    cell = (1, 12, 14, 2)
    scene.sigMouseMoved.emit(cell_point(view, cell))
    assert view.conv.shown_cell() == cell
    detail = view.conv.detail
    assert detail.caption().startswith("<b>Conv 1, map 2, row 12, column 14:")
    assert "8 × 3×3×1 + 8 = 80" in detail.layer_text()
    np.testing.assert_allclose(
        detail.kernel.item.image, conv_filters(view.network(), 1)[2, ..., 0]
    )
    value = float(current_activations(cnn_window)[1][12, 14, 2])
    total = float(re.search(r"= (-?[\d.]+); relu", detail.computation()).group(1))
    assert max(total, 0.0) == pytest.approx(value, abs=0.006)
    assert detail.computation().endswith(f"relu → {value:.2f}")

    QApplication.sendEvent(view.conv.maps.viewport(), QEvent(QEvent.Type.Leave))
    assert "the strongest cell" in detail.caption()  # never an empty panel


def test_clicking_a_pool_cell_explains_it_and_frames_its_receptive_field(
    cnn_window, qtbot
) -> None:
    view = cnn_window.activations
    maps = view.conv.maps
    cell = (2, 6, 7, 3)  # Pool 1: 2×2 max of Conv 1, which reads 3×3 (same)
    where = maps.mapFromScene(cell_point(view, cell))
    qtbot.mouseClick(maps.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.conv.selected_cell() == cell
    value = float(current_activations(cnn_window)[2][6, 7, 3])
    assert view.conv.detail.computation().endswith(f"= {value:.2f}")
    assert "largest of the 2×2 block of Conv 1, map 3" in view.conv.detail.computation()
    assert maps.field.isVisible()
    assert maps.field.rect() == QRectF(13, 11, 4, 4)


@pytest.mark.parametrize(
    ("cell", "size"),
    [((1, 10, 10, 0), 3), ((2, 6, 6, 0), 4), ((3, 5, 5, 0), 8), ((4, 3, 3, 0), 10)],
)
def test_the_receptive_field_grows_layer_by_layer(cnn_window, cell, size) -> None:
    view = cnn_window.activations
    view.conv.select_cell(cell)
    rect = view.conv.maps.field.rect()
    assert (rect.width(), rect.height()) == (size, size)


def test_switching_between_the_fnn_and_a_cnn_rebuilds_the_view(
    cnn_window, qtbot
) -> None:
    view = cnn_window.activations
    cnn_window.session.set_model(store.load(), store.default_model_path())
    assert not view.is_convolutional()
    assert len(view.image_items()) == len(view.network().blocks) + 1
    assert view.detail.caption().startswith("Output, digit")
    draw_stroke(cnn_window.canvas, SEVEN)

    cnn_window.session.set_model(store.load(CNN_SMALL), CNN_SMALL)
    assert view.is_convolutional() and view.image_items() == []
    assert len(view.conv.maps.columns) == 5
    draw_stroke(cnn_window.canvas, SEVEN)
    assert view.conv.shown_cell() is not None

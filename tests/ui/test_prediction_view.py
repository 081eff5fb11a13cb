"""PredictionView: the digit, its confidence, ten bars and the 28x28 preview."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

# isort: split
import pyqtgraph as pg  # after PySide6, so it binds to it

from nnpad.core.inference import Prediction
from nnpad.ui.prediction_view import PredictionView

PROBS = np.array([0.0, 0.005, 0.0, 0.0, 0.0, 0.0, 0.0, 0.98, 0.015, 0.0], np.float32)


@pytest.fixture
def view(qtbot) -> PredictionView:
    widget = PredictionView()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bars(view: PredictionView) -> pg.BarGraphItem:
    plot = view.findChild(pg.PlotWidget, "probabilities")
    (item,) = [i for i in plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    return item


def preview_image(view: PredictionView) -> np.ndarray:
    preview = view.findChild(pg.GraphicsLayoutWidget, "network_input")
    (item,) = [i for i in preview.scene().items() if isinstance(i, pg.ImageItem)]
    return item.image


def test_shows_digit_confidence_and_bars(view):
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0
    view.show_prediction(Prediction(PROBS), image)
    assert view.findChild(QLabel, "digit").text() == "7"
    assert "98%" in view.findChild(QLabel, "confidence").text()
    assert view.text() == "7 (98%)"
    assert view.accessibleDescription() == "7 (98%)"
    np.testing.assert_allclose(bars(view).opts["height"], PROBS, rtol=1e-6)
    brushes = bars(view).opts["brushes"]
    assert brushes[7] != brushes[0] and brushes[0] == brushes[8]  # top is highlighted
    np.testing.assert_array_equal(preview_image(view), image)


def test_none_clears_everything(view):
    view.show_prediction(Prediction(PROBS), np.ones((28, 28), np.float32))
    view.show_prediction(None, None)
    assert view.text() == ""
    assert view.accessibleDescription() == ""
    assert view.findChild(QLabel, "digit").text() in ("", "–")
    assert view.findChild(QLabel, "confidence").text() == ""
    assert not np.any(bars(view).opts["height"])
    assert not np.any(preview_image(view))
    brushes = bars(view).opts["brushes"]
    assert all(b == brushes[0] for b in brushes)  # nothing highlighted


def test_axes_are_fixed(view):
    item = view.findChild(pg.PlotWidget, "probabilities").getPlotItem()
    (x0, x1), (y0, y1) = item.viewRange()
    assert x0 <= -0.4 and x1 >= 9.4
    assert y0 <= 0.0 and 1.0 <= y1 <= 1.1
    assert not any(item.getViewBox().state["mouseEnabled"])
    ticks = item.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == [str(d) for d in range(10)]


def test_repeated_updates_add_no_items(view, qtbot):
    plot = view.findChild(pg.PlotWidget, "probabilities")
    preview = view.findChild(pg.GraphicsLayoutWidget, "network_input")
    before = (len(plot.scene().items()), len(preview.scene().items()))
    rng = np.random.default_rng(0)
    for i in range(1000):
        probs = rng.dirichlet(np.ones(10)).astype(np.float32)
        view.show_prediction(Prediction(probs), rng.random((28, 28), np.float32))
        if i % 100 == 0:
            qtbot.wait(1)  # let it paint now and then
    assert (len(plot.scene().items()), len(preview.scene().items())) == before
    np.testing.assert_allclose(bars(view).opts["height"], probs, rtol=1e-6)
    assert view.text() == Prediction(probs).describe()


def test_rejects_an_image_of_the_wrong_shape(view):
    with pytest.raises(ValueError, match="28x28"):
        view.show_prediction(Prediction(PROBS), np.zeros((20, 20)))

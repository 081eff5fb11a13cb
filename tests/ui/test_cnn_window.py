"""A CNN in the window end to end: trained in the Train tab, used, then taught."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnpad.core.recipe.conv_spec import Conv2D, Flatten, MaxPooling2D
from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from tests.support.canvas_input import draw_stroke
from tests.support.shipped import use_test_cnn

if TYPE_CHECKING:
    from pathlib import Path

    from nnpad.ui.window.main_window import MainWindow

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]
ONE = [(0.5, 0.15), (0.5, 0.85)]
TIMEOUT = 120_000

TINY_CNN = Recipe(
    Architecture(hidden=(), conv=(Conv2D(4, 3), MaxPooling2D(2), Flatten())),
    TrainConfig(epochs=2, batch_size=32),
)


@pytest.fixture
def window(make_window, qtbot, tmp_path: Path, monkeypatch) -> MainWindow:
    """The window with the Train tab in front, keeping its files under tmp_path.

    Look inside learns to show a CNN in another branch; until then it stays unbuilt.
    """
    monkeypatch.setenv("NNPAD_HOME", str(tmp_path / "home"))
    use_test_cnn(monkeypatch)
    made = make_window()
    made.panels.show("train")
    made.show()
    qtbot.waitExposed(made)
    return made


def _run(window: MainWindow, qtbot, start) -> object:
    with qtbot.waitSignal(window.controller.finished, timeout=TIMEOUT) as done:
        start()
    qtbot.waitUntil(lambda: not window.controller.is_running(), timeout=TIMEOUT)
    return done.args[0]


@pytest.mark.slow
def test_a_cnn_trained_in_the_window_is_used_and_taught(
    window: MainWindow, qtbot, tiny_dataset
) -> None:
    window.training.data.set_source(tiny_dataset)
    window.training.set_recipe(TINY_CNN)
    assert window.training.recipe() == TINY_CNN  # the form keeps the conv layers
    result = _run(window, qtbot, window.action_table["train"].trigger)
    assert result.status == "finished", result.message
    window.training.offer.use_button.click()
    model = window.session.model
    assert model.network is result.network
    assert model.recipe.architecture.conv == TINY_CNN.architecture.conv

    # It reads the drawing with the NumPy forward pass; the FNN gives its opinion.
    rng = np.random.default_rng(0)
    for _ in range(3):
        for points, key in ((SEVEN, Qt.Key.Key_7), (ONE, Qt.Key.Key_1)):
            draw_stroke(
                window.canvas, [(x + rng.uniform(-0.03, 0.03), y) for x, y in points]
            )
            assert window.session.recognition is not None
            assert window.session.opinion.name == "fnn"
            qtbot.keyClick(window.canvas, key)

    # Teach it my handwriting: the CNN is fine-tuned on the samples just kept.
    window.training.data.set_source(tiny_dataset)
    tuned = _run(window, qtbot, window.samples.teach_button.click)
    assert tuned.status == "finished", tuned.message
    assert tuned.recipe.architecture.conv == TINY_CNN.architecture.conv
    window.training.offer.use_button.click()
    assert window.session.model.network is tuned.network

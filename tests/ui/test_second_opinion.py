"""The shipped CNN beside the shipped FNN: switching, and the second opinion."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from nnpad.core.reading.second_opinion import SecondOpinion
from nnpad.core.reading.verdict import DEFAULT_THRESHOLDS, read_probabilities
from nnpad.ui.reading.prediction_view import PredictionView
from nnpad.ui.style import DISAGREES_STYLE
from tests.support.canvas_input import draw_stroke
from tests.support.shipped import use_test_cnn

if TYPE_CHECKING:
    from pathlib import Path

    from nnpad.ui.window.main_window import MainWindow

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]


@pytest.fixture
def cnn(monkeypatch) -> Path:
    return use_test_cnn(monkeypatch)


@pytest.fixture
def window(make_window, qtbot) -> MainWindow:
    """The window with the My samples tab in front.

    Look inside learns to show a CNN in another branch; until then it stays unbuilt.
    """
    made = make_window()
    made.panels.show("samples")
    made.show()
    qtbot.waitExposed(made)
    return made


def _convolutional(window: MainWindow) -> bool:
    return window.session.model.recipe.architecture.convolutional


def test_the_window_switches_to_the_shipped_cnn_and_back(
    cnn: Path, window: MainWindow
) -> None:
    assert not _convolutional(window)  # the FNN reads by default
    window.action_table["shipped_cnn"].trigger()
    assert _convolutional(window)
    assert window.session.model_path == cnn
    # A short name, which the status bar has room for, and the whole one on hover.
    assert window.model_label.text().startswith("Model: CNN, ")
    assert window.model_label.sizeHint().width() < window.width()
    assert window.model_label.toolTip().startswith("conv ")
    window.action_table["default_model"].trigger()
    assert not _convolutional(window)


def test_a_missing_shipped_cnn_is_explained_and_the_fnn_stays(
    window: MainWindow, monkeypatch, tmp_path: Path
) -> None:
    use_test_cnn(monkeypatch, tmp_path / "absent.keras")
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _p, title, text, *a: shown.append(text)
    )
    window.action_table["shipped_cnn"].trigger()
    assert "the shipped CNN is not installed" in shown[0]
    assert not _convolutional(window)


def test_the_second_opinion_is_the_other_networks_reading(
    cnn: Path, window: MainWindow, qtbot
) -> None:
    canvas_before = window.canvas.geometry()
    canvas_at = window.canvas.mapTo(window, QPoint(0, 0))
    assert not window.prediction.second.isVisible()
    with qtbot.waitSignal(window.session.opinion_changed):
        draw_stroke(window.canvas, SEVEN)
    opinion = window.session.opinion
    assert opinion is not None and opinion.name == "cnn"
    shown = window.prediction.opinion_text()
    assert shown.startswith(f"CNN: {opinion.verdict.digit}")
    main_digit = window.session.recognition.current.digit
    assert opinion.agrees == (opinion.verdict.digit == main_digit)
    assert shown.endswith("disagrees") != opinion.agrees
    assert window.prediction.second.isVisible()
    # The canvas never moves under the pen when the second opinion appears.
    assert window.canvas.geometry() == canvas_before
    assert window.canvas.mapTo(window, QPoint(0, 0)) == canvas_at

    # Clicking it reads with the CNN; then the FNN gives the second opinion.
    qtbot.mouseClick(window.prediction.second, Qt.MouseButton.LeftButton)
    assert _convolutional(window)
    assert window.session.opinion.name == "fnn"
    assert window.prediction.opinion_text().startswith("FNN: ")
    assert window.canvas.geometry() == canvas_before


def test_the_second_opinion_is_hidden_without_a_cnn(
    window: MainWindow, monkeypatch, tmp_path: Path, qtbot
) -> None:
    use_test_cnn(monkeypatch, tmp_path / "absent.keras")
    with qtbot.waitSignal(window.session.recognized):
        draw_stroke(window.canvas, SEVEN)
    assert window.prediction.text().startswith("7 (")
    assert window.session.opinion is None
    assert not window.prediction.second.isVisible()


def test_disagreement_is_marked(qtbot) -> None:
    view = PredictionView()
    qtbot.addWidget(view)
    four = read_probabilities([0.01] * 4 + [0.91] + [0.01] * 5, DEFAULT_THRESHOLDS)
    view.show_opinion(SecondOpinion("cnn", four, agrees=False))
    assert view.opinion_text() == "CNN: 4 (91%) — disagrees"
    assert view.second.styleSheet() == DISAGREES_STYLE
    view.show_opinion(SecondOpinion("cnn", four, agrees=True))
    assert view.opinion_text() == "CNN: 4 (91%)"
    with qtbot.waitSignal(view.opinion_chosen) as chosen:
        view.second.click()
    assert chosen.args == ["cnn"]

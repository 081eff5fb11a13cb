"""My samples in the window: keep a drawing with a key, browse, fix, teach."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnpad.core.data.samples.store import SampleStore
from nnpad.core.model import store as model_store
from nnpad.core.progress import format_percent
from nnpad.ui.evaluate.evaluate_panel import STALE
from tests.support.canvas_input import draw_stroke

SEVEN = [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.6, 0.5), (0.45, 0.85)]
ONE = [(0.5, 0.15), (0.5, 0.85)]


@pytest.fixture(autouse=True)
def samples_of_our_own(tmp_path: Path, monkeypatch) -> None:
    """The window keeps samples under NNPAD_HOME: a fresh one for each test."""
    monkeypatch.setenv("NNPAD_HOME", str(tmp_path / "home"))


@pytest.fixture
def messages(monkeypatch) -> list[str]:
    shown: list[str] = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda _p, title, text, *a, **k: shown.append(text)
        )
    return shown


def test_a_digit_key_keeps_the_drawing_and_clears_the_canvas(window, qtbot) -> None:
    store: SampleStore = window.keeper.store
    assert not window.keeper.confirm.isEnabled()  # nothing drawn yet
    draw_stroke(window.canvas, SEVEN)
    assert window.keeper.confirm.text() == "✓ It is a 7"
    qtbot.keyClick(window.canvas, Qt.Key.Key_7)
    assert store.counts()[7] == 1
    assert window.canvas.is_empty()
    assert "1 of your 7s" in window.statusBar().currentMessage()
    # The stored sample is the drawing, strokes and all.
    (sample,) = store.list(7)
    assert store.drawing(sample) is not None and store.image(sample).shape == (28, 28)
    # A one corrected with the 1 key, then confirmed with the button.
    draw_stroke(window.canvas, ONE)
    window.keeper.confirm.click()
    assert sum(store.counts().values()) == 2


def test_the_samples_tab_lists_deletes_relabels_and_refuses_a_bad_import(
    window, qtbot, tmp_path: Path, messages
) -> None:
    for points, key in ((SEVEN, Qt.Key.Key_7), (SEVEN, Qt.Key.Key_1)):
        draw_stroke(window.canvas, points)
        qtbot.keyClick(window.canvas, key)
    panel = window.samples
    assert panel.grid.count() == 2
    assert "2 samples" in panel.counts.text()
    # The seven kept as a 1 by mistake: relabel it.
    mistaken = next(i for i in range(2) if panel.grid.item(i).text() == "1")
    panel.grid.item(mistaken).setSelected(True)
    panel.relabel_selected(7)
    assert panel.store.counts()[7] == 2 and panel.store.counts()[1] == 0
    # A zip with a file that is no image is refused whole.
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("3/fine.png", b"not a png")
    assert not panel.import_from(str(bad))
    assert messages and "nothing was imported" in messages[-1].lower()
    assert sum(panel.store.counts().values()) == 2
    # Export, delete everything, import the export back.
    out = tmp_path / "mine.zip"
    assert panel.export_to(str(out))
    panel.grid.selectAll()
    panel.delete_selected()
    assert panel.grid.count() == 0
    assert panel.import_from(str(out))
    assert panel.store.counts()[7] == 2 and panel.grid.count() == 2


@pytest.mark.slow
def test_teach_it_my_handwriting_runs_in_the_train_tab(window, qtbot) -> None:
    rng = np.random.default_rng(0)
    for _ in range(3):
        for points, key in ((SEVEN, Qt.Key.Key_7), (ONE, Qt.Key.Key_1)):
            wobble = [(x + rng.uniform(-0.03, 0.03), y) for x, y in points]
            draw_stroke(window.canvas, wobble)
            qtbot.keyClick(window.canvas, key)
    evaluation = window.evaluation
    with qtbot.waitSignal(evaluation.runner.finished, timeout=20_000):
        evaluation.evaluate_button.click()
    panel = window.training
    bar_formats: list[str] = []
    window.controller.batch.connect(
        lambda _: bar_formats.append(panel.progress.format())
    )
    with qtbot.waitSignal(window.controller.finished, timeout=120_000) as done:
        window.samples.teach_button.click()
        assert window.panels.current() == "train"
    qtbot.waitUntil(lambda: not window.controller.is_running(), timeout=20_000)
    result = done.args[0]
    assert result.status == "finished" and result.network is not None
    (run,) = panel.board.history.runs()
    assert run.name == "my handwriting"
    # Each figure is worked out once: the epochs planned, and the model's accuracy.
    planned = result.settings["max_epochs"]
    assert bar_formats and all(f"/{planned} ·" in text for text in bar_formats)
    table = panel.board.table.table
    assert table.item(0, 1).text() == f"{len(result.epochs)}/{planned}"
    shown = table.item(0, 3).text()
    assert shown == format_percent(result.val_accuracy)
    offer = panel.offer.label.text()
    assert f"val accuracy {shown}" in offer and "MNIST" in offer
    assert "held-out samples" in offer and "→" in offer
    panel.offer.use_button.click()
    assert window.session.model.network is result.network
    assert window.session.model.thresholds == model_store.load().thresholds
    # The Evaluate tab says its figures were of the model used before.
    assert not evaluation.is_current() and STALE in evaluation.summary.text()

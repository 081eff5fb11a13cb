"""Many short trainings through the real window, each ended a different way.

The window once hung at the end of a run: a QObject destroyed in the training thread
waited for the GIL while the GUI thread, holding it, waited for Qt's signal-slot lock
in a connect or disconnect (see nnpad/ui/background.py). This test keeps the GUI
thread busy with exactly such calls (connects, disconnects, pyqtgraph label changes
and layout passes) while runs start and end: finished, stopped at a random moment,
closed during the run, then used or discarded.

A hang here freezes every Python thread, so no Python timer could report it: the
faulthandler watchdog armed in tests/conftest.py dumps every thread's stack and ends
the process instead of letting it sit there.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nnpad.core.recipe.spec import Architecture, Recipe, TrainConfig
from nnpad.ui.training.training_worker import TrainingController
from nnpad.ui.window.main_window import MainWindow
from tests.support.canvas_input import draw_stroke

if TYPE_CHECKING:
    from nnpad.core.data import Dataset

CYCLES = int(os.environ.get("NNPAD_STRESS_CYCLES", "24"))
ENDINGS = ("finish", "stop", "close")
RUN_TIMEOUT = 60_000
SEVEN = [(0.3, 0.2), (0.7, 0.2), (0.45, 0.8)]


class GuiChurn(QObject):
    """On every event-loop turn: what a busy GUI thread does, many times over."""

    ping = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.turns = 0
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self.turn)
        self._timer.start()

    @Slot()
    def turn(self) -> None:
        for _ in range(10):
            self.ping.connect(self._noop)
            self.ping.disconnect(self._noop)
        charts = self.window.training.charts
        # setLabel -> QGraphicsTextItem.setHtml -> a disconnect inside Qt.
        charts.loss_plot.setLabel("left", f"loss {self.turns % 5}")
        self.window.training.layout().activate()
        self.turns += 1

    @Slot()
    def _noop(self) -> None:
        pass

    def stop(self) -> None:
        self._timer.stop()


def new_window(make_window) -> MainWindow:
    # No XLA: compiling takes longer than these tiny runs train.
    controller = TrainingController(trainer_options={"jit_compile": False})
    return make_window(show=True, controller=controller)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_many_trainings_end_cleanly_whatever_ends_them(
    qtbot, tiny_dataset: Dataset, make_window
) -> None:
    rng = random.Random(7)
    window = new_window(make_window)
    endings: Counter[str] = Counter()
    for _cycle in range(CYCLES):
        ending = rng.choice(ENDINGS)
        panel, controller = window.training, window.controller
        panel.data.set_source(tiny_dataset)
        epochs = rng.randint(1, 3)
        hidden = (rng.choice((8, 16)),)
        panel.set_recipe(
            Recipe(Architecture(hidden=hidden), TrainConfig(epochs=epochs))
        )
        churn = GuiChurn(window)
        window.action_table["train"].trigger()
        assert controller.is_running()
        if ending == "stop":
            QTimer.singleShot(rng.randint(0, 1500), window.action_table["stop"].trigger)
        elif ending == "close":
            qtbot.wait(rng.randint(0, 1500))
            window.close()
        qtbot.waitUntil(lambda c=controller: not c.is_running(), timeout=RUN_TIMEOUT)
        churn.stop()
        if ending == "close":
            qtbot.waitUntil(lambda w=window: not w.isVisible(), timeout=RUN_TIMEOUT)
            window = new_window(make_window)
            endings["close"] += 1
        elif not panel.offer.use_button.isHidden() and rng.random() < 0.5:
            panel.offer.use_button.click()
            assert window.session.model.recipe.architecture.hidden == hidden
            endings[f"{ending}, used"] += 1
        else:
            panel.offer.discard_button.click()
            endings[f"{ending}, discarded"] += 1
        assert churn.turns > 0
        draw_stroke(window.canvas, SEVEN)
        assert window.prediction.text()
        window.canvas.clear()
    assert sum(endings.values()) == CYCLES
    assert endings["close"] and any(k.startswith("stop") for k in endings), endings
    assert any(k.endswith("used") for k in endings), endings

"""The README's screenshots of reading and evaluating, made from the real window.

Usage: python tests/benchmarks/screenshot_readme.py [--out-dir assets/screenshots]
       [--seed S] [--shots reading,unsure,evaluate]

Opens the real window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise), reading
with the shipped FNN, and saves:

- ``screenshot.png`` (1440 x 900): "2026" written on the canvas with mouse events in
  one of the made-up writers' hands (`tests.support.numbers.random_number`, seed
  ``S``), its last digit chosen, Look inside in front;
- ``unsure.png`` (1280 x 800): the first real traced digit of the committed sample
  (`tests/data/real_strokes_sample.json`) whose reading names two candidates
  ("4 or 9?"), written on the canvas, Look inside in front;
- ``evaluate.png`` (1280 x 800): the Evaluate tab after reading the shipped sample's
  held-out images, the mistakes of its largest off-diagonal cell listed;
- ``screenshot-train.png`` (1400 x 900): the Train tab after the ``overfit`` and
  ``overfit-dropout`` presets trained on the shipped sample, their curves overlaid,
  the first selected (the line under the charts says what its curves show).

Each shot prints what the window read, for the README's captions.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

SHOTS = ("reading", "unsure", "evaluate", "train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (parsed before anything heavy is imported)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("assets/screenshots"))
    parser.add_argument("--seed", type=int, default=3, help="the writer of 2026")
    parser.add_argument("--shots", default=",".join(SHOTS))
    return parser.parse_args(argv)


def settle(rounds: int = 50) -> None:
    """Let the window finish what it queued (readings, Look inside, layouts)."""
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()


def reading(window, out: Path, seed: int) -> str:
    """2026 in a made-up writer's hand, the last digit chosen."""
    import numpy as np

    from tests.support.canvas_window import write
    from tests.support.numbers import fitted, random_number

    window.resize(1440, 900)
    window.panels.show("inside")
    number = random_number([2, 0, 2, 6], np.random.default_rng(seed))
    recognition = write(window, fitted(number, 560.0))
    settle()
    window.prediction.number.chosen.emit(3)
    settle()
    window.grab().save(str(out / "screenshot.png"))
    return "nothing" if recognition is None else recognition.text


def unsure(window, out: Path) -> str:
    """The first real digit of the committed sample read as "X or Y?"."""
    from tests.support.canvas_window import write
    from tests.support.real_strokes import load

    window.resize(1280, 800)
    window.panels.show("inside")
    for digit in load():
        drawing = digit.drawing(200.0, centre=(280.0, 140.0))
        recognition = write(window, drawing, brush=18.0)
        if recognition is None or len(recognition.digits) != 1:
            continue
        verdict = recognition.digits[0].verdict
        if verdict.kind == "unsure" and verdict.close:
            settle()
            window.grab().save(str(out / "unsure.png"))
            return f"a {digit.label} (#{digit.index}): {recognition.text}"
    return "no digit of the sample read as unsure between two"


def evaluate(window, out: Path) -> str:
    """The Evaluate tab on the shipped sample, its largest mistake cell listed."""
    from PySide6.QtWidgets import QApplication

    window.resize(1280, 800)
    window.canvas.clear()
    window.panels.show("evaluate")
    panel = window.evaluation
    panel.start()
    while panel.scored() is None or panel.runner.is_running():
        QApplication.processEvents()
    evaluation = panel.scored().evaluation
    confusion = evaluation.confusion.copy()
    for k in range(len(confusion)):
        confusion[k, k] = 0
    true, predicted = divmod(int(confusion.argmax()), len(confusion))
    panel.confusion.select(true, predicted)  # outlined, and its images listed
    settle()
    window.grab().save(str(out / "evaluate.png"))
    return f"{evaluation.accuracy:.2%} right; cell {true} read as {predicted}"


def train(window, out: Path) -> str:
    """The overfit preset and its fix with dropout, trained one after the other."""
    from PySide6.QtWidgets import QApplication

    from nnpad.core.recipe.presets import preset

    window.resize(1400, 900)
    window.canvas.clear()
    window.panels.show("train")
    panel = window.training
    for name in ("overfit", "overfit-dropout"):
        panel.set_recipe(preset(name))
        panel.start_training()
        while panel.controller.is_running():
            QApplication.processEvents()
    panel.board.table.table.selectRow(0)  # what the overfit run's curves show
    settle()
    window.grab().save(str(out / "screenshot-train.png"))
    return ", ".join(run.name for run in panel.board.history.runs())


def main(argv: list[str] | None = None) -> int:
    """Make the screenshots; 0 on success."""
    args = parse_args(argv)
    from tests.support.canvas_window import open_window

    shots = args.shots.split(",")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    window = open_window()
    if "reading" in shots:
        print("screenshot.png:", reading(window, args.out_dir, args.seed))
    if "unsure" in shots:
        print("unsure.png:", unsure(window, args.out_dir))
    if "evaluate" in shots:
        print("evaluate.png:", evaluate(window, args.out_dir))
    if "train" in shots:
        print("screenshot-train.png:", train(window, args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How responsive the window stays while training: a 10 ms QTimer's real intervals.

Usage: python tests/benchmarks/bench_event_loop.py [--epochs N] [--data sample|FILE]

Opens the real main window, starts training the classic spec through the Train
action (Keras fit in a QThread) and records every interval of a 10 ms repeating timer
on the GUI thread, split into phases: before training, loading TensorFlow (clicked
Train until the first batch) and training (first batch to the end). While training it
also draws on the canvas like a person (a mouse move every 30 ms), so that live
recognition and the activation view run too (``--no-drawing`` turns that off).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF, QTimer
from PySide6.QtWidgets import QApplication


def _summary(name: str, intervals: list[float]) -> str:
    if not intervals:
        return f"{name}: no samples"
    ms = sorted(i * 1e3 for i in intervals)
    p95 = ms[max(0, int(0.95 * len(ms)) - 1)]
    return (
        f"{name:18s} {len(ms):6d} ticks  median {statistics.median(ms):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data", default="sample")
    parser.add_argument(
        "--no-drawing", action="store_true", help="do not draw while training"
    )
    args = parser.parse_args()
    app = QApplication([])
    from nnpad.app import create_window, settings_at
    from nnpad.core.recipe.presets import classic
    from nnpad.core.recipe.spec import with_changes
    from tests.support.canvas_input import send_mouse, square_point

    window = create_window(settings_at(os.path.join(tempfile.mkdtemp(), "s.ini")))
    window.show()
    while not window.is_ready():
        app.processEvents()
    window.training.set_recipe(with_changes(classic(), epochs=args.epochs))
    window.training.data.set_source(args.data)
    controller = window.controller

    phases: dict[str, list[float]] = {
        "idle": [],
        "loading TensorFlow": [],
        "training": [],
    }
    state = {"phase": "idle", "last": time.perf_counter()}

    def tick() -> None:
        now = time.perf_counter()
        phases[state["phase"]].append(now - state["last"])
        state["last"] = now

    def on_batch(_progress: object) -> None:
        if state["phase"] != "training":
            state["phase"] = "training"
            state["last"] = time.perf_counter()

    moves = iter(range(10**9))
    canvas = window.canvas

    def at(fx: float, fy: float) -> QPointF:
        return square_point(canvas, fx, fy)

    def doodle() -> None:
        """Draw like a person: a move every 30 ms, a new stroke every 40 moves."""
        if state["phase"] != "training":
            return
        i = next(moves)
        t = i % 40 / 40
        point = (0.3 + 0.4 * t, 0.2 + 0.6 * abs(math.sin(3 * t)))
        if i % 40 == 0:
            if i:
                send_mouse(canvas, QEvent.Type.MouseButtonRelease, at(*point))
            send_mouse(canvas, QEvent.Type.MouseButtonPress, at(*point))
        else:
            send_mouse(canvas, QEvent.Type.MouseMove, at(*point))

    def start() -> None:
        state["phase"] = "loading TensorFlow"
        state["last"] = time.perf_counter()
        window.action_table["train"].trigger()

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    drawer = QTimer(interval=30)
    drawer.timeout.connect(doodle)
    controller.batch.connect(on_batch)
    controller.running_changed.connect(lambda running: running or app.quit())
    timer.start()
    if not args.no_drawing:
        drawer.start()
    QTimer.singleShot(1000, start)
    app.exec()
    print(f"platform {QApplication.platformName()}; classic spec, {args.epochs} epochs")
    for name, intervals in phases.items():
        print(_summary(name, intervals))


if __name__ == "__main__":
    main()

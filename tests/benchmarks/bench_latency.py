"""From a mouse move on the canvas to the repainted prediction, bars and activations.

Usage: python tests/benchmarks/bench_latency.py [--moves N] [--numbers K]

Opens the real main window with the shipped model and sends mouse moves spaced 25 ms
apart (slower than the 16 ms recognition throttle, so every move is recognised). Each
sample is the time from sending the move until the event loop has processed the
resulting paints (canvas, prediction view and activation view). Two drawings:

- a spiral: one long stroke in the middle of the canvas that keeps changing (one
  digit's worth of ink, read as one piece or cut);
- K six-digit numbers written stroke by stroke (`tests/support/numbers.py`, fitted
  to the canvas): every move re-reads the whole number.

Uses the display if there is one, else the offscreen platform.
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

from PySide6.QtCore import QEvent, QEventLoop, QPointF
from PySide6.QtWidgets import QApplication


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--numbers", type=int, default=5)
    args = parser.parse_args()
    app = QApplication([])
    from nnpad.app import create_window, settings_at

    window = create_window(settings_at(os.path.join(tempfile.mkdtemp(), "s.ini")))
    window.resize(1280, 800)
    window.show()
    while not window.is_ready():
        app.processEvents()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    canvas = window.canvas
    from tests.support.canvas_input import mouse_event

    def send(kind: QEvent.Type, pos: QPointF) -> float:
        """Send one event and let the window repaint; return the seconds it took."""
        event = mouse_event(canvas, kind, pos)
        time.sleep(0.025)
        app.processEvents()  # let the throttle timer expire, as in real use
        start = time.perf_counter()
        QApplication.sendEvent(canvas, event)
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        return time.perf_counter() - start

    def report(name: str, samples: list[float]) -> None:
        ms = sorted(s * 1e3 for s in samples)
        p95 = ms[int(0.95 * len(ms)) - 1]
        print(
            f"{name}: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, "
            f"max {ms[-1]:.2f} ms over {len(ms)} moves; "
            f"prediction {window.prediction.text()!r}"
        )

    square = canvas.centre_square()

    def at(t: float) -> QPointF:
        # A slow spiral around the centre: a long stroke that keeps changing.
        r = 0.15 + 0.25 * t
        a = 12 * math.pi * t
        return QPointF(
            square.x() + square.width() * (0.5 + r * math.cos(a)),
            square.y() + square.height() * (0.5 + r * math.sin(a)),
        )

    platform = QApplication.platformName()
    spec = window.session.model.recipe.architecture.describe()
    print(f"{platform}, {window.width()}x{window.height()}, {spec}")
    send(QEvent.Type.MouseButtonPress, at(0))
    moves = range(1, args.moves + 1)
    samples = [send(QEvent.Type.MouseMove, at(i / args.moves)) for i in moves]
    send(QEvent.Type.MouseButtonRelease, at(1))
    report("spiral, mouse move -> repainted", samples)

    import numpy as np

    from nnpad.ui.canvas import CANVAS_WIDTH
    from tests.support.canvas_input import widget_point
    from tests.support.numbers import fitted, random_number

    rng = np.random.default_rng(3)
    samples = []
    for _ in range(args.numbers):
        canvas.clear()
        number = random_number(rng.integers(0, 10, size=6).tolist(), rng)
        for stroke in fitted(number, CANVAS_WIDTH).strokes:
            points = [widget_point(canvas, x, y) for x, y in stroke.points]
            send(QEvent.Type.MouseButtonPress, points[0])
            samples += [send(QEvent.Type.MouseMove, p) for p in points[1:]]
            send(QEvent.Type.MouseButtonRelease, points[-1])
    report("6-digit numbers, mouse move -> repainted", samples)
    window.close()


if __name__ == "__main__":
    main()

"""From a mouse move on the canvas to the repainted prediction, bars and activations.

Usage: python tests/benchmarks/bench_latency.py [--moves N]

Opens the real main window with the shipped model, presses the mouse on the canvas and
sends moves spaced 25 ms apart (slower than the 16 ms recognition throttle, so every
move is recognised). Each sample is the time from sending the move until the event
loop has processed the resulting paints (canvas, prediction view and activation view).
Uses the display if there is one, else the offscreen platform.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=300)
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
    square = canvas.canvas_rect()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def at(t: float) -> QPointF:
        # A slow spiral around the centre: a long stroke that keeps changing.
        r = 0.15 + 0.25 * t
        a = 12 * math.pi * t
        return QPointF(
            square.x() + square.width() * (0.5 + r * math.cos(a)),
            square.y() + square.height() * (0.5 + r * math.sin(a)),
        )

    def send(kind: QEvent.Type, pos: QPointF) -> None:
        button = none if kind == QEvent.Type.MouseMove else left
        buttons = none if kind == QEvent.Type.MouseButtonRelease else left
        QApplication.sendEvent(
            canvas,
            QMouseEvent(
                kind, pos, pos, button, buttons, Qt.KeyboardModifier.NoModifier
            ),
        )

    send(QEvent.Type.MouseButtonPress, at(0))
    samples = []
    for i in range(1, args.moves + 1):
        time.sleep(0.025)
        app.processEvents()  # let the throttle timer expire, as in real use
        start = time.perf_counter()
        send(QEvent.Type.MouseMove, at(i / args.moves))
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        samples.append(time.perf_counter() - start)
    send(QEvent.Type.MouseButtonRelease, at(1))
    ms = sorted(s * 1e3 for s in samples)
    p95 = ms[int(0.95 * len(ms)) - 1]
    platform = QApplication.platformName()
    spec = window.session.model.recipe.architecture.describe()
    print(
        f"mouse move -> repainted prediction and activations ({platform}, "
        f"{window.width()}x{window.height()}, {spec}): "
        f"median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms "
        f"over {len(ms)} moves; prediction {window.prediction.text()!r}"
    )
    window.close()


if __name__ == "__main__":
    main()

"""From a mouse move on the canvas to the repainted window, while writing.

Usage: python tests/benchmarks/bench_latency.py [--moves N] [--numbers K]
[--interval MS] [--size WxH] [--runs R]

Opens the real main window with the shipped model and writes on it with mouse events
that fall due at a steady rate, as a mouse or a pen reports them (every 8 ms by
default: a 125 Hz mouse), the pen lifted 150 ms between strokes. Two figures per
drawing, each as median and p95 over every move:

- pen, mouse move -> repainted: from the moment a move falls due until the canvas
  has painted it. A move that falls due while the window is busy (reading the
  drawing, painting the reading) waits, as it would in the real event queue, and
  that wait counts. Moves that pile up meanwhile are merged into the latest, as Qt
  merges queued mouse moves; each of them is timed until the ink that holds it shows.
- reading, mouse move -> reading shown: from the moment a move falls due until the
  window has painted a reading of the drawing with that move in it (the first
  paint of the reading's views or of the canvas after the reading).

Two drawings: a spiral, one long stroke in the middle of the canvas that keeps
changing (one digit's worth of ink), and K six-digit numbers written stroke by
stroke (`tests/support/numbers.py`, fitted to the canvas): the number the
brief names "mouse move -> repainted window while writing a 6-digit number".

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
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.canvas_input import send_mouse

LIFT_S = 0.15  # the pen is up this long between strokes


@dataclass
class Timings:
    """When each move fell due, and when the window showed it and its reading."""

    due: list[float] = field(default_factory=list)
    pen: list[float] = field(default_factory=list)
    reading: list[float] = field(default_factory=list)
    merged: int = 0
    _painted: int = 0  # moves whose ink is on the canvas
    _read: int = 0  # moves in the last reading emitted
    _shown: int = 0  # moves whose reading is painted

    def canvas_painted(self) -> None:
        now = time.perf_counter()
        self.pen += [now - t for t in self.due[self._painted :]]
        self._painted = len(self.due)

    def reading_emitted(self, _recognition: object) -> None:
        self._read = len(self.due)

    def reading_painted(self) -> None:
        now = time.perf_counter()
        self.reading += [now - t for t in self.due[self._shown : self._read]]
        self._shown = max(self._shown, self._read)


def _after_paint(widget: QWidget, then: object) -> None:
    """Call ``then()`` each time ``widget`` has painted."""
    paint = widget.paintEvent

    def hooked(event: object) -> None:
        paint(event)
        then()

    widget.paintEvent = hooked


class Writer:
    """Sends strokes to the real canvas at a steady rate and times what follows."""

    def __init__(self, app: QApplication, window: object, interval: float) -> None:
        self.app, self.window, self.interval = app, window, interval
        self.timings = Timings()

        def canvas_painted() -> None:
            self.timings.canvas_painted()
            self.timings.reading_painted()

        _after_paint(window.canvas, canvas_painted)
        # Qt paints every widget waiting for it in one go: the first of these to
        # paint after a reading has shown all of it. A reading that changes none
        # of them is shown by the next paint of the canvas (the next move's ink).
        view = window.prediction
        for widget in (view.bars, view.preview, view.why, view.number, view._digit):
            _after_paint(widget, lambda: self.timings.reading_painted())
        window.session.recognized.connect(lambda r: self.timings.reading_emitted(r))

    def start(self) -> Timings:
        """Begin a new set of timings."""
        self.timings = Timings()
        return self.timings

    def _send(self, kind: QEvent.Type, pos: QPointF) -> None:
        send_mouse(self.window.canvas, kind, pos)

    def _wait_until(self, when: float) -> None:
        while time.perf_counter() < when:
            self.app.processEvents()
            time.sleep(0.0002)

    def write(self, strokes: list[list[QPointF]]) -> None:
        """Write the strokes (widget points), a move due every interval."""
        timings = self.timings
        due = time.perf_counter() + 0.05
        for points in strokes:
            self._wait_until(due)
            self._send(QEvent.Type.MouseButtonPress, points[0])
            i = 1
            while i < len(points):
                due += self.interval
                self._wait_until(due)
                # Moves that fell due while the window was busy: only the latest
                # is delivered, the others are merged into it.
                late = int((time.perf_counter() - due) / self.interval)
                late = min(late, len(points) - 1 - i)
                timings.due += [due + k * self.interval for k in range(late + 1)]
                timings.merged += late
                due += late * self.interval
                i += late
                self._send(QEvent.Type.MouseMove, points[i])
                i += 1
            due += self.interval
            self._wait_until(due)
            self._send(QEvent.Type.MouseButtonRelease, points[-1])
            due += LIFT_S
        self._wait_until(due + 0.3)  # the last readings, painted


def report(name: str, timings: Timings, prediction: str) -> None:
    """Print median and p95 of both figures."""

    def figures(samples: list[float]) -> str:
        ms = sorted(s * 1e3 for s in samples)
        if not ms:
            return "no samples"
        p95 = ms[max(0, math.ceil(0.95 * len(ms)) - 1)]
        return f"median {statistics.median(ms):5.1f} ms, p95 {p95:5.1f} ms"

    moves = len(timings.due)
    print(f"{name}: {moves} moves ({timings.merged} merged); reads {prediction!r}")
    print(f"  pen, mouse move -> repainted:     {figures(timings.pen)}")
    print(f"  reading, mouse move -> shown:     {figures(timings.reading)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--numbers", type=int, default=5)
    parser.add_argument("--interval", type=float, default=8.0, help="ms per move")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument(
        "--model", help="read with this model (a .keras file, or cnn) instead"
    )
    args = parser.parse_args()
    app = QApplication([])
    from nnpad.app import create_window, settings_at
    from nnpad.ui.background import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread()  # as the app does

    window = create_window(settings_at(os.path.join(tempfile.mkdtemp(), "s.ini")))
    window.resize(*map(int, args.size.split("x")))
    window.show()
    while not window.is_ready():
        app.processEvents()
    if args.model:
        from nnpad.core.model import store

        window.session.set_model(
            store.load(args.model),
            store.shipped_path("cnn") if args.model == "cnn" else args.model,
        )
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    canvas = window.canvas
    writer = Writer(app, window, args.interval / 1e3)
    square = canvas.centre_square()

    def at(t: float) -> QPointF:
        # A slow spiral around the centre: a long stroke that keeps changing.
        r = 0.15 + 0.25 * t
        a = 12 * math.pi * t
        return QPointF(
            round(square.x() + square.width() * (0.5 + r * math.cos(a))),
            round(square.y() + square.height() * (0.5 + r * math.sin(a))),
        )

    import nnpad

    platform = QApplication.platformName()
    spec = window.session.model.recipe.architecture.describe()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    # Run from a checkout, a script imports the installed nnpad unless PYTHONPATH
    # says otherwise: say which one is measured.
    print(f"nnpad from {os.path.dirname(nnpad.__file__)}")
    print(f"{platform}, {window.width()}x{window.height()}, {spec}")
    print(f"a move every {args.interval:g} ms; load average {load}")
    timings = writer.start()
    writer.write([[at(i / args.moves) for i in range(args.moves + 1)]])
    report("spiral", timings, window.prediction.text())

    import numpy as np

    from nnpad.ui.drawing.canvas import CANVAS_WIDTH
    from tests.support.canvas_input import widget_point
    from tests.support.numbers import fitted, random_number

    rng = np.random.default_rng(3)
    timings = writer.start()
    for _ in range(args.numbers):
        canvas.clear()
        number = random_number(rng.integers(0, 10, size=6).tolist(), rng)
        strokes = fitted(number, CANVAS_WIDTH).strokes
        writer.write(
            [[widget_point(canvas, x, y) for x, y in s.points] for s in strokes]
        )
    report("6-digit numbers", timings, window.prediction.text())
    window.close()


if __name__ == "__main__":
    main()

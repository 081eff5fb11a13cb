"""Whole numbers as a person meets them: written on the canvas, and through predict.

Usage: python tests/benchmarks/bench_number_canvas.py [--count N] [--seed S]

Numbers of 2 to 6 digits (N per length, random digits) are composed from synthetic
hand-written digits (`tests/support/numbers.py`: three writers, gaps mostly normal,
some tight, overlapping in x or touching), scaled to fit the window's canvas (560 x
280 units) as a person writes a long number smaller, and

- written on the real canvas of a real window (offscreen) with mouse events,
  stroke by stroke, rounded to widget pixels; the number is what the session
  read (`Recognition.number`, after the last stroke) and its time is that of
  ``Session.read_drawing`` (segmenting, reading every digit, saliency included);
- saved as PNG files (the canvas' own rendering, white on black, for half of
  them; dark grey on noisy light paper, half as high, like a scan, for the
  others) and read by ``nnpad predict --json``, in-process: its ``"number"``.

Printed per path and length: the digit count right and the whole number exact,
then single digits on the canvas against ``drawing_to_mnist`` read alone, and the
reading time of 6-digit numbers (median and p95).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as nnpad/__init__.py sets it
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100, help="numbers per length")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import numpy as np

    from nnpad.core.ink.strokes import render
    from nnpad.core.reading.preprocess import drawing_to_mnist
    from nnpad.ui.drawing.canvas import CANVAS_WIDTH
    from tests.support.canvas_window import open_window, write
    from tests.support.numbers import Number, fitted, on_paper, random_number
    from tests.support.predict_files import predict

    window = open_window()
    canvas, session = window.canvas, window.session
    rng = np.random.default_rng(args.seed)
    noise = np.random.default_rng(args.seed + 1)

    def on_canvas(drawing) -> tuple[str, float]:
        write(window, drawing)
        start = time.perf_counter()
        session.read_drawing(canvas.drawing())  # timed again, as after the last stroke
        elapsed = (time.perf_counter() - start) * 1e3
        recognition = session.recognition
        return ("" if recognition is None else recognition.number), elapsed

    def as_picture(drawing, k: int) -> np.ndarray:
        if k % 2 == 0:
            return render(drawing, 280, width=math.ceil(CANVAS_WIDTH))
        return on_paper(render(drawing, 140, width=math.ceil(CANVAS_WIDTH / 2)), noise)

    print(f"{args.count} numbers per length, seed {args.seed}")
    canvas_times: list[float] = []
    totals = {"canvas": [0, 0, 0], "predict": [0, 0, 0]}
    for length in range(2, 7):
        tally = {"canvas": [0, 0], "predict": [0, 0]}
        pictures, truths = [], []
        for k in range(args.count):
            digits = rng.integers(0, 10, size=length).tolist()
            number: Number = random_number(digits, rng)
            drawing = fitted(number, CANVAS_WIDTH)
            read, ms = on_canvas(drawing)
            if length == 6:
                canvas_times.append(ms)
            tally["canvas"][0] += len(read) == length
            tally["canvas"][1] += read == number.text
            pictures.append(as_picture(drawing, k))
            truths.append(number.text)
        for record, truth in zip(predict(pictures), truths, strict=True):
            read = record.get("number", "")
            tally["predict"][0] += len(read) == length
            tally["predict"][1] += read == truth
        for name, (right, exact) in tally.items():
            totals[name][0] += right
            totals[name][1] += exact
            totals[name][2] += args.count
            print(
                f"{name:8s}{length} digits: count right {right / args.count:6.1%}"
                f"  exact {exact / args.count:6.1%}"
            )
    for name, (right, exact, n) in totals.items():
        print(
            f"{name:8s}2-6 digits: count right {right / n:6.1%}  exact {exact / n:6.1%}"
            f"  (n={n})"
        )

    same = hits = plain_hits = 0
    singles = 10 * max(10, args.count // 5)
    for k in range(singles):
        digit = k % 10
        drawing = fitted(random_number([digit], rng), CANVAS_WIDTH)
        recognition = write(window, drawing)
        plain = drawing_to_mnist(canvas.drawing())
        alone = int(window.session.model.network.predict(plain)[0].argmax())
        same += len(recognition.digits) == 1 and np.array_equal(
            recognition.current.image, plain
        )
        hits += recognition.number == str(digit)
        plain_hits += alone == digit
    print(
        f"single digits on the canvas ({singles}): read as one digit with the very "
        f"input of drawing_to_mnist {same / singles:.1%}; right {hits / singles:.1%}"
        f" (drawing_to_mnist alone {plain_hits / singles:.1%})"
    )
    times = np.array(canvas_times)
    print(
        f"6-digit numbers, Session.read_drawing: median {np.median(times):.2f} ms, "
        f"p95 {np.percentile(times, 95):.2f} ms, max {times.max():.2f} ms"
    )
    window.close()


if __name__ == "__main__":
    main()

"""Preprocessing + inference of one drawing: median and p95.

Usage: python tests/benchmarks/bench_inference.py [--repeats N]

Timed with the shipped default model:
- buffer: a rendered 280x280 canvas buffer -> 28x28 -> probabilities;
- strokes: the stroke vectors -> network rendering -> 28x28 -> probabilities, with
  new strokes every time (the window keeps prepared digits, keyed by their strokes:
  here it never finds them);
- the whole reading the window makes of a drawing on every throttled mouse move:
  finding the digits, preparing them, every layer's activations, the calibrated
  verdict and the saliency (`recognize_drawing`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

import numpy as np

from nnpad.core.ink.strokes import Drawing, Stroke, render
from nnpad.core.model import store
from nnpad.core.reading.preprocess import drawing_to_mnist, to_mnist
from nnpad.core.reading.recognition import read_digit, recognize_drawing


def seven() -> Drawing:
    """A hand-like '7': a top bar and a slanted stem, 60 points each."""
    t = np.linspace(0, 1, 60)
    bar = np.column_stack([70 + 140 * t, 60 + 6 * np.sin(6 * t)])
    stem = np.column_stack([210 - 90 * t, 60 + 170 * t])
    return Drawing(
        (
            Stroke(tuple(map(tuple, bar)), width=18.0),
            Stroke(tuple(map(tuple, stem)), width=18.0),
        )
    )


def timed(label: str, run, repeats: int) -> None:
    for _ in range(50):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    ms = np.array(samples) * 1e3
    print(
        f"{label:38s} median {np.median(ms):.3f} ms  p95 {np.percentile(ms, 95):.3f} ms"
    )


def fresh(drawing: Drawing) -> Drawing:
    """The same drawing made of new strokes (nothing prepared for it is kept)."""
    return Drawing(tuple(Stroke(s.points, s.width, s.erase) for s in drawing.strokes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000, help="timed runs each")
    args = parser.parse_args()
    repeats = args.repeats
    model = store.load()
    network = model.network
    drawing = seven()
    buffer = render(drawing, 280)
    image = to_mnist(buffer, polarity="light_on_dark")
    assert image is not None
    prediction = read_digit(network, image).describe()
    print(f"model: {network.architecture.describe()}; prediction: {prediction}")
    timed(
        "preprocess 280x280 buffer",
        lambda: to_mnist(buffer, polarity="light_on_dark"),
        repeats,
    )
    timed("network forward pass", lambda: network.predict(image), repeats)
    timed(
        "verdict, activations and saliency", lambda: read_digit(network, image), repeats
    )
    timed(
        "buffer -> probabilities",
        lambda: network.predict(to_mnist(buffer, polarity="light_on_dark")),
        repeats,
    )
    timed(
        "strokes -> probabilities",
        lambda: network.predict(drawing_to_mnist(fresh(drawing))),
        repeats,
    )
    timed(
        "strokes -> the window's whole reading",
        lambda: recognize_drawing(model, fresh(drawing)),
        repeats,
    )


if __name__ == "__main__":
    main()

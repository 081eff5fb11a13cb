"""Preprocessing + inference of one drawing: median and p95.

Usage: python tests/benchmarks/bench_inference.py

Two paths are timed with the shipped default model:
- buffer: a rendered 280x280 canvas buffer -> 28x28 -> probabilities;
- strokes: the stroke vectors -> network rendering -> 28x28 -> probabilities
  (what the window does on every throttled mouse move).
"""

from __future__ import annotations

import time

import numpy as np

from nnpad.core.model import store
from nnpad.core.preprocess import drawing_to_mnist, to_mnist
from nnpad.core.recognition import read_digit
from nnpad.core.strokes import Drawing, Stroke, render


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


def timed(label: str, run, repeats: int = 2000) -> None:
    for _ in range(50):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    ms = np.array(samples) * 1e3
    print(
        f"{label:34s} median {np.median(ms):.3f} ms  p95 {np.percentile(ms, 95):.3f} ms"
    )


def main() -> None:
    network = store.load().network
    drawing = seven()
    buffer = render(drawing, 280)
    image = to_mnist(buffer, polarity="light_on_dark")
    assert image is not None
    prediction = read_digit(network, image).describe()
    print(f"model: {network.architecture.describe()}; prediction: {prediction}")
    timed(
        "preprocess 280x280 buffer", lambda: to_mnist(buffer, polarity="light_on_dark")
    )
    timed("network forward pass", lambda: read_digit(network, image))
    timed(
        "buffer -> probabilities",
        lambda: read_digit(network, to_mnist(buffer, polarity="light_on_dark")),
    )
    timed(
        "strokes -> probabilities",
        lambda: read_digit(network, drawing_to_mnist(drawing)),
    )
    timed(
        "strokes -> all activations",
        lambda: network.activations(drawing_to_mnist(drawing)),
    )


if __name__ == "__main__":
    main()

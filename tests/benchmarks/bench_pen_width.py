"""Pen width proportional to the digit vs the person's brush, on small drawings.

Usage: python tests/benchmarks/bench_pen_width.py [--count N]

Digits are drawn from hand-written-like stroke templates with random slant, scale,
aspect and wobble, with the default brush (18 of 280 units), at full size (about
70% of the canvas) and at a third of it. Each is recognised by the shipped model two
ways: from the screen-like bitmap with the brush as drawn (``render`` + ``to_mnist``),
and from the stroke vectors with a pen width proportional to the digit's size
(``drawing_to_mnist``, what nnpad does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

import numpy as np

from nnpad.core.ink.strokes import CANVAS_SIZE, render
from nnpad.core.model import store
from nnpad.core.reading.preprocess import drawing_to_mnist, to_mnist
from tests.support.handwriting import random_drawing

BRUSH = 18.0  # the canvas' default


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50, help="drawings per digit")
    args = parser.parse_args()
    network = store.load().network
    rng = np.random.default_rng(0)
    print(f"{args.count * 10} drawings per row; canvas {CANVAS_SIZE:g} units")
    for brush in (BRUSH, 30.0):
        for label, size in (("full height", 196.0), ("a third", 93.0)):
            as_drawn_hits = proportional_hits = 0
            for digit in range(10):
                for _ in range(args.count):
                    drawing = random_drawing(digit, size, brush, rng)
                    bitmap = render(drawing, 280)
                    as_drawn = to_mnist(bitmap, polarity="light_on_dark")
                    scaled = drawing_to_mnist(drawing)
                    as_drawn_hits += _hit(network, as_drawn, digit)
                    proportional_hits += _hit(network, scaled, digit)
            total = 10 * args.count
            print(
                f"brush {brush:>4g}, {label:11s}: brush as drawn "
                f"{as_drawn_hits / total:6.1%}, pen proportional to the digit "
                f"{proportional_hits / total:6.1%}"
            )


def _hit(network, image: np.ndarray | None, digit: int) -> int:
    return int(image is not None and network.predict(image)[0].argmax() == digit)


if __name__ == "__main__":
    main()

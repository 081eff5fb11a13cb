"""Handwriting traced into pen strokes, and the canvas' rendering of it.

MNIST's images are real people's digits, but the canvas gives strokes, which the
canvas renders with its own pen (`drawing_to_mnist`). A network that only saw
MNIST's pixels meets those renderings for the first time in the window. A strokes
file holds digits traced from MNIST images into pen strokes (the tracing tool that
comes with the project's shared data writes them): a JSON list of ``{"index",
"label", "width", "strokes"}`` with points in 28-pixel units, the digit's 20-pixel
MNIST box inside the 28-pixel frame. `canvas_images` renders them exactly as the
canvas would, so that training can join them to the MNIST images.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnpad.core.data.dataset import DataError
from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke
from nnpad.core.reading.preprocess import drawing_to_mnist

__all__ = ["TracedDigit", "canvas_images", "load_traced"]

# MNIST's digits are normalised to a 20-pixel box in the 28-pixel frame.
MNIST_BOX = 20.0
MNIST_FRAME = 28.0
Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class TracedDigit:
    """One traced digit: its MNIST index and label, pen width and strokes.

    ``width`` and the points are in 28-pixel units.
    """

    index: int
    label: int
    width: float
    strokes: tuple[Points, ...]

    def drawing(
        self,
        height: float = 200.0,
        *,
        brush: float | None = 18.0,
        centre: tuple[float, float] = (CANVAS_SIZE / 2, CANVAS_SIZE / 2),
    ) -> Drawing:
        """The digit drawn with its MNIST box ``height`` canvas units high.

        Centred on ``centre``; ``brush`` is the pen width in canvas units (the
        canvas' default is 18), or None for the traced pen, scaled with the digit.
        """
        k = height / MNIST_BOX
        pen = self.width * k if brush is None else brush
        cx, cy = centre
        half = MNIST_FRAME / 2
        return Drawing(
            tuple(
                Stroke(
                    tuple(((x - half) * k + cx, (y - half) * k + cy) for x, y in s), pen
                )
                for s in self.strokes
                if s
            )
        )


def load_traced(path: str | Path) -> list[TracedDigit]:
    """The digits of a strokes file, in its order.

    Raises
    ------
    DataError
        When the file cannot be read or is not a strokes file; the message says
        which item is wrong and how.
    """
    path = Path(path)
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path.name} is not a JSON strokes file: {exc}") from None
    if not isinstance(items, list) or not items:
        raise DataError(f"{path.name}: expected a non-empty JSON list of digits")
    return [_digit(item, n, path.name) for n, item in enumerate(items)]


def _digit(item: Any, n: int, name: str) -> TracedDigit:
    """One item of a strokes file, checked."""
    where = f"{name}, item {n}"
    try:
        label = item["label"]
        width = float(item["width"])
        index = int(item.get("index", n))
        strokes = tuple(
            tuple((float(x), float(y)) for x, y in stroke) for stroke in item["strokes"]
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DataError(
            f'{where}: expected {{"label", "width", "strokes": [[[x, y], ...]]}}'
        ) from None
    if not isinstance(label, int) or not 0 <= label <= 9:
        raise DataError(f"{where}: the label must be a digit 0-9, got {label!r}")
    coords = [v for s in strokes for p in s for v in p]
    if not coords or not all(map(math.isfinite, [*coords, width])) or width <= 0:
        raise DataError(f"{where}: no ink, or points or width that are not numbers")
    return TracedDigit(index, label, width, strokes)


def canvas_images(digits: list[TracedDigit]) -> tuple[np.ndarray, np.ndarray]:
    """The digits as the canvas would give them to the network.

    Each is drawn as a person would on the canvas and prepared by
    `drawing_to_mnist` (whose pen is proportional to the digit, so its size and
    the brush do not matter). Returns uint8 images ``(n, 28, 28)`` (ink 255) and
    uint8 labels; digits without visible ink are left out.
    """
    images, labels = [], []
    for digit in digits:
        image = drawing_to_mnist(digit.drawing())
        if image is not None:
            images.append(np.rint(image * 255.0).astype(np.uint8))
            labels.append(digit.label)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.stack(images), np.array(labels, dtype=np.uint8)

"""Screenshot of Look inside for a real digit, as the README shows it.

Usage: python tests/benchmarks/screenshot_inside.py --strokes STROKES.json
       [--index N] [--model cnn] [--cell LAYER,ROW,COL,CHANNEL] [--out FILE.png]

Opens the real window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise) at
1440 x 900, reads with ``--model`` (the shipped CNN by default), writes the traced
digit ``--index`` of ``STROKES.json`` on the canvas with mouse events, opens Look
inside, selects ``--cell`` of a feature map (by default the strongest cell of the
last conv layer, as the panel itself picks), and saves the window as a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (parsed before anything heavy is imported)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", required=True, type=Path, help="traced digits")
    parser.add_argument("--index", type=int, help="MNIST index (default: the first)")
    parser.add_argument("--model", default="cnn", help="default: the shipped CNN")
    parser.add_argument("--cell", help="LAYER,ROW,COL,CHANNEL of a map to select")
    parser.add_argument("--out", type=Path, default=Path("look-inside-cnn.png"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Make the screenshot; 0 on success."""
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from nnpad.core.data.traced import load_traced
    from tests.support.canvas_window import open_window, write

    digits = load_traced(args.strokes)
    digit = next((d for d in digits if args.index in (None, d.index)), None)
    if digit is None:
        print(f"no digit {args.index} in {args.strokes}", file=sys.stderr)
        return 2
    window = open_window(None if args.model in ("fnn", "default") else args.model)
    window.resize(1440, 900)
    window.tabs.setCurrentWidget(window.panels.inside)
    reading = write(window, digit.drawing(200.0, centre=(280.0, 140.0)), brush=18.0)
    for _ in range(50):
        QApplication.processEvents()
    inside = window.activations
    if args.cell and hasattr(inside, "conv"):
        cell = tuple(int(v) for v in args.cell.split(","))
        inside.conv.select_cell(cell)
    for _ in range(50):
        QApplication.processEvents()
    window.grab().save(str(args.out))
    text = reading.text if reading is not None else "nothing"
    print(f"a {digit.label} (#{digit.index}) read {text}; saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

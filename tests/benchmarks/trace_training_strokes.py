"""Trace MNIST training digits into pen strokes, for ``nnpad train --strokes``.

Usage: python tests/benchmarks/trace_training_strokes.py --tool trace_mnist_strokes.py
       --data mnist_train.npz --out train_strokes.json [--start 0] [--stop 50000]
       [--skip STROKES.json]

``--tool`` is the stroke-tracing script that comes with the project's shared data
(it needs NumPy, SciPy, scikit-image and Pillow: install them in any environment);
its ``trace_digit`` traces every image of ``--data`` from ``--start`` to ``--stop``
(by default the first 50,000: the training part, never the validation part). The
output is the tool's own format: a JSON list of ``{"index", "label", "width",
"strokes"}``. About 7 ms a digit here.

The same script traces more real digits to measure on: ``--start 50000 --stop 60000
--skip mnist_val_strokes.json`` gives the 8,000 digits of the validation part that
the shared file leaves out (``--skip`` leaves out every index a strokes file holds).
They were never trained on, so they measure as the shared file's halves do, with
eight times the digits.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="trace_mnist_strokes.py")
    parser.add_argument("--data", required=True, help="the MNIST training .npz")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop", type=int, default=50_000)
    parser.add_argument("--skip", help="a strokes file whose digits to leave out")
    args = parser.parse_args()

    import numpy as np

    spec = importlib.util.spec_from_file_location("trace_tool", args.tool)
    if spec is None or spec.loader is None:
        parser.error(f"cannot load {args.tool}")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with np.load(args.data, allow_pickle=False) as data:
        x, y = data["x_train"], data["y_train"]
    skip = set()
    if args.skip:
        skip = {int(item["index"]) for item in json.loads(Path(args.skip).read_text())}
    items = []
    for i in range(args.start, min(args.stop, len(x))):
        if i in skip:
            continue
        strokes, width = tool.trace_digit(x[i])
        items.append(
            {
                "index": i,
                "label": int(y[i]),
                "width": round(float(width), 3),
                "strokes": [
                    [[round(float(px), 3), round(float(py), 3)] for px, py in s]
                    for s in strokes
                ],
            }
        )
    Path(args.out).write_text(json.dumps(items, separators=(",", ":")))
    print(f"{len(items)} digits traced -> {args.out}")


if __name__ == "__main__":
    main()

"""``nnpad predict``: classify images of digits (never imports TensorFlow)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse


def add_parser(commands: Any) -> None:
    """Add ``predict`` and its options."""
    predict = commands.add_parser(
        "predict",
        help="classify images of digits",
        description="Classify PNG/JPEG images of one digit each (any size, dark on "
        "light or light on dark), prepared exactly like drawings on the canvas. "
        "Each reading has a verdict: digit (sure), unsure, or not a digit.",
    )
    predict.add_argument("--model", type=Path, help="default: the shipped model")
    predict.add_argument("--json", action="store_true", help="one JSON object a line")
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one reading per image; exit 1 if any image could not be read."""
    from nnpad.core.model import store
    from nnpad.core.preprocess import load_image, to_mnist
    from nnpad.core.recognition import read_digit

    model = store.load(args.model)
    failures = 0
    for path in args.images:
        record: dict[str, Any] = {"file": str(path)}
        try:
            image = to_mnist(load_image(path))
        except ValueError as exc:
            record["error"] = str(exc)
        else:
            if image is None:
                record["error"] = "no digit found: the image has no ink"
            else:
                reading = read_digit(model.network, image, model.thresholds)
                record.update(
                    verdict=reading.verdict.kind,
                    text=reading.describe(),
                    digit=reading.digit,
                    confidence=round(reading.confidence, 6),
                    probabilities=[round(float(p), 6) for p in reading.probabilities],
                )
        failures += "error" in record
        _print_prediction(record, as_json=args.json)
    return 1 if failures else 0


def _print_prediction(record: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record), flush=True)
    elif "error" in record:
        print(f"{record['file']}: {record['error']}", file=sys.stderr)
    else:
        probabilities = " ".join(
            f"{d}:{p:.1%}" for d, p in enumerate(record["probabilities"])
        )
        print(f"{record['file']}: {record['text']}  [{probabilities}]", flush=True)

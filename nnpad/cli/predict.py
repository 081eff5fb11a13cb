"""``nnpad predict``: read images of digits and numbers (never imports TensorFlow)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from nnpad.core.reading.recognition import DigitReading, Recognition


def add_parser(commands: Any) -> None:
    """Add ``predict`` and its options."""
    predict = commands.add_parser(
        "predict",
        help="read images of digits and numbers",
        description="Read PNG/JPEG images of a digit or a number written on one line "
        "(any size, dark on light or light on dark). Each digit is found, prepared "
        "exactly like drawings on the canvas and read, with a verdict: digit (sure), "
        "unsure, or not a digit.",
    )
    predict.add_argument(
        "--model",
        type=Path,
        help="a .keras file, or cnn for the shipped CNN (default: the shipped FNN)",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object a line")
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one reading per image; exit 1 if any image could not be read."""
    from nnpad.core.ink.image_file import load_image
    from nnpad.core.model import store
    from nnpad.core.reading.recognition import recognize_picture

    model = store.load(args.model)
    failures = 0
    for path in args.images:
        record: dict[str, Any] = {"file": str(path)}
        try:
            recognition = recognize_picture(model, load_image(path))
        except ValueError as exc:
            record["error"] = str(exc)
        else:
            if recognition is None:
                record["error"] = "no digit found: the image has no ink"
            else:
                record.update(reading_record(recognition))
        failures += "error" in record
        _print_prediction(record, as_json=args.json)
    return 1 if failures else 0


def reading_record(recognition: Recognition) -> dict[str, Any]:
    """The JSON fields of a reading.

    Always ``number`` (the digits as a string, ``?`` for a mark that is not a
    digit), ``text``, ``confidence`` (that every digit is right) and ``digits``
    (each with its pixel box, digit, verdict, text, confidence and probabilities).
    An image of one digit also has that digit's fields at the top level, as it had
    before numbers were read.
    """
    digits = [_digit_record(reading) for reading in recognition.digits]
    record: dict[str, Any] = {
        "number": recognition.number,
        "text": recognition.text,
        "confidence": round(recognition.confidence, 6),
    }
    if len(digits) == 1:
        record.update({k: v for k, v in digits[0].items() if k != "box"})
    record["digits"] = digits
    return record


def _digit_record(reading: DigitReading) -> dict[str, Any]:
    box = reading.box
    return {
        "box": None if box is None else [round(float(v), 2) for v in box],
        "digit": reading.digit,
        "verdict": reading.verdict.kind,
        "text": reading.describe(),
        "confidence": round(reading.confidence, 6),
        "probabilities": [round(float(p), 6) for p in reading.probabilities],
    }


def _print_prediction(record: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record), flush=True)
    elif "error" in record:
        print(f"{record['file']}: {record['error']}", file=sys.stderr)
    elif len(record["digits"]) == 1:
        probabilities = " ".join(
            f"{d}:{p:.1%}" for d, p in enumerate(record["probabilities"])
        )
        print(f"{record['file']}: {record['text']}  [{probabilities}]", flush=True)
    else:
        digits = ", ".join(d["text"] for d in record["digits"])
        print(f"{record['file']}: {record['text']}  [{digits}]", flush=True)

"""``nnpad evaluate``: measure a model on labelled data (no TensorFlow)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnpad.cli.errors import CliError

if TYPE_CHECKING:
    import argparse

    from nnpad.core.measure.evaluation import Evaluation


def add_parser(commands: Any) -> None:
    """Add ``evaluate`` and its options."""
    evaluate = commands.add_parser(
        "evaluate",
        help="measure a model on labelled data",
        description="Accuracy, per-class accuracy and confusion matrix. Uses the "
        "file's test images if it has any, else its training images.",
    )
    evaluate.add_argument(
        "--model",
        type=Path,
        help="a .keras file, or cnn for the shipped CNN (default: the shipped FNN)",
    )
    evaluate.add_argument(
        "--data",
        required=True,
        help="an .npz file or IDX folder, or 'sample' (the shipped sample's 1000"
        " held-out images) or 'mnist' (Keras download or cache)",
    )
    evaluate.add_argument(
        "--validation-split",
        type=float,
        metavar="FRACTION",
        help="evaluate only the last FRACTION of the training images: the part that "
        "training with the same --validation-split held out",
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON object")
    evaluate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print accuracy, per-class accuracy and the confusion matrix."""
    from nnpad.core.data import load_source
    from nnpad.core.measure.evaluation import images_to_measure, measure
    from nnpad.core.model import store

    model = store.load(args.model)
    data = load_source(args.data)
    try:
        measured = images_to_measure(data, validation=args.validation_split)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    started = time.perf_counter()
    result = measure(model, measured.x, measured.y)
    seconds = time.perf_counter() - started
    raw = result.at_temperature(1.0)
    temperature = model.thresholds.temperature
    calibration: dict[str, Any] = {
        "temperature": temperature,
        "ece_15_bins": {
            "before": raw.reliability().ece,
            "after": result.reliability().ece,
        },
        "nll": {
            "before": raw.negative_log_likelihood(),
            "after": result.negative_log_likelihood(),
        },
    }
    if args.json:
        print(
            json.dumps(
                {
                    "model": str(args.model or "default"),
                    "data": data.source,
                    "part": measured.part,
                    "images": measured.describe(),
                    "samples": result.samples,
                    "accuracy": result.accuracy,
                    "per_class": result.per_class,
                    "confusion": result.confusion.tolist(),
                    "calibration": calibration,
                    "seconds": round(seconds, 3),
                }
            )
        )
        return 0
    ece, nll = calibration["ece_15_bins"], calibration["nll"]
    print(f"model: {model.recipe.architecture.describe()}")
    print(f"data: {measured.describe()}")
    print(f"accuracy: {result.accuracy:.2%} on {result.samples} images")
    print(
        f"calibration (temperature {temperature:.3f}): ECE {ece['before']:.4f} ->"
        f" {ece['after']:.4f}, NLL {nll['before']:.4f} -> {nll['after']:.4f}"
    )
    _print_classes(result)
    return 0


def _print_classes(result: Evaluation) -> None:
    print(
        "per class: "
        + "  ".join(
            f"{d}:{'-' if acc is None else f'{acc:.1%}'}"
            for d, acc in enumerate(result.per_class)
        )
    )
    print("confusion (rows true, columns predicted):")
    print("      " + "".join(f"{d:>6}" for d in range(10)))
    for digit, row in enumerate(result.confusion):
        print(f"{digit:>6}" + "".join(f"{n:>6}" for n in row))

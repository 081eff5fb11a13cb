"""The ``nnpad`` command: the window, or ``train``, ``evaluate``, ``predict``, ``info``.

Nothing heavy is imported at module level: ``predict``, ``evaluate`` and ``info`` run
without TensorFlow, and only ``train`` imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from nnpad import __version__
from nnpad.core.progress import format_duration

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnpad.core.progress import BatchProgress, EpochResult, TrainingStarted
    from nnpad.core.spec import Recipe


class CliError(Exception):
    """An expected failure: printed as one line on stderr, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from nnpad.app import main as run_app

        return run_app(self_test=args.self_test)
    from nnpad.core.data import DataError
    from nnpad.core.model_file import ModelFileError

    try:
        return int(args.run(args) or 0)
    except (CliError, DataError, ModelFileError, ValueError, OSError) as exc:
        print(f"nnpad {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nnpad {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnpad",
        description="Draw a digit and watch a neural network recognise it. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"nnpad {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the installation end to end (model, Keras, window) and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser(
        "train", help="train a model", description="Train a model and save it."
    )
    train.add_argument(
        "--data",
        default="mnist",
        help="'mnist' (Keras download or cache, the default), 'sample' (shipped "
        "6000 images), an .npz file, or a folder of the four MNIST IDX files",
    )
    spec = train.add_mutually_exclusive_group()
    spec.add_argument("--spec", type=Path, help="a JSON spec (see --print-spec)")
    spec.add_argument(
        "--preset",
        default="classic",
        help="classic (default), deeper, regularized or shipped",
    )
    train.add_argument("--hidden", help="hidden layer sizes, e.g. 128,64")
    train.add_argument("--activation", choices=["relu", "sigmoid", "tanh"])
    train.add_argument("--dropout", type=float)
    train.add_argument("--batch-norm", action=argparse.BooleanOptionalAction)
    train.add_argument("--l2", type=float)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--epochs", type=int)
    train.add_argument("--validation-split", type=float)
    train.add_argument("--seed", type=int)
    train.add_argument("--out", type=Path, help="where to save the model (.keras)")
    train.add_argument(
        "--print-spec",
        action="store_true",
        help="print the resulting spec as JSON and exit without training",
    )
    train.add_argument("--quiet", action="store_true", help="no progress display")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="measure a model on labelled data",
        description="Accuracy, per-class accuracy and confusion matrix. Uses the "
        "file's test images if it has any, else its training images.",
    )
    evaluate.add_argument("--model", type=Path, help="default: the shipped model")
    evaluate.add_argument("--data", required=True, help="an .npz file or IDX folder")
    evaluate.add_argument(
        "--validation-split",
        type=float,
        metavar="FRACTION",
        help="evaluate only the last FRACTION of the training images: the part that "
        "training with the same --validation-split held out",
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON object")
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser(
        "predict",
        help="classify images of digits",
        description="Classify PNG/JPEG images of one digit each (any size, dark on "
        "light or light on dark), prepared exactly like drawings on the canvas.",
    )
    predict.add_argument("--model", type=Path, help="default: the shipped model")
    predict.add_argument("--json", action="store_true", help="one JSON object a line")
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.set_defaults(run=_predict)

    info = commands.add_parser("info", help="versions, folders and the default model")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_info)
    return parser


# -- train ---------------------------------------------------------------------------


def _recipe_from_args(args: argparse.Namespace) -> Recipe:
    from nnpad.core import spec as specs

    if args.spec is not None:
        try:
            recipe = specs.Recipe.from_json(args.spec.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CliError(f"cannot read {args.spec}: {exc.strerror}") from None
    else:
        recipe = specs.preset(args.preset)
    changes: dict[str, Any] = {}
    if args.hidden is not None:
        try:
            changes["hidden"] = tuple(int(n) for n in args.hidden.split(","))
        except ValueError:
            raise CliError(
                f"--hidden {args.hidden!r}: give sizes like 128,64"
            ) from None
    for name in (
        "activation",
        "dropout",
        "batch_norm",
        "l2",
        "learning_rate",
        "batch_size",
        "epochs",
        "validation_split",
        "seed",
    ):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    return specs.with_changes(recipe, **changes)


def _train(args: argparse.Namespace) -> int:
    recipe = _recipe_from_args(args)
    if args.print_spec:
        print(recipe.to_json())
        return 0
    if args.out is None:
        raise CliError("say where to save the model with --out MODEL.keras")
    if args.out.suffix != ".keras":
        raise CliError(f"--out {args.out}: the file name must end in .keras")
    from nnpad.core.data import load_source

    data = load_source(args.data)
    print(f"data: {data.source}", file=sys.stderr)
    print(f"model: {recipe.model.describe()}", file=sys.stderr)
    print("loading TensorFlow...", file=sys.stderr, flush=True)
    from nnpad.core import keras_model
    from nnpad.core.training import Trainer

    trainer = Trainer(recipe, data)
    display = _TerminalProgress(sys.stderr, quiet=args.quiet)
    result = trainer.run(display)
    display.close()
    if result.model is None or result.status != "finished":
        raise CliError(result.message or f"training {result.status}; nothing saved")
    keras_model.save(
        result.model,
        recipe,
        args.out,
        val_accuracy=result.val_accuracy,
        trained_on=data.source,
        extra={"train_seconds": round(result.seconds, 1)},
    )
    accuracy = (
        "no validation set"
        if result.val_accuracy is None
        else f"validation accuracy {result.val_accuracy:.2%}"
    )
    print(
        f"{accuracy} after {len(result.epochs)} epochs in {result.seconds:.0f} s;"
        f" saved {args.out}"
    )
    return 0


class _TerminalProgress:
    """Prints training progress: one live line on a terminal, a line per epoch."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = stream.isatty() and not quiet
        self._width = 0

    def started(self, info: TrainingStarted) -> None:
        self._print(
            f"training on {info.train_samples} images, validating on "
            f"{info.val_samples}; {info.epochs} epochs of {info.batches_per_epoch} "
            "batches"
        )

    def batch(self, progress: BatchProgress) -> None:
        if not self.live:
            return
        filled = int(progress.fraction * 24)
        line = (
            f"epoch {progress.epoch + 1}/{progress.epochs} "
            f"[{'#' * filled}{'.' * (24 - filled)}] "
            f"loss {progress.loss:.4f} acc {progress.accuracy:.2%} "
            f"{progress.samples_per_second:,.0f} img/s ETA "
            f"{format_duration(progress.eta_seconds)}"
        )
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def epoch(self, result: EpochResult) -> None:
        val = ""
        if result.val_accuracy is not None:
            val = f", val loss {result.val_loss:.4f} val acc {result.val_accuracy:.2%}"
        self._print(
            f"epoch {result.epoch + 1}: loss {result.loss:.4f} "
            f"acc {result.accuracy:.2%}{val}"
        )

    def snapshot(self, network: object) -> None:
        """Snapshots are for the window; the terminal ignores them."""

    def close(self) -> None:
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def _print(self, text: str) -> None:
        if self.quiet:
            return
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        print(text, file=self.stream, flush=True)


# -- evaluate, predict, info -----------------------------------------------------------


def _evaluate(args: argparse.Namespace) -> int:
    from nnpad.core.data import load_file, split_validation
    from nnpad.core.inference import evaluate, load_model

    model = load_model(args.model)
    data = load_file(args.data)
    if args.validation_split is not None:
        *_, x, y = split_validation(data.x_train, data.y_train, args.validation_split)
        part = f"held-out last {len(x)} training"
        if not len(x):
            raise CliError("--validation-split leaves no images to evaluate")
    elif data.x_test is not None and data.y_test is not None:
        x, y, part = data.x_test, data.y_test, "test"
    else:
        x, y, part = data.x_train, data.y_train, "train"
    started = time.perf_counter()
    result = evaluate(model.network, x, y)
    seconds = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "model": str(args.model or "default"),
                    "data": data.source,
                    "part": part,
                    "samples": result.samples,
                    "accuracy": result.accuracy,
                    "per_class": result.per_class,
                    "confusion": result.confusion.tolist(),
                    "seconds": round(seconds, 3),
                }
            )
        )
        return 0
    print(f"model: {model.recipe.model.describe()}")
    print(f"data: {data.source} ({part} images)")
    print(f"accuracy: {result.accuracy:.2%} on {result.samples} images")
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
    return 0


def _predict(args: argparse.Namespace) -> int:
    from nnpad.core.inference import load_model, predict
    from nnpad.core.preprocess import load_image, to_mnist

    network = load_model(args.model).network
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
                prediction = predict(network, image)
                record.update(
                    digit=prediction.digit,
                    confidence=round(prediction.confidence, 6),
                    probabilities=[
                        round(float(p), 6) for p in prediction.probabilities
                    ],
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
        print(
            f"{record['file']}: {record['digit']} ({record['confidence']:.1%})"
            f"  [{probabilities}]",
            flush=True,
        )


def _info(args: argparse.Namespace) -> int:
    from importlib import metadata

    from nnpad import resources
    from nnpad.core import data, tf_env
    from nnpad.core.inference import default_model_path, load_model

    tf_env.configure_environment()

    def version(package: str) -> str:
        # The packaged app ships tensorflow-cpu, the same code under another name.
        for name in (package, f"{package}-cpu"):
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return "not installed"

    model = load_model()
    info = {
        "nnpad": __version__,
        "python": sys.version.split()[0],
        "packages": {
            name: version(name)
            for name in (
                "PySide6-Essentials",
                "tensorflow",
                "keras",
                "numpy",
                "pillow",
                "pyqtgraph",
            )
        },
        "user_data": str(resources.user_data_dir()),
        "cache": str(resources.user_cache_dir()),
        "mnist_cache": str(data.keras_cache_file()),
        "mnist_cached": data.mnist_cached(),
        "assets": str(resources.assets_dir()),
        "default_model": {
            "path": str(default_model_path()),
            "spec": model.recipe.model.describe(),
            "val_accuracy": model.val_accuracy,
            "trained_on": model.metadata.get("trained_on"),
        },
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"nnpad {info['nnpad']} on Python {info['python']}")
    for name, value in info["packages"].items():
        print(f"  {name} {value}")
    print(f"user data:     {info['user_data']}")
    print(f"cache:         {info['cache']}")
    cached = "cached" if info["mnist_cached"] else "not downloaded yet"
    print(f"MNIST (Keras): {info['mnist_cache']} ({cached})")
    print(f"assets:        {info['assets']}")
    accuracy = model.val_accuracy
    print(
        f"default model: {info['default_model']['spec']}, validation accuracy "
        + ("unknown" if accuracy is None else f"{accuracy:.2%}")
        + f" ({info['default_model']['trained_on'] or 'unknown data'})"
    )
    return 0

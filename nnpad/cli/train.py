"""``nnpad train``: train a recipe on MNIST data and save the model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from nnpad.cli.errors import CliError
from nnpad.core.progress import format_duration
from nnpad.core.recipe.presets import ALL_PRESETS
from nnpad.core.runs.curves import BatchPoint, thinned

if TYPE_CHECKING:
    from nnpad.core.progress import (
        BatchProgress,
        EpochResult,
        TrainingStarted,
        TrainResult,
    )
    from nnpad.core.recipe.spec import Recipe
    from nnpad.core.runs.diagnosis import Diagnosis


def add_parser(commands: Any) -> None:
    """Add ``train`` and its options."""
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
        help=f"one of {', '.join(ALL_PRESETS)} (default classic)",
    )
    train.add_argument(
        "--hidden",
        help="hidden layer sizes, e.g. 128,64 ('' for none: a CNN's conv layers"
        " then feed the output layer)",
    )
    train.add_argument("--activation", choices=["relu", "sigmoid", "tanh"])
    train.add_argument("--dropout", type=float)
    train.add_argument("--batch-norm", action=argparse.BooleanOptionalAction)
    train.add_argument("--l2", type=float)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--epochs", type=int)
    train.add_argument("--validation-split", type=float)
    train.add_argument("--seed", type=int)
    train.add_argument(
        "--train-samples", type=int, help="train on only the first N training images"
    )
    train.add_argument(
        "--early-stopping",
        type=int,
        dest="early_stopping_patience",
        metavar="PATIENCE",
        help="stop when the validation loss has not improved for PATIENCE epochs",
    )
    train.add_argument(
        "--restore-best-weights",
        action=argparse.BooleanOptionalAction,
        help="end with the weights of the epoch with the lowest validation loss",
    )
    _add_learning_sources(train)
    train.add_argument("--out", type=Path, help="where to save the model (.keras)")
    train.add_argument(
        "--print-spec",
        action="store_true",
        help="print the resulting spec as JSON and exit without training",
    )
    train.add_argument("--quiet", action="store_true", help="no progress display")
    train.set_defaults(run=run)


def _add_learning_sources(train: argparse.ArgumentParser) -> None:
    """What a run learns from beside its data: strokes, distortions, a teacher."""
    train.add_argument(
        "--strokes",
        type=Path,
        action="append",
        metavar="FILE.json",
        help="handwriting traced into pen strokes (a JSON strokes file) to train"
        " on as well, rendered as the canvas renders it; training side only",
    )
    train.add_argument(
        "--elastic",
        type=int,
        default=0,
        metavar="COPIES",
        help="add this many elastically distorted copies of each training digit"
        " (traced ones included; default %(default)s)",
    )
    train.add_argument(
        "--teacher",
        metavar="MODEL",
        help="learn from this model's readings as well as the labels (distillation;"
        " a .keras file, or cnn for the shipped CNN)",
    )
    train.add_argument(
        "--teacher-weight",
        type=float,
        default=0.5,
        metavar="W",
        help="share of each digit's target that is the teacher's reading"
        " (default %(default)s)",
    )


def _recipe_from_args(args: argparse.Namespace) -> Recipe:
    from nnpad.core.recipe import presets
    from nnpad.core.recipe import spec as specs

    if args.spec is not None:
        try:
            recipe = specs.Recipe.from_json(args.spec.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CliError(f"cannot read {args.spec}: {exc.strerror}") from None
    else:
        recipe = presets.preset(args.preset)
    changes: dict[str, Any] = {}
    if args.hidden is not None:
        try:
            sizes = args.hidden.split(",") if args.hidden.strip() else []
            changes["hidden"] = tuple(int(n) for n in sizes)
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
        "train_samples",
        "early_stopping_patience",
        "restore_best_weights",
    ):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    return specs.with_changes(recipe, **changes)


def run(args: argparse.Namespace) -> int:
    """Train and save; print progress on stderr and the result on stdout."""
    recipe = _recipe_from_args(args)
    if args.print_spec:
        print(recipe.to_json())
        return 0
    if args.out is None:
        raise CliError("say where to save the model with --out MODEL.keras")
    if args.out.suffix != ".keras":
        raise CliError(f"--out {args.out}: the file name must end in .keras")
    if args.elastic < 0:
        raise CliError(f"--elastic {args.elastic}: give 0 or more copies")
    from nnpad.core.data import load_source
    from nnpad.core.model import store

    data = load_source(args.data)
    print(f"data: {data.source}", file=sys.stderr)
    extra = _traced_images(args.strokes or [])
    teacher = _teacher(args)
    print(f"model: {recipe.architecture.describe()}", file=sys.stderr)
    print("loading TensorFlow...", file=sys.stderr, flush=True)
    from nnpad.core.training import outlier_exposure
    from nnpad.core.training.trainer import Trainer

    if outlier_exposure.enabled(recipe.train):
        count = recipe.train.outliers
        print(f"drawing {count:,} non-digits to learn from...", file=sys.stderr)
        outlier_exposure.training_outliers(count, recipe.train.seed)

    trainer = Trainer(
        recipe, data, extra=extra, teacher=teacher, elastic_copies=args.elastic
    )
    display = _TerminalProgress(sys.stderr, quiet=args.quiet)
    result = trainer.run(display)
    display.close()
    print(f"diagnosis: {display.diagnose(result).message}", flush=True)
    if result.keras_model is None or result.status != "finished":
        raise CliError(result.message or f"training {result.status}; nothing saved")
    trained_on = data.source
    if extra is not None:
        names = ", ".join(path.name for path in args.strokes)
        trained_on += f" + {len(extra[1]):,} traced digits ({names})"
    if args.elastic:
        copies = "copy" if args.elastic == 1 else "copies"
        trained_on += f"; {args.elastic} elastically distorted {copies} of each digit"
    if teacher is not None:
        trained_on += f"; {teacher.describe()}"
    store.save(result, args.out, trained_on=trained_on)
    if result.message:
        print(result.message)
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


def _teacher(args: argparse.Namespace) -> Any:
    """The model to learn from (`--teacher`), or None."""
    if args.teacher is None:
        return None
    from nnpad.core.model import store
    from nnpad.core.training.distillation import Teacher

    model = store.load(args.teacher)
    name = Path(args.teacher).name
    try:
        teacher = Teacher(model, name, weight=args.teacher_weight)
    except ValueError as exc:
        raise CliError(f"--teacher-weight: {exc}") from None
    print(f"teacher: {name} ({model.recipe.architecture.describe()})", file=sys.stderr)
    return teacher


def _traced_images(paths: list[Path]) -> Any:
    """The traced digits of ``paths`` as canvas renderings, or None without any."""
    if not paths:
        return None
    import numpy as np

    from nnpad.core.data.traced import canvas_images, load_traced

    digits = [digit for path in paths for digit in load_traced(path)]
    print(
        f"rendering {len(digits):,} traced digits as the canvas would...",
        file=sys.stderr,
        flush=True,
    )
    images, labels = canvas_images(digits)
    return np.asarray(images), np.asarray(labels)


class _TerminalProgress:
    """Prints training progress: one live line on a terminal, a line per epoch."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = stream.isatty() and not quiet
        self._width = 0
        self.points: list[BatchPoint] = []  # for the diagnosis at the end

    def diagnose(self, result: TrainResult) -> Diagnosis:
        """What the run's curves show, as the window says it."""
        from nnpad.core.runs.diagnosis import diagnose

        return diagnose(
            result.epochs,
            self.points,
            planned_epochs=result.recipe.train.epochs,
            status=result.status,
        )

    def started(self, info: TrainingStarted) -> None:
        self._print(
            f"training on {info.train_samples} images, validating on "
            f"{info.val_samples}; {info.epochs} epochs of {info.batches_per_epoch} "
            "batches"
        )

    def batch(self, progress: BatchProgress) -> None:
        self.points.append(BatchPoint.from_progress(progress))
        self.points = thinned(self.points, 1000)
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

"""``nnpad finetune``: fine-tune a model on a folder of my digits, keep MNIST.

``nnpad finetune --samples DIR [--model M.keras] [--data FILE] --out OUT.keras``

``DIR`` (or a .zip) holds digit folders ``0``-``9`` of PNG/JPEG images, with or
without nnpad's strokes sidecars, checked as an import is (one bad file refuses
it). Without ``--data`` the shipped MNIST sample is replayed. It prints the
accuracy on the held-out part of the samples before and after, per digit and
overall, and the MNIST check accuracy before and after (what it forgot).
TensorFlow is imported only once the samples, the model and the data have loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from nnpad.core.measure.evaluation import Evaluation
    from nnpad.core.training.finetune import FinetuneResult


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``finetune`` command to nnpad's sub-commands."""
    parser = commands.add_parser(
        "finetune",
        help="fine-tune a model on your own digits",
        description="Fine-tune a model on digit folders of your own drawings "
        "(PNG/JPEG, nnpad sidecars optional), replaying MNIST in every batch so that "
        "it does not forget it. Prints the accuracy on a held-out part of your "
        "samples and on MNIST, before and after.",
    )
    parser.add_argument(
        "--samples",
        type=Path,
        required=True,
        metavar="DIR",
        help="a folder (or .zip) of digit folders 0-9 of PNG/JPEG images",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="a .keras file, or cnn for the shipped CNN (default: the shipped FNN)",
    )
    parser.add_argument(
        "--data",
        default="sample",
        help="MNIST to replay: 'sample' (the shipped 6000 images, the default), "
        "'mnist' (Keras download or cache), an .npz file or an IDX folder",
    )
    parser.add_argument("--out", type=Path, required=True, help="new model (.keras)")
    parser.add_argument("--max-epochs", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--l2sp", type=float, help="L2-SP strength (0 turns it off)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; return the exit code (errors raise, as the other commands)."""
    from nnpad.cli.errors import CliError
    from nnpad.cli.train import _TerminalProgress
    from nnpad.core.data import load_source
    from nnpad.core.data.samples.importing import read_samples
    from nnpad.core.model.store import load as load_model
    from nnpad.core.training.finetune import FinetuneConfig, with_config

    if args.out.suffix != ".keras":
        raise CliError(f"--out {args.out}: the file name must end in .keras")
    changes = {
        name: value
        for name, value in (
            ("max_epochs", args.max_epochs),
            ("learning_rate", args.learning_rate),
            ("l2sp", args.l2sp),
            ("seed", args.seed),
        )
        if value is not None
    }
    config = with_config(FinetuneConfig(), **changes)
    samples = read_samples(args.samples)
    start = load_model(args.model)
    replay = load_source(args.data)
    counts = {d: int((samples.labels == d).sum()) for d in range(10)}
    print(
        f"samples: {len(samples.labels)} in {args.samples} "
        f"({', '.join(f'{d}: {n}' for d, n in counts.items())})",
        file=sys.stderr,
    )
    print(f"replaying: {replay.source}", file=sys.stderr)
    print("loading TensorFlow...", file=sys.stderr, flush=True)
    from nnpad.core.training.finetune import (
        FineTuner,
        save_finetuned,
        start_description,
    )

    tuner = FineTuner(start, samples.images, samples.labels, replay, config=config)
    display = _TerminalProgress(sys.stderr, quiet=args.quiet)
    result = tuner.run(display)
    display.close()
    if result.keras_model is None or result.status != "finished":
        raise CliError(result.message or f"fine-tuning {result.status}; nothing saved")
    started_from = str(args.model) if args.model else start_description(start)
    save_finetuned(
        result, args.out, started_from=started_from, samples_per_digit=counts
    )
    print(report(result))
    print(f"saved {args.out}")
    return 0


def report(result: FinetuneResult) -> str:
    """Before/after figures as a few lines of text."""
    lines = [
        f"fine-tuned on {result.train_samples} samples in {result.seconds:.1f} s"
        f" ({len(result.epochs)} epochs, the best was epoch {result.best_epoch};"
        " 0 is the starting model)"
    ]
    if result.message:
        lines.append(result.message)
    if result.mine_before is None or result.mine_after is None:
        lines.append(
            "no samples held out: a digit needs at least 3 samples to hold one out"
        )
    else:
        lines.append(f"held-out samples ({result.held_out}), before -> after:")
        lines += _table(result.mine_before, result.mine_after)
    if result.mnist_before is not None and result.mnist_after is not None:
        lines.append(f"MNIST check ({result.check_source}), before -> after:")
        lines += _table(result.mnist_before, result.mnist_after, digits=2)
    return "\n".join(lines)


def _table(before: Evaluation, after: Evaluation, digits: int = 1) -> list[str]:
    def cell(value: float | None) -> str:
        return f"{'-' if value is None else f'{value:.0%}':>6}"

    return [
        "  digit  " + "".join(f"{d:>6}" for d in range(10)),
        "  before " + "".join(cell(v) for v in before.per_class),
        "  after  " + "".join(cell(v) for v in after.per_class),
        f"  overall {before.accuracy:.{digits}%} -> {after.accuracy:.{digits}%}",
    ]

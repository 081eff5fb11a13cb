"""Fine-tuning on one writer's drawings: the gain on their other drawings, the cost.

Usage::

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_finetune.py \
        --data /path/to/mnist_train.npz [--seeds 3] [--n 2,5,10,20] [--test 100] \
        [--ablations] [--sweep] [--cli] [--set NAME=VALUE ...]

The README's figures: ``--data mnist_train.npz --seeds 3 --test 100 --ablations
--cli`` (about 15 minutes here), and ``--skip-table --sweep`` for the L2-SP strength.

A made-up writer (:data:`WRITER`) draws digits the shipped model reads worse than
the plain templates: a slashed, narrow 0, a 1 with a long flag and no base, a 2
with a loop, an open-top 4, a 6 with a big loop, a 7 with a hooked top and a
crossbar, an 8 drawn as a cross closed by a loop at the bottom, a 9 with a small
loop and a straight tail, all slanted, with a shakier hand. Every drawing is made
with mouse events on the real canvas widget (offscreen) and taken from
``canvas.drawing()``, then stored as the app stores it (:class:`SampleStore`).

A fixed test set (``--test`` per digit, its own seed) is kept apart. For each seed,
20 training drawings per digit are drawn; N = 2, 5, 10, 20 use nested subsets.
The shipped model is fine-tuned with the default settings, replaying ``--data``
(its last 10,000 images are the MNIST check set: the classic validation split the
shipped model never trained on) and we report: accuracy on the writer's test set
before -> after (overall and per digit), MNIST validation accuracy before -> after,
and the fine-tuning time in this process (the first run also pays for importing
TensorFlow; every run pays for building its compiled step, about 2 s).

``--ablations`` repeats N = 10 with every combination of the three protections
(L2-SP, replay, the MNIST term of the stopping criterion);
``--sweep`` tries several L2-SP strengths and learning rates; ``--cli`` times the
whole ``nnpad finetune`` command once (with TensorFlow's import).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from nnpad.core.data import load_file
from nnpad.core.data.samples.store import SampleStore
from nnpad.core.measure.evaluation import evaluate
from nnpad.core.model.store import load as load_model
from nnpad.core.training.finetune import (
    FinetuneConfig,
    FineTuner,
    mnist_parts,
    with_config,
)
from tests.support.handwriting import PLAIN, Style, ellipse, random_drawing

WRITER = Style(
    templates={
        0: [ellipse(0.5, 0.5, 0.25, 0.45), [(0.75, 0.1), (0.25, 0.9)]],
        1: [[(0.22, 0.36), (0.6, 0.04), (0.6, 0.96)]],
        2: [
            [
                (0.2, 0.28),
                (0.32, 0.1),
                (0.52, 0.04),
                (0.74, 0.12),
                (0.8, 0.3),
                (0.7, 0.5),
                (0.3, 0.82),
                (0.22, 0.92),
                (0.3, 0.98),
                (0.4, 0.92),
                (0.36, 0.84),
                (0.5, 0.9),
                (0.85, 0.95),
            ]
        ],
        4: [[(0.32, 0.04), (0.2, 0.6), (0.85, 0.6)], [(0.7, 0.04), (0.7, 0.96)]],
        6: [[(0.8, 0.04), (0.3, 0.35), *ellipse(0.5, 0.7, 0.3, 0.26, -math.pi / 2)]],
        7: [
            [(0.12, 0.24), (0.15, 0.07), (0.85, 0.07), (0.42, 0.96)],
            [(0.35, 0.5), (0.8, 0.5)],
        ],
        8: [
            [
                (0.8, 0.05),
                (0.2, 0.95),
                *ellipse(0.5, 0.75, 0.3, 0.22, -math.pi / 2)[:30],
            ],
            [(0.2, 0.05), (0.8, 0.95)],
        ],
        9: [
            [
                *ellipse(0.45, 0.2, 0.2, 0.17, start=math.pi / 2),
                (0.65, 0.2),
                (0.65, 0.96),
            ]
        ],
    },
    slant=0.2,
    wobble=1.3,
)
BRUSH = 18.0  # the canvas' default


class CanvasWriter:
    """Draws a style's digits on a real DrawingCanvas with mouse events."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        from nnpad.ui.drawing.canvas import DrawingCanvas

        self.app = QApplication.instance() or QApplication([])
        self.canvas = DrawingCanvas()
        self.canvas.resize(420, 420)
        self.canvas.show()
        self.app.processEvents()

    def draw(self, digit: int, rng: np.random.Generator, style: Style):
        from tests.support.canvas_input import replay

        size = rng.uniform(140.0, 210.0)
        self.canvas.clear()
        replay(self.canvas, random_drawing(digit, size, BRUSH, rng, style=style))
        return self.canvas.drawing()

    def store(self, root: Path, per_digit: int, seed: int, style: Style) -> SampleStore:
        """A sample store of ``per_digit`` drawings of each digit, as the app saves."""
        rng = np.random.default_rng(seed)
        store = SampleStore(root)
        for _ in range(per_digit):
            for digit in range(10):
                store.add(self.draw(digit, rng, style), digit)
        return store


def _per_digit(evaluation) -> str:
    return " ".join("  - " if a is None else f"{a:4.0%}" for a in evaluation.per_class)


def _row(values, decimals: int = 0) -> str:
    return " ".join(f"{v:.{decimals}%}" for v in values)


def _check_set(replay) -> tuple[np.ndarray, np.ndarray]:
    parts = mnist_parts(replay, guard=0, seed=0)
    return parts.check_x, parts.check_y


def _subset(store: SampleStore, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n samples of each digit (ids sort by time: the first drawn)."""
    images, labels = [], []
    for digit in range(10):
        for sample in store.list(digit)[:n]:
            images.append(store.image(sample))
            labels.append(digit)
    return np.stack(images), np.array(labels, dtype=np.uint8)


def run_one(start, x, y, replay, config, test_x, test_y):
    tuner = FineTuner(start, x, y, replay, config=config)
    started = time.perf_counter()
    result = tuner.run()
    seconds = time.perf_counter() - started
    after = evaluate(result.network, test_x, test_y)
    return result, after, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="mnist_train.npz (60,000)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n", default="2,5,10,20")
    parser.add_argument("--test", type=int, default=100, help="test drawings a digit")
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--ablation-n", type=int, default=10)
    parser.add_argument(
        "--l2sp",
        type=lambda t: [float(v) for v in t.split(",")],
        default=[0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0],
    )
    parser.add_argument(
        "--lr",
        type=lambda t: [float(v) for v in t.split(",")],
        default=[1e-4, 3e-4, 1e-3],
    )
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a FinetuneConfig setting for every run, e.g. --set l2sp=0.1",
    )
    args = parser.parse_args()
    ns = [int(n) for n in args.n.split(",")]
    replay = load_file(args.data)
    start = load_model()
    writer = CanvasWriter()
    work = Path(tempfile.mkdtemp(prefix="nnpad-bench-finetune-"))

    began = time.perf_counter()
    test = writer.store(work / "test", args.test, seed=12345, style=WRITER)
    plain = writer.store(work / "plain", args.test, seed=12345, style=PLAIN)
    test_x, test_y = _subset(test, args.test)
    plain_x, plain_y = _subset(plain, args.test)
    print(
        f"drew {2 * 10 * args.test} test drawings on the canvas in"
        f" {time.perf_counter() - began:.1f} s"
    )
    base_plain = evaluate(start.network, plain_x, plain_y)
    base = evaluate(start.network, test_x, test_y)
    plain_digits = _per_digit(base_plain)
    print(
        f"shipped model, plain templates: {base_plain.accuracy:.1%}  [{plain_digits}]"
    )
    print(f"shipped model, the writer:      {base.accuracy:.1%}  [{_per_digit(base)}]")

    stores = [
        writer.store(work / f"train-{seed}", max(ns), seed=seed, style=WRITER)
        for seed in range(args.seeds)
    ]
    config = with_config(
        FinetuneConfig(),
        **{
            k: int(v) if v.isdigit() else float(v)
            for k, v in (item.split("=") for item in args.set)
        },
    )
    print(f"\nsettings: {config}")
    print("N  seed  writer before -> after   MNIST val before -> after   time  epochs")
    table: dict[int, list[tuple[float, float, float]]] = {}
    digits: dict[int, list[tuple[list, list]]] = {}
    mnist_base = evaluate(start.network, *_check_set(replay))
    for n in [] if args.skip_table else ns:
        for seed, store in enumerate(stores):
            x, y = _subset(store, n)
            cfg = with_config(config, seed=seed)
            result, after, seconds = run_one(start, x, y, replay, cfg, test_x, test_y)
            mnist_b, mnist_a = result.mnist_before.accuracy, result.mnist_after.accuracy
            table.setdefault(n, []).append((after.accuracy, mnist_a, seconds))
            digits.setdefault(n, []).append(
                (after.per_class, result.mnist_after.per_class)
            )
            print(
                f"{n:<3d}{seed:<6d}{base.accuracy:6.1%} -> {after.accuracy:6.1%}"
                f"          {mnist_b:6.2%} -> {mnist_a:6.2%}"
                f"        {seconds:5.1f} s  {len(result.epochs)} (best"
                f" {result.best_epoch})"
            )
            print(f"      per digit after: [{_per_digit(after)}]")
    print("\nsummary (mean, min-max over seeds)")
    for n, rows in table.items():
        acc, mnist, secs = (np.array(col) for col in zip(*rows, strict=True))
        print(
            f"N={n:<3d} writer {base.accuracy:.1%} -> {acc.mean():.1%}"
            f" ({acc.min():.1%}-{acc.max():.1%});"
            f" MNIST val {result.mnist_before.accuracy:.2%} -> {mnist.mean():.2%}"
            f" ({mnist.min():.2%}-{mnist.max():.2%}); time {secs.mean():.1f} s"
            f" ({secs.min():.1f}-{secs.max():.1f})"
        )
        mine_digits, mnist_digits = (
            np.mean(np.array(part, dtype=float), axis=0)
            for part in zip(*digits[n], strict=True)
        )
        print(f"       writer per digit: {_row(base.per_class)} -> {_row(mine_digits)}")
        print(
            f"       MNIST per digit:  {_row(mnist_base.per_class, 1)} ->"
            f" {_row(mnist_digits, 1)}"
        )

    if args.ablations or args.sweep:
        variants = []
        if args.ablations:
            # Every combination of the three protections, then two at a higher rate.
            off_l2sp, off_replay = {"l2sp": 0.0}, {"replay_per_batch": 0}
            off_guard = {"guard_weight": 0.0}
            none = {**off_l2sp, **off_replay, **off_guard}
            variants += [
                ("all three (the default)", {}),
                ("L2-SP + replay", off_guard),
                ("L2-SP + MNIST term", off_replay),
                ("replay + MNIST term", off_l2sp),
                ("L2-SP only", {**off_replay, **off_guard}),
                ("replay only", {**off_l2sp, **off_guard}),
                ("MNIST term only", {**off_l2sp, **off_replay}),
                ("none", none),
                ("learning rate 1e-3, all three", {"learning_rate": 1e-3}),
                ("learning rate 1e-3, none", {"learning_rate": 1e-3, **none}),
            ]
        if args.sweep:
            variants += [(f"l2sp={v:g}", {"l2sp": v}) for v in args.l2sp]
            variants += [(f"lr={v:g}", {"learning_rate": v}) for v in args.lr]
        print(
            f"\nN={args.ablation_n}, mean (min-max) over {len(stores)} seeds:"
            " writer after | MNIST val after | time | epochs (best)"
        )
        for name, changes in variants:
            rows = []
            for seed, store in enumerate(stores):
                x, y = _subset(store, args.ablation_n)
                cfg = with_config(config, seed=seed, **changes)
                result, after, seconds = run_one(
                    start, x, y, replay, cfg, test_x, test_y
                )
                rows.append(
                    (
                        after.accuracy,
                        result.mnist_after.accuracy,
                        seconds,
                        len(result.epochs),
                        result.best_epoch,
                    )
                )
            acc, mnist, secs, epochs, best = (
                np.array(c) for c in zip(*rows, strict=True)
            )
            print(
                f"{name:34s} {acc.mean():6.1%} ({acc.min():.1%}-{acc.max():.1%})"
                f" | {mnist.mean():6.2%} ({mnist.min():.2%}-{mnist.max():.2%})"
                f" | {secs.mean():4.1f} s | {epochs.mean():.1f} ({best.mean():.1f})",
                flush=True,
            )

    if args.cli:
        out = work / "tuned.keras"
        command = [
            sys.executable,
            "-m",
            "nnpad",
            "finetune",
            "--samples",
            str(stores[0].root),
            "--data",
            args.data,
            "--out",
            str(out),
        ]
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        print(
            f"\n`nnpad finetune` on {10 * max(ns)} samples, whole process:"
            f" {time.perf_counter() - began:.1f} s"
        )


if __name__ == "__main__":
    main()

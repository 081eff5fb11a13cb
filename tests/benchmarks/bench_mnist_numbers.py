"""Reading numbers composed from real MNIST digits (real handwriting, pictures).

Usage: python tests/benchmarks/bench_mnist_numbers.py --data MNIST.npz
       [--split report|tune] [--count N] [--seed S] [--no-classify] [--no-pairs]
       [--show-errors M] [--threads K] [--synthetic]

``MNIST.npz`` holds ``x_train``/``y_train`` (the 60000 digits of
MNIST's training set). ``--split tune`` composes numbers from the
first 50,000 digits (what the segmenter's thresholds may be tuned on);
``--split report`` (the default) from the last 10,000, which the shipped model never
trained on: report figures from that split with a seed never used for tuning.

Numbers of 2 to 6 digits (N per length, default 200) are composed with
`tests/support/mnist_numbers.py`: digits cropped to their ink, resized to a digit
height of 20, 40, 80 or 160 px (+-8%), jittered vertically, with a person's gaps
(mostly 0.1-0.5 of the height, some tight, some overlapping in x, a few touching);
every other number is white on black, the others dark on light noisy paper. They
are read with ``segment_image(picture, classify)`` and the network's argmax of each
piece (``classify``: the shipped network's batched forward pass; ``--no-classify``:
none), with the shipped pair reader as `recognize_picture` uses it (``--no-pairs``:
without it). Printed: count right and exact per length and overall, count right by gap
kind, digit height and polarity; the same for MNIST's 28x28 frames side by side
(scales 1, 2, 4, 8); single digits through the segmenter against ``to_mnist``
alone; the time of segment + one batched read of 6-digit numbers per height.
``--synthetic`` then runs `bench_numbers` (synthetic template handwriting, drawing
and picture paths) with the same count and seed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HEIGHTS = (20, 40, 80, 160)
POLARITIES = ("light_on_dark", "dark_on_light")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="npz with x_train, y_train")
    parser.add_argument("--split", choices=("report", "tune"), default="report")
    parser.add_argument("--count", type=int, default=200, help="numbers per length")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--no-classify", action="store_true")
    parser.add_argument("--no-pairs", action="store_true", help="no pair reader")
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="OpenBLAS threads (the app uses 1)"
    )
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    if args.threads:
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    run(args)
    if args.synthetic:
        from tests.benchmarks import bench_numbers

        print("\nsynthetic handwriting (bench_numbers):")
        bench_numbers.run(
            argparse.Namespace(
                count=min(args.count, 100),
                seed=args.seed,
                paths="drawing,image",
                no_classify=args.no_classify,
                show_errors=0,
            )
        )


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from nnpad.core.model.store import load as load_model
    from nnpad.core.reading.preprocess import to_mnist
    from nnpad.core.reading.segment import segment_image
    from nnpad.core.reading.segment.pair_reader import shipped_pair_reader
    from tests.support.mnist_numbers import compose, side_by_side

    with np.load(args.data, allow_pickle=False) as data:
        x, y = data["x_train"], data["y_train"]
    lo, hi = (0, 50_000) if args.split == "tune" else (50_000, 60_000)
    x, y = x[lo:hi], y[lo:hi]
    network = load_model().network
    classify = None if args.no_classify else network.predict
    pairs = None if args.no_pairs else shipped_pair_reader()
    rng = np.random.default_rng(args.seed)

    def segment(image: np.ndarray):
        return segment_image(image, classify, pairs=pairs)

    def read(pieces) -> str:
        if not pieces:
            return ""
        probs = network.predict(np.stack([p.image for p in pieces]))
        return "".join(str(int(d)) for d in probs.argmax(axis=1))

    def number(length: int, k: int):
        idx = rng.integers(0, len(x), size=length)
        return compose(
            [x[i] for i in idx],
            [int(y[i]) for i in idx],
            rng,
            height=HEIGHTS[(k // 2) % len(HEIGHTS)],
            polarity=POLARITIES[k % 2],
        )

    print(
        f"MNIST-composed numbers, {args.split} split (digits {lo}-{hi - 1}), "
        f"{args.count} per length, seed {args.seed}, classify "
        f"{'off' if classify is None else 'with the shipped model'}, pair reader "
        f"{'off' if pairs is None or classify is None else 'on'}"
    )
    tallies: dict[str, list[int]] = {}

    def tally(key: str, ok: bool) -> None:
        t = tallies.setdefault(key, [0, 0])
        t[0] += ok
        t[1] += 1

    errors = []
    right = exact = total = 0
    for length in range(2, 7):
        r = e = 0
        for k in range(args.count):
            num = number(length, k)
            text = read(segment(num.image))
            r += len(text) == length
            e += text == num.text
            for kind in set(num.spacings):
                tally(f"with a {kind} gap", len(text) == length)
            tally(f"digit height {num.height:3d} px", len(text) == length)
            tally(num.polarity, len(text) == length)
            if text != num.text and len(errors) < args.show_errors:
                errors.append(
                    f"{num.text} read {text} ({num.height} px, "
                    f"{num.polarity}, {','.join(num.spacings)})"
                )
        right, exact, total = right + r, exact + e, total + args.count
        print(
            f"{length} digits: count right {r / args.count:6.1%}"
            f"  exact {e / args.count:6.1%}"
        )
    print(f"2-6 digits: count right {right / total:6.1%}  exact {exact / total:6.1%}")
    for key, (ok, n) in tallies.items():
        print(f"  count right {key}: {ok / n:6.1%} of {n}")
    for line in errors:
        print("  ", line)

    # MNIST's own frames side by side.
    r = e = n = 0
    for k in range(args.count):
        length = 2 + k % 5
        idx = rng.integers(0, len(x), size=length)
        image = side_by_side([x[i] for i in idx], (1, 2, 4, 8)[k % 4])
        text = read(segment(image))
        r += len(text) == length
        e += text == "".join(str(int(y[i])) for i in idx)
        n += 1
    print(
        f"28x28 frames side by side ({n}): count right {r / n:6.1%}  exact {e / n:6.1%}"
    )

    # Single digits: the segmenter against to_mnist alone.
    count = 1000
    one = same = hits = plain_hits = 0
    for k in range(count):
        i = int(rng.integers(0, len(x)))
        num = compose(
            [x[i]],
            [int(y[i])],
            rng,
            height=HEIGHTS[(k // 2) % len(HEIGHTS)],
            polarity=POLARITIES[k % 2],
        )
        pieces = segment(num.image)
        plain = to_mnist(num.image)
        one += len(pieces) == 1
        same += len(pieces) == 1 and np.array_equal(pieces[0].image, plain)
        hits += read(pieces) == num.text
        plain_hits += (
            plain is not None and int(network.predict(plain)[0].argmax()) == y[i]
        )
    print(
        f"single digits ({count}): one piece {one / count:.1%}, image identical to "
        f"to_mnist {same / count:.1%}, read {hits / count:.1%} "
        f"vs {plain_hits / count:.1%} with to_mnist alone"
    )

    if args.no_timing:
        return
    for height in HEIGHTS:
        wall = []
        for k in range(60):
            idx = rng.integers(0, len(x), size=6)
            num = compose(
                [x[i] for i in idx],
                [int(y[i]) for i in idx],
                rng,
                height=height,
                polarity=POLARITIES[k % 2],
            )
            start = time.perf_counter()
            read(segment(num.image))
            wall.append((time.perf_counter() - start) * 1e3)
        print(
            f"6 digits {height:3d} px high, segment + read: wall median "
            f"{np.median(wall):.2f} ms, p95 {np.percentile(wall, 95):.2f} ms"
        )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    main()

"""Reading whole numbers: digit count, exact number and time, drawings and pictures.

Usage: python tests/benchmarks/bench_numbers.py [--count N] [--seed S]
       [--paths drawing,image] [--no-classify] [--threads K]

Numbers of 2 to 6 digits (N per length) are composed from synthetic hand-written
digits (`tests/support/numbers.py`: three writers, one of them writing 7s and 4s in
two strokes or crossing the 7; gaps mostly normal, some tight, some overlapping in
x, a few touching) on a canvas 280 units high and as wide as needed. They are read
with the shipped model

- on the drawing path: ``segment_drawing(drawing, classify)``;
- on the image path: the drawing rendered with the brush as drawn, as white on
  black (280 px high) and as dark on light with paper noise (140 px high), every
  other number, then ``segment_image(picture, classify)``.

Printed per path and length: digit count right, whole number exact. Then single
digits through the segmenter against the plain path (``drawing_to_mnist`` and
``to_mnist`` of the picture), and the time of segment + one batched forward pass
for 6-digit numbers (median and p95). ``--threads`` sets OpenBLAS' thread count
before NumPy loads (the default leaves it to OpenBLAS).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100, help="numbers per length")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--paths", default="drawing,image")
    parser.add_argument("--no-classify", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    run(args)


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from nnpad.core.inference import load_model
    from nnpad.core.preprocess import drawing_to_mnist, to_mnist
    from nnpad.core.segment import segment_drawing, segment_image
    from tests.support.numbers import picture, random_number

    network = load_model().network
    classify = None if args.no_classify else network.predict
    paths = args.paths.split(",")
    rng = np.random.default_rng(args.seed)

    def read(pieces) -> str:
        if not pieces:
            return ""
        probs = network.predict(np.stack([p.image for p in pieces]))
        return "".join(str(int(d)) for d in probs.argmax(axis=1))

    print(
        f"{args.count} numbers per length, seed {args.seed}, "
        f"classify={'off' if classify is None else 'shipped model'}"
    )
    errors: list[str] = []
    for path in paths:
        total_count = total_exact = total = 0
        for length in range(2, 7):
            count_ok = exact = 0
            for k in range(args.count):
                digits = [int(d) for d in rng.integers(0, 10, size=length)]
                number = random_number(digits, rng)
                if path == "drawing":
                    pieces = segment_drawing(number.drawing, classify)
                else:
                    pieces = segment_image(picture(number, k, rng), classify)
                text = read(pieces)
                count_ok += len(pieces) == length
                exact += text == number.text
                if text != number.text and len(errors) < args.show_errors:
                    errors.append(
                        f"{path}: {number.text} read {text} "
                        f"({','.join(number.spacings)})"
                    )
            total_count += count_ok
            total_exact += exact
            total += args.count
            print(
                f"{path:7s} {length} digits: count right {count_ok / args.count:6.1%}"
                f"  exact {exact / args.count:6.1%}"
            )
        print(
            f"{path:7s} 2-6 digits: count right {total_count / total:6.1%}"
            f"  exact {total_exact / total:6.1%}"
        )
    for line in errors:
        print("  ", line)

    # Single digits: through the segmenter and plain, on the same drawings.
    singles = 300
    same = seg_hits = plain_hits = img_hits = img_plain_hits = one_piece = 0
    for k in range(singles):
        number = random_number([k % 10], rng)
        plain = drawing_to_mnist(number.drawing)
        pieces = segment_drawing(number.drawing, classify)
        one_piece += len(pieces) == 1
        same += len(pieces) == 1 and np.array_equal(pieces[0].image, plain)
        truth = str(k % 10)
        seg_hits += read(pieces) == truth
        plain_hits += read_one(network, plain) == truth
        bitmap = picture(number, k, rng)
        img_hits += read(segment_image(bitmap, classify)) == truth
        img_plain_hits += read_one(network, to_mnist(bitmap)) == truth
    print(
        f"single digits ({singles}): drawing one piece {one_piece / singles:.1%}, "
        f"identical image {same / singles:.1%}, accuracy {seg_hits / singles:.1%} "
        f"segmented vs {plain_hits / singles:.1%} plain; picture accuracy "
        f"{img_hits / singles:.1%} segmented vs {img_plain_hits / singles:.1%} plain"
    )

    # Time: segment + one batched forward pass, 6-digit numbers.
    for path in paths:
        samples = []
        for k in range(max(args.count, 50)):
            number = random_number([int(d) for d in rng.integers(0, 10, 6)], rng)
            source = number.drawing if path == "drawing" else picture(number, k, rng)
            start = time.perf_counter()
            if path == "drawing":
                pieces = segment_drawing(source, classify)
            else:
                pieces = segment_image(source, classify)
            read(pieces)
            samples.append((time.perf_counter() - start) * 1e3)
        ms = np.array(samples[5:])
        print(
            f"{path:7s} 6 digits, segment + read: median {np.median(ms):.2f} ms, "
            f"p95 {np.percentile(ms, 95):.2f} ms"
        )


def read_one(network, image) -> str:
    if image is None:
        return ""
    return str(int(network.predict(image)[0].argmax()))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    main()

"""Reading whole numbers: digit count, exact number and time, drawings and pictures.

Usage: python tests/benchmarks/bench_numbers.py [--count N] [--seed S]
       [--paths drawing,image] [--no-classify] [--threads K] [--show-errors M]

Numbers of 2 to 6 digits (N per length) are composed from synthetic hand-written
digits (`tests/support/numbers.py`: three writers, one writing 7s and 4s in two
strokes, one crossing the 7 and lifting the pen for the hat of the 5; gaps mostly
normal, some tight, some overlapping in x, a few touching) on a canvas 280 units
high and as wide as needed. The same numbers are read with the shipped model

- on the drawing path: ``segment_drawing(drawing, classify)``;
- on the image path: ``segment_image(picture, classify)`` of the drawing rendered
  with the brush as drawn, white on black 280 px high for every other number and
  dark grey on noisy light grey 140 px high for the others (`numbers.picture`);

``classify`` is the shipped network's batched forward pass (``--no-classify``:
none). Printed per path and length: digit count right and whole number exact,
then count right for numbers with a touching / an overlapping pair; single digits
through the segmenter against the plain path (``drawing_to_mnist`` and
``to_mnist`` of the picture); and the time of segment + one batched forward pass
of the pieces for 6-digit numbers (wall clock median and p95, and CPU time).
``--threads`` sets OpenBLAS' thread count before NumPy loads (default 1, as the app).
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
    parser.add_argument(
        "--threads", type=int, default=1, help="OpenBLAS threads (the app uses 1)"
    )
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    run(args)


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from nnpad.core.model.store import load as load_model
    from nnpad.core.reading.segment import segment_drawing, segment_image
    from tests.support.numbers import picture, random_number

    network = load_model().network
    classify = None if args.no_classify else network.predict
    rng = np.random.default_rng(args.seed)
    noise = np.random.default_rng(args.seed + 1_000_000)

    def compose(length: int, count: int) -> list:
        out = []
        for k in range(count):
            number = random_number(rng.integers(0, 10, size=length).tolist(), rng)
            out.append((number, picture(number, k, noise)))
        return out

    def segment(path: str, number, bitmap) -> list:
        if path == "drawing":
            return segment_drawing(number.drawing, classify)
        return segment_image(bitmap, classify)

    def read(pieces) -> str:
        if not pieces:
            return ""
        probs = network.predict(np.stack([p.image for p in pieces]))
        return "".join(str(int(d)) for d in probs.argmax(axis=1))

    print(
        f"{args.count} numbers per length, seed {args.seed}, classify "
        f"{'off' if classify is None else 'with the shipped model'}"
    )
    numbers = {length: compose(length, args.count) for length in range(2, 7)}
    errors: list[str] = []
    for path in args.paths.split(","):
        right = exact = 0
        kinds: dict[str, list[int]] = {"touching": [0, 0], "overlapping": [0, 0]}
        for length, batch in numbers.items():
            r = e = 0
            for number, bitmap in batch:
                text = read(segment(path, number, bitmap))
                r += len(text) == length
                e += text == number.text
                for kind, tally in kinds.items():
                    if kind in number.spacings:
                        tally[0] += len(text) == length
                        tally[1] += 1
                if text != number.text and len(errors) < args.show_errors:
                    gaps = ",".join(number.spacings)
                    errors.append(f"{path}: {number.text} read {text} ({gaps})")
            right, exact = right + r, exact + e
            print(
                f"{path:7s} {length} digits: count right {r / len(batch):6.1%}"
                f"  exact {e / len(batch):6.1%}"
            )
        total = sum(len(b) for b in numbers.values())
        print(
            f"{path:7s} 2-6 digits: count right {right / total:6.1%}"
            f"  exact {exact / total:6.1%}  ("
            + ", ".join(
                f"count right with a {kind} pair {t[0] / max(t[1], 1):.1%} of {t[1]}"
                for kind, t in kinds.items()
            )
            + ")"
        )
    for line in errors:
        print("  ", line)

    singles(network, classify, rng, noise, read)

    for path in args.paths.split(","):
        batch = compose(6, max(args.count, 100))
        wall, cpu = [], []
        for number, bitmap in batch:
            start, start_cpu = time.perf_counter(), time.process_time()
            read(segment(path, number, bitmap))
            wall.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.process_time() - start_cpu) * 1e3)
        print(
            f"{path:7s} 6 digits, segment + read: wall median "
            f"{np.median(wall):.2f} ms, p95 {np.percentile(wall, 95):.2f} ms; "
            f"CPU median {np.median(cpu):.2f} ms"
        )


def singles(network, classify, rng, noise, read, count: int = 500) -> None:
    """Single digits through the segmenter against the plain path."""
    import numpy as np

    from nnpad.core.reading.preprocess import drawing_to_mnist, to_mnist
    from nnpad.core.reading.segment import segment_drawing, segment_image
    from tests.support.numbers import picture, random_number

    one = same = hits = plain_hits = img_one = img_hits = img_plain_hits = 0
    for k in range(count):
        digit = k % 10
        number = random_number([digit], rng)
        plain = drawing_to_mnist(number.drawing)
        pieces = segment_drawing(number.drawing, classify)
        one += len(pieces) == 1
        same += len(pieces) == 1 and np.array_equal(pieces[0].image, plain)
        hits += read(pieces) == str(digit)
        plain_hits += int(network.predict(plain)[0].argmax()) == digit
        bitmap = picture(number, k, noise)
        pieces = segment_image(bitmap, classify)
        img_one += len(pieces) == 1
        img_hits += read(pieces) == str(digit)
        flat = to_mnist(bitmap)
        img_plain_hits += (
            flat is not None and network.predict(flat)[0].argmax() == digit
        )
    print(
        f"single digits ({count}): drawing one piece {one / count:.1%}, image "
        f"identical to drawing_to_mnist {same / count:.1%}, read {hits / count:.1%} "
        f"vs {plain_hits / count:.1%} plain; picture one piece {img_one / count:.1%},"
        f" read {img_hits / count:.1%} vs {img_plain_hits / count:.1%} plain"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    main()

"""Train the pair reader (`nnpad.core.reading.segment.pair_reader`) on traced digits.

Usage: python tests/benchmarks/train_pair_reader.py --strokes train_strokes.json
       [--mnist mnist_train.npz] [--check val_extra.json] [--count 120000]
       [--epochs 8] [--seed 1] [--out assets/pair_reader.npz]

``--strokes`` holds real digits of MNIST's training part traced into pen strokes
(``trace_training_strokes.py`` makes it); digits of the validation part (index
50,000 and up) are refused, so that every real-handwriting figure stays measured
on digits no network saw. The script composes marks as people write them: 40% a
digit alone, 40% two digits that touch, 10% two that overlap in x and 10% two
close together (`tests.support.real_strokes.real_number`), renders each as a
picture, white on black or grey on noisy paper (`tests.support.numbers.picture`),
and fits the mark's ink into 28x56 as the splitter does. A small CNN learns to
read each as one of 110 classes (a digit alone, or a left-right pair), and its
weights are written as plain arrays (``.npz``), atomically.

``--mnist`` adds marks composed from MNIST's training pictures
(`tests.support.mnist_numbers.compose`, 20-160 px high, either polarity), half of
all: trained on traced strokes alone, the reader split single MNIST pictures of 0s
and 4s.

``--check`` (for example the 8,000 validation digits ``trace_training_strokes.py
--start 50000 --skip`` traces) measures the reader on marks of digits it never saw.
The shipped reader: ``--strokes train_strokes.json --mnist mnist_train.npz --check
val_extra.json --count 160000``, about 20 minutes on 2 cores (5 to compose, 14 to
train). Of 6,000 check marks, 96.1% read right (all 110 classes); at the
splitter's thresholds, 0.04% of single digits are taken for two (0.98) and 0.06% of
pairs for one (below 0.1); 0.97% of pairs fall between, where the shape rules decide.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# (kind, share): a digit alone, or two with `tests.support.numbers.SPACINGS` gaps.
KINDS = (("alone", 0.4), ("touching", 0.4), ("overlapping", 0.1), ("tight", 0.1))
CHUNK = 5000
TRAINING_PART = 50_000  # MNIST's first 50,000: never its validation part


def compose(source: str, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` mark images ``(n, 28, 56)`` and their classes, from one seed.

    ``source`` is a strokes file (rendered as `tests.support.numbers.picture`
    does) or an MNIST ``.npz`` (its first 50,000 pictures composed by
    `tests.support.mnist_numbers.compose`, 20-160 px high, either polarity).
    """
    from nnpad.core.reading.preprocess import find_ink
    from nnpad.core.reading.segment.pair_reader import MARK_SHAPE, mark_image
    from nnpad.core.reading.segment.picture import with_faint_edge

    draw = _mnist_marks(source) if source.endswith(".npz") else _stroke_marks(source)
    rng = np.random.default_rng(seed)
    names = [k for k, _ in KINDS]
    shares = np.array([s for _, s in KINDS])
    images = np.zeros((count, *MARK_SHAPE), dtype=np.float32)
    classes = np.zeros(count, dtype=np.int32)
    for i in range(count):
        kind = names[int(rng.choice(len(names), p=shares))]
        picture, labels = draw(rng, 1 if kind == "alone" else 2, kind)
        classes[i] = labels[0] if len(labels) == 1 else 10 + 10 * labels[0] + labels[1]
        found = find_ink(picture)
        assert found is not None
        ink, level = found
        image = mark_image(with_faint_edge(ink, ink >= level, level))
        assert image is not None
        images[i] = image
    return images, classes


def _stroke_marks(path: str):
    """Marks of traced digits: ``draw(rng, n, spacing) -> (picture, labels)``."""
    from nnpad.core.data.traced import load_traced
    from tests.support.numbers import picture
    from tests.support.real_strokes import real_number

    pool = load_traced(path)

    def draw(rng: np.random.Generator, n: int, kind: str):
        digits = [pool[int(j)] for j in rng.integers(0, len(pool), size=n)]
        number = real_number(digits, rng, spacing=None if n == 1 else kind)
        return picture(number, int(rng.integers(2)), rng), [d.label for d in digits]

    return draw


def _mnist_marks(path: str):
    """Marks of MNIST pictures (the training part only), as `_stroke_marks`."""
    from tests.benchmarks.bench_mnist_numbers import HEIGHTS, POLARITIES
    from tests.support.mnist_numbers import compose as compose_mnist

    with np.load(path, allow_pickle=False) as data:
        x, y = data["x_train"][:TRAINING_PART], data["y_train"][:TRAINING_PART]

    def draw(rng: np.random.Generator, n: int, kind: str):
        idx = rng.integers(0, len(x), size=n)
        labels = [int(y[i]) for i in idx]
        number = compose_mnist(
            [x[i] for i in idx],
            labels,
            rng,
            height=int(rng.choice(HEIGHTS)),
            polarity=POLARITIES[int(rng.integers(2))],
            spacing=None if n == 1 else kind,
        )
        return number.image, labels

    return draw


def composed(sources: list[str], count: int, seed: int) -> tuple[np.ndarray, ...]:
    """`compose` in chunks of CHUNK, the sources in turn, one process per core."""
    chunks = -(-count // CHUNK)
    seeds = [seed * 1000 + k for k in range(chunks)]
    sizes = [min(CHUNK, count - k * CHUNK) for k in range(chunks)]
    names = [sources[k % len(sources)] for k in range(chunks)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        parts = list(pool.map(compose, names, sizes, seeds))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def check_training_part(strokes: str) -> None:
    """Refuse digits of the validation part (index 50,000 and up)."""
    from nnpad.core.data.traced import load_traced

    late = [d.index for d in load_traced(strokes) if d.index >= TRAINING_PART]
    if late:
        raise SystemExit(
            f"{strokes} holds {len(late)} digits of the validation part "
            f"(e.g. #{late[0]}); train on the training part only"
        )


def build(seed: int):
    """The CNN, in Keras: the layers `PairReader.load` rebuilds in NumPy."""
    import keras
    from keras import layers

    from nnpad.core.reading.segment.pair_reader import CLASSES, MARK_SHAPE

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((*MARK_SHAPE, 1))])
    for filters in (32, 64, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(CLASSES, activation="softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def export(model, out: Path) -> None:
    """The weights as the ``.npz`` `PairReader.load` reads, written atomically."""
    from nnpad.core.files import atomic_path
    from nnpad.core.reading.segment.pair_reader import FORMAT

    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT)}
    kinds = {"Conv2D": "conv", "Dense": "dense"}
    seen = {"conv": 0, "dense": 0}
    for layer in model.layers:
        kind = kinds.get(type(layer).__name__)
        if kind is None:
            continue
        kernel, bias = layer.get_weights()
        arrays[f"{kind}{seen[kind]}_kernel"] = kernel.astype(np.float32)
        arrays[f"{kind}{seen[kind]}_bias"] = bias.astype(np.float32)
        seen[kind] += 1
    with atomic_path(out, suffix=".npz") as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)


def report(out: Path, images: np.ndarray, classes: np.ndarray) -> None:
    """How the exported reader (in NumPy) does on the check marks."""
    from nnpad.core.reading.segment.pair_reader import PairReader
    from nnpad.core.reading.segment.split import PAIR_ONE, PAIR_TWO

    probs = PairReader.load(out).probabilities(images)
    two = probs[:, 10:].sum(axis=1)
    pairs = classes >= 10
    right = np.mean(probs.argmax(axis=1) == classes)
    print(f"check marks: {len(classes)}")
    print(f"  read right (110 classes): {100 * right:.2f}%")
    print(
        f"  single digits taken for two: {100 * np.mean(two[~pairs] >= PAIR_TWO):.2f}%"
    )
    print(f"  pairs taken for one digit:   {100 * np.mean(two[pairs] < PAIR_ONE):.2f}%")
    between = (two[pairs] >= PAIR_ONE) & (two[pairs] < PAIR_TWO)
    print(f"  pairs left to the shape rules: {100 * np.mean(between):.2f}%")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", required=True, help="traced training digits")
    parser.add_argument("--mnist", help="mnist_train.npz: its pictures as well")
    parser.add_argument("--check", help="traced digits to measure on (never trained)")
    parser.add_argument("--count", type=int, default=120_000)
    parser.add_argument("--check-count", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("assets/pair_reader.npz"))
    args = parser.parse_args(argv)

    check_training_part(args.strokes)
    sources = [args.strokes, *([args.mnist] if args.mnist else [])]
    images, classes = composed(sources, args.count, args.seed)
    check = None
    if args.check:
        check = composed([args.check], args.check_count, args.seed + 1)
    print(f"composed {len(classes)} marks", flush=True)

    import keras

    model = build(args.seed)
    # Adam at 1e-3 for four epochs, then 0.6 times less each epoch.
    schedule = keras.callbacks.LearningRateScheduler(
        lambda epoch: 1e-3 * 0.6 ** max(0, epoch - 3)
    )
    model.fit(
        images[..., None],
        classes,
        batch_size=128,
        epochs=args.epochs,
        validation_data=None if check is None else (check[0][..., None], check[1]),
        callbacks=[schedule],
        verbose=2,
    )
    export(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    if check is not None:
        report(args.out, *check)


if __name__ == "__main__":
    main()

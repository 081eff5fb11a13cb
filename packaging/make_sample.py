"""Make ``assets/mnist_sample.npz`` from the MNIST training set (see MNIST_SAMPLE.md).

Usage: python packaging/make_sample.py MNIST_TRAIN.npz [--out assets/mnist_sample.npz]

The training side is 600 images per digit from the first 50,000 images; the held-out
side (``x_test``/``y_test``) is 100 per digit from the last 10,000, the classic
validation split that the shipped model never trains on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from nnpad.core.data import load_npz, subset_balanced
from nnpad.core.files import atomic_path

TRAIN_SEED = 20240501
HELD_OUT_SEED = 20261130


def main() -> None:
    """Write the sample (atomically) and say what it holds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist_train", type=Path)
    parser.add_argument("--out", type=Path, default=Path("assets/mnist_sample.npz"))
    args = parser.parse_args()
    data = load_npz(args.mnist_train)
    x, y = data.x_train, data.y_train
    if len(x) != 60_000:
        raise SystemExit(f"expected the 60000-image training set, got {len(x)}")
    x_train, y_train = subset_balanced(x[:50_000], y[:50_000], 600, TRAIN_SEED)
    x_test, y_test = subset_balanced(x[50_000:], y[50_000:], 100, HELD_OUT_SEED)
    with atomic_path(args.out, suffix=".npz") as tmp:
        np.savez_compressed(
            tmp, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test
        )
    print(f"{args.out}: {len(x_train)} training and {len(x_test)} held-out images")


if __name__ == "__main__":
    main()

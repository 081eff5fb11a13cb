"""The NumPy forward pass of a CNN: one digit, a batch of 6, a large batch.

Usage: python tests/benchmarks/bench_cnn_inference.py [--model FILE.keras]
       [--threads N] [--repeats N]

By default Keras' ``mnist_convnet`` (the ``cnn`` preset, 34,826 parameters) with
random weights, built without TensorFlow: the timing does not depend on the weights.
Targets: at most 1 ms per digit and 3 ms for a batch of 6 (a number being written),
on one BLAS thread as nnpad runs (``OPENBLAS_NUM_THREADS=1``, nnpad/__init__.py).
Also timed: every layer's activations and the saliency of one digit (what the window
computes on each reading), and throughput on 1000 images (chunked).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.model.network import Network


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a .keras file (default: see above)")
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS threads (default 1, as nnpad)"
    )
    parser.add_argument("--repeats", type=int, default=1000)
    return parser.parse_args()


def random_convnet() -> Network:
    """``mnist_convnet`` with Glorot-like random weights, in NumPy only."""
    import numpy as np

    from nnpad.core.model.network import DenseBlock, Network, feature_layer
    from nnpad.core.recipe.conv_spec import Conv2D
    from nnpad.core.recipe.presets import cnn

    rng = np.random.default_rng(0)
    spec = cnn().architecture
    features, channels = [], 1
    for layer in spec.conv:
        arrays = []
        if isinstance(layer, Conv2D):
            k, n = layer.kernel_size, layer.filters
            scale = np.sqrt(2.0 / (k * k * channels))
            arrays = [rng.normal(0, scale, (k, k, channels, n)), np.zeros(n)]
            arrays = [a.astype(np.float32) for a in arrays]
            channels = n
        feature = feature_layer(layer, arrays)
        if feature is not None:
            features.append(feature)
    kernel = rng.normal(0, 0.03, (1600, 10)).astype(np.float32)
    output = DenseBlock(kernel, np.zeros(10, np.float32), "softmax")
    return Network(spec, [output], features)


def timed(label: str, run: Callable[[], object], repeats: int) -> float:
    """Print and return the median milliseconds of ``run``."""
    import numpy as np

    for _ in range(max(10, repeats // 20)):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    ms = np.array(samples) * 1e3
    median = float(np.median(ms))
    print(f"{label:44s} median {median:7.3f} ms  p95 {np.percentile(ms, 95):7.3f} ms")
    return median


def main() -> None:
    args = parse_args()
    # Before NumPy is imported: BLAS reads it once.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np

    from nnpad.core.model import store
    from nnpad.core.reading.explain import saliency

    network = random_convnet() if args.model is None else store.load(args.model).network
    print(f"model: {network.architecture.describe()}")
    print(f"BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    rng = np.random.default_rng(1)
    one = rng.random((28, 28), dtype=np.float32)
    six = rng.random((6, 28, 28), dtype=np.float32)
    many = rng.random((1000, 28, 28), dtype=np.float32)
    digit = timed("forward pass, one digit", lambda: network.predict(one), args.repeats)
    batch = timed(
        "forward pass, a batch of 6", lambda: network.predict(six), args.repeats
    )
    timed(
        "every layer's activations, one digit",
        lambda: network.activations(one),
        args.repeats,
    )
    acts = network.activations(one)
    timed(
        "saliency of one digit (activations given)",
        lambda: saliency(network, one, 3, activations=acts),
        args.repeats,
    )
    thousand = timed("forward pass, 1000 digits", lambda: network.predict(many), 5)
    print(f"throughput: {1000 / thousand * 1e3:,.0f} digits/s")
    verdict = "met" if digit <= 1.0 and batch <= 3.0 else "NOT met"
    print(f"targets (1 ms a digit, 3 ms for 6): {verdict}")


if __name__ == "__main__":
    main()

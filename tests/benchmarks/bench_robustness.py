"""Why the shipped network is not the classic one: accuracy under distortions.

Usage: python tests/benchmarks/bench_robustness.py --data mnist_train.npz

Trains the classic preset (5 epochs) on the first 50,000 images and compares it with
the shipped default model on the held-out last 10,000, as they are and distorted the
way drawn digits differ from MNIST: rotated, shifted, and both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad


def distort(
    images: np.ndarray, rotation: float, shift: float, seed: int = 0
) -> np.ndarray:
    """Rotate each image by up to +-rotation degrees and shift it up to +-shift px."""
    rng = np.random.default_rng(seed)
    out = np.empty_like(images)
    for i, image in enumerate(images):
        angle = rng.uniform(-rotation, rotation)
        dx, dy = rng.uniform(-shift, shift, size=2)
        moved = Image.fromarray(image).rotate(
            angle, resample=Image.Resampling.BILINEAR, translate=(dx, dy)
        )
        out[i] = np.asarray(moved)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    args = parser.parse_args()

    # After the arguments: the trainer imports TensorFlow (seconds; --help is instant).
    from nnpad.core.data import load_file, split_validation
    from nnpad.core.measure.evaluation import evaluate
    from nnpad.core.model import store
    from nnpad.core.recipe.presets import classic
    from nnpad.core.recipe.spec import with_changes
    from nnpad.core.training.trainer import Trainer

    data = load_file(args.data)
    recipe = with_changes(classic(), validation_split=1 / 6)
    result = Trainer(recipe, data).run()
    assert result.network is not None
    networks = {
        "classic 128-64 (5 epochs)": result.network,
        "shipped default": store.load().network,
    }
    _, _, x_val, y_val = split_validation(data.x_train, data.y_train, 1 / 6)
    sets = {
        "held-out as is": x_val,
        "rotated +-15 deg": distort(x_val, 15, 0),
        "shifted +-3 px": distort(x_val, 0, 3),
        "rotated and shifted": distort(x_val, 15, 3),
    }
    print(f"{'':28s}" + "".join(f"{name:>22s}" for name in sets))
    for name, network in networks.items():
        row = [evaluate(network, x, y_val).accuracy for x in sets.values()]
        print(f"{name:28s}" + "".join(f"{acc:>22.2%}" for acc in row))


if __name__ == "__main__":
    main()

"""Set two trained feedforward networks side by side as one (`nnpad.core.model.merge`).

Usage: python tests/benchmarks/merge_networks.py FIRST.keras SECOND.keras
       --data mnist_train.npz --out MERGED.keras

The merged network's logits are the mean of the two networks' (an ensemble of two),
and it is one plain feedforward network: two 512-256 networks make a 1024-512 one,
whose hidden layers hold both networks' neurons. Its validation accuracy is measured
on the last 10,000 images of ``--data`` (the validation part neither network trained
on). The verdict's temperature and thresholds are not carried over, since they
belonged to each network alone: fit them again with ``bench_rejection.py --store``.
The shipped FNN is the shipped model of the commands in the README and its elastic
twin side by side.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# What belonged to each network alone, and is measured again for the merged one.
NOT_CARRIED = ("verdict", "verdict_fitted_on", "train_seconds", "saved")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--data", required=True, help="the MNIST file (.npz)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from nnpad.core import tf_env
    from nnpad.core.data import load_source, split_validation
    from nnpad.core.model import store
    from nnpad.core.model.merge import side_by_side

    first, second = store.load(args.first), store.load(args.second)
    try:
        network = side_by_side(first.network, second.network)
    except ValueError as exc:
        print(f"cannot merge: {exc}", file=sys.stderr)
        return 2
    data = load_source(args.data)
    _, _, x_val, y_val = split_validation(
        data.x_train, data.y_train, first.recipe.train.validation_split
    )
    images = x_val.astype(np.float32) / 255.0

    def accuracy_of(net: Any) -> float:
        return float((net.logits(images).argmax(axis=1) == y_val).mean())

    accuracy = accuracy_of(network)
    recipe = replace(first.recipe, architecture=network.architecture)
    metadata = {k: v for k, v in first.metadata.items() if k not in NOT_CARRIED}
    metadata.update(
        recipe=recipe.to_dict(),
        val_accuracy=accuracy,
        trained_on=(
            f"two networks side by side, the mean of their logits: {args.first.name}"
            f" ({first.metadata.get('trained_on')}) and {args.second.name}"
            f" ({second.metadata.get('trained_on')})"
        ),
    )
    tf_env.keras()
    from nnpad.core.model import keras_bridge

    keras_bridge.write(keras_bridge.from_network(network), recipe, args.out, metadata)
    print(
        f"{network.architecture.describe()}: validation accuracy {accuracy:.2%}"
        f" ({len(y_val):,} images); saved {args.out}"
    )
    for name, model in (("first", first), ("second", second)):
        print(f"  {name} alone: {accuracy_of(model.network):.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``nnpad info``: versions, folders and the default model."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from nnpad import __version__

if TYPE_CHECKING:
    import argparse


def add_parser(commands: Any) -> None:
    """Add ``info`` and its options."""
    info = commands.add_parser("info", help="versions, folders and the default model")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print what is installed and where nnpad keeps its files."""
    from importlib import metadata

    from nnpad import resources
    from nnpad.core import data, tf_env
    from nnpad.core.model import store

    tf_env.configure_environment()

    def version(package: str) -> str:
        # The packaged app ships tensorflow-cpu, the same code under another name.
        for name in (package, f"{package}-cpu"):
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return "not installed"

    shipped = {name: _shipped(name) for name in store.SHIPPED}
    info: dict[str, Any] = {
        "nnpad": __version__,
        "python": sys.version.split()[0],
        "packages": {
            name: version(name)
            for name in (
                "PySide6-Essentials",
                "tensorflow",
                "keras",
                "numpy",
                "pillow",
                "pyqtgraph",
            )
        },
        "user_data": str(resources.user_data_dir()),
        "cache": str(resources.user_cache_dir()),
        "mnist_cache": str(data.keras_cache_file()),
        "mnist_cached": data.mnist_cached(),
        "assets": str(resources.assets_dir()),
        "default_model": shipped["fnn"],
        "shipped_models": shipped,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"nnpad {info['nnpad']} on Python {info['python']}")
    for name, value in info["packages"].items():
        print(f"  {name} {value}")
    print(f"user data:     {info['user_data']}")
    print(f"cache:         {info['cache']}")
    cached = "cached" if info["mnist_cached"] else "not downloaded yet"
    print(f"MNIST (Keras): {info['mnist_cache']} ({cached})")
    print(f"assets:        {info['assets']}")
    for name, model in shipped.items():
        label = f"{name} (--model {name})" + (": default" if name == "fnn" else ":")
        if "missing" in model:
            print(f"{label:<22} not installed ({model['path']} is missing)")
            continue
        accuracy = model["val_accuracy"]
        print(
            f"{label:<22} {model['spec']}, validation accuracy "
            + ("unknown" if accuracy is None else f"{accuracy:.2%}")
            + f" ({model['trained_on'] or 'unknown data'})"
        )
    return 0


def _shipped(name: str) -> dict[str, Any]:
    """What is known of the shipped network ``name``, or that it is missing."""
    from nnpad.core.model import store

    path = store.shipped_path(name)
    if not path.is_file():
        return {"path": str(path), "missing": True}
    model = store.load(path)
    return {
        "path": str(path),
        "spec": model.recipe.architecture.describe(),
        "val_accuracy": model.val_accuracy,
        "trained_on": model.metadata.get("trained_on"),
    }

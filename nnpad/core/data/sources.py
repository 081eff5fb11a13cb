"""Where training data comes from: the shipped sample, Keras' MNIST, local files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from nnpad import resources
from nnpad.core.data.dataset import DataError, Dataset
from nnpad.core.data.idx import load_idx, looks_like_idx
from nnpad.core.data.keras_mnist import load_keras_mnist
from nnpad.core.data.npz import load_npz

if TYPE_CHECKING:
    import os


def load_file(path: str | os.PathLike[str]) -> Dataset:
    """Load a local data file or folder: ``.npz``, an IDX folder or an IDX file.

    Files with other names are recognised by their first bytes.

    Raises
    ------
    DataError
        If the path does not exist or holds nothing nnpad can use.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        return load_idx(path)
    if path.suffix.lower() != ".npz" and looks_like_idx(path):
        return load_idx(path)
    return load_npz(path)


def load_sample() -> Dataset:
    """Load the MNIST sample shipped with nnpad (6000 training, 1000 held out)."""
    try:
        path = resources.asset(resources.SAMPLE_DATA)
    except FileNotFoundError as exc:
        raise DataError(str(exc)) from exc
    data = load_npz(path)
    held_out = 0 if data.x_test is None else len(data.x_test)
    source = f"shipped sample ({len(data)} training, {held_out} held-out images)"
    return replace(data, source=source)


def load_source(name: str) -> Dataset:
    """Load ``"sample"``, ``"mnist"`` (Keras' download) or a local file or folder."""
    if name == "sample":
        return load_sample()
    if name == "mnist":
        return load_keras_mnist()
    return load_file(name)

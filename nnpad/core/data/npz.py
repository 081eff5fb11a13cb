"""NumPy ``.npz`` archives of MNIST-style arrays."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nnpad.core.data.dataset import DataError, Dataset, make_dataset, validate_arrays

if TYPE_CHECKING:
    import os

# (images key, labels key, side); the first pair found for a side wins.
_NPZ_KEYS = (
    ("x_train", "y_train", "train"),
    ("x_test", "y_test", "test"),
    ("x", "y", "train"),
    ("images", "labels", "train"),
)

# Everything np.load and reading a member can raise on a damaged or foreign file.
_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


def load_npz(path: str | os.PathLike[str]) -> Dataset:
    """Load a NumPy ``.npz`` archive of MNIST-style arrays.

    The archive needs ``x_train`` and ``y_train``, optionally with ``x_test`` and
    ``y_test``. A file with only ``x_test``/``y_test`` becomes the training side with
    no test set. ``x``/``y`` or ``images``/``labels`` are accepted in place of
    ``x_train``/``y_train``. Pickled (object) arrays are refused.

    Raises
    ------
    DataError
        If the file is missing, is not an ``.npz`` archive, or its arrays are wrong.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if not head:
            raise DataError(f"{name}: the file is empty")
        if not head.startswith(b"PK"):
            raise DataError(
                f"{name}: not an .npz archive (NumPy's zip of arrays); it may be "
                "damaged or a different kind of file"
            )
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            for x_key, y_key, side in _NPZ_KEYS:
                if side in pairs or (x_key not in keys and y_key not in keys):
                    continue
                if x_key not in keys or y_key not in keys:
                    have, lack = (x_key, y_key) if x_key in keys else (y_key, x_key)
                    raise DataError(f"{name}: has {have} but no {lack}")
                pairs[side] = validate_arrays(
                    _read_member(archive, x_key, name),
                    _read_member(archive, y_key, name),
                    name,
                    x_key=x_key,
                    y_key=y_key,
                )
    except DataError:
        raise
    except _READ_ERRORS as exc:
        raise DataError(
            f"{name}: could not be read as an .npz archive; it may be damaged or "
            f"incomplete ({exc})"
        ) from exc
    if not pairs:
        found = ", ".join(sorted(keys)) or "nothing"
        raise DataError(
            f"{name}: holds {found} but nnpad needs arrays named x_train and y_train "
            "(optionally x_test and y_test)"
        )
    return make_dataset(name, pairs.get("train"), pairs.get("test"))


def _read_member(archive: np.lib.npyio.NpzFile, key: str, name: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as exc:
        if "pickle" in str(exc):
            raise DataError(
                f"{name}: {key} is stored as pickled Python objects, which nnpad does "
                "not load for safety; save plain numeric arrays instead"
            ) from exc
        raise

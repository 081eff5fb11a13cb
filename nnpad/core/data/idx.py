"""MNIST in the IDX format of the MNIST web site (gzipped or not)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from nnpad.core.data.dataset import DataError, Dataset, make_dataset, validate_arrays
from nnpad.core.recipe.spec import INPUT_SHAPE

if TYPE_CHECKING:
    import os

IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension

_IDX_PREFIXES = {"train": "train", "test": "t10k"}


Side = Literal["images", "labels"]
"""The two files of an IDX pair."""


def _idx_names(prefix: str, kind: Side) -> list[str]:
    """Return the accepted names of one IDX file, most usual first."""
    dims = "idx3" if kind == "images" else "idx1"
    stems = [f"{prefix}-{kind}-{dims}-ubyte", f"{prefix}-{kind}.{dims}-ubyte"]
    return [stem + ext for ext in ("", ".gz") for stem in stems]


def _find(folder: Path, names: list[str]) -> Path | None:
    return next((folder / n for n in names if (folder / n).is_file()), None)


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Parse one IDX file (optionally gzipped) into a uint8 array."""
    name = path.name
    kind = "images" if magic == IDX_IMAGES_MAGIC else "labels"
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{name}: could not be read or unzipped ({exc})") from exc
    if len(raw) < 4:
        raise DataError(f"{name}: too short to be an IDX {kind} file")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        hint = ""
        if found in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC):
            other = "images" if found == IDX_IMAGES_MAGIC else "labels"
            article = "an" if other == "images" else "a"
            hint = f"; it looks like {article} {other} file"
        raise DataError(
            f"{name}: not an IDX {kind} file (magic number 0x{found:08x}, expected "
            f"0x{magic:08x}){hint}"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name}: the IDX header is truncated")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = int(np.prod(dims, dtype=np.int64))
    actual = len(raw) - header
    if actual != expected:
        shape = " x ".join(str(d) for d in dims)
        problem = "is truncated" if actual < expected else "has extra bytes at the end"
        raise DataError(
            f"{name}: {problem}: the header promises {shape} values ({expected} bytes) "
            f"but the file holds {actual}"
        )
    if kind == "images" and dims[1:] != INPUT_SHAPE:
        raise DataError(
            f"{name}: holds images of {dims[1]}x{dims[2]} pixels but MNIST images are "
            "28x28"
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims)


def _load_idx_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    x = _read_idx(images, IDX_IMAGES_MAGIC)
    y = _read_idx(labels, IDX_LABELS_MAGIC)
    name = f"{images.name} + {labels.name}"
    return validate_arrays(x, y, name, x_key=images.name, y_key=labels.name)


def _partner(path: Path) -> tuple[Path, Path]:
    """Return (images, labels) for one IDX file whose partner lies beside it."""
    name = path.name
    for prefix in ("train", "t10k"):
        pairs: tuple[tuple[Side, Side], ...] = (
            ("images", "labels"),
            ("labels", "images"),
        )
        for kind, other in pairs:
            if name in _idx_names(prefix, kind):
                found = _find(path.parent, _idx_names(prefix, other))
                if found is None:
                    wanted = _idx_names(prefix, other)[0]
                    raise DataError(
                        f"{name}: its {other} file ({wanted}, optionally .gz) is not "
                        f"beside it in {path.parent}"
                    )
                return (path, found) if kind == "images" else (found, path)
    # Unusual names: swap the words that differ between the two files.
    swaps = (("images", "labels"), ("idx3", "idx1"))
    if "images" in name or "idx3" in name:
        other_name = name
        for a, b in swaps:
            other_name = other_name.replace(a, b)
        partner = path.with_name(other_name)
        if partner.is_file():
            return path, partner
        raise DataError(f"{name}: its labels file ({other_name}) is not beside it")
    raise DataError(
        f"{name}: not a recognised IDX file name; expected names like "
        "train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz"
    )


def load_idx(path: str | os.PathLike[str]) -> Dataset:
    """Load MNIST in the IDX format of the MNIST web site.

    ``path`` is either a folder holding ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte`` (each optionally ``.gz``, and ``.idx3-ubyte`` spellings
    accepted), or one images (or labels) file whose partner lies beside it. A folder
    with only the ``t10k`` pair, or a single file pair, gives a dataset with no test
    set.

    Raises
    ------
    DataError
        If files are missing, damaged or hold the wrong kind of data.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_file():
        first, second = _partner(path)
        return make_dataset(first.name, _load_idx_pair(first, second), None)

    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for side, prefix in _IDX_PREFIXES.items():
        images = _find(path, _idx_names(prefix, "images"))
        labels = _find(path, _idx_names(prefix, "labels"))
        if images is None and labels is None:
            continue
        if images is None or labels is None:
            have = next(p for p in (images, labels) if p is not None)
            lack = _idx_names(prefix, "images" if images is None else "labels")[0]
            raise DataError(
                f"{path.name}: has {have.name} but not {lack} (optionally .gz)"
            )
        pairs[side] = _load_idx_pair(images, labels)
    if not pairs:
        raise DataError(
            f"{path}: holds no MNIST IDX files; expected train-images-idx3-ubyte and "
            "train-labels-idx1-ubyte (optionally .gz, plus the t10k test pair)"
        )
    return make_dataset(f"{path.name}/", pairs.get("train"), pairs.get("test"))


def looks_like_idx(path: Path) -> bool:
    """Whether a file is an IDX file, by its name or its first bytes."""
    if "idx1" in path.name or "idx3" in path.name:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as f:
                head = f.read(4)
    except (OSError, EOFError, zlib.error):
        return False
    return int.from_bytes(head, "big") in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC)

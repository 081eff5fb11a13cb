"""MNIST sources for training and evaluation, every one of them checked.

A source is the shipped sample, Keras' MNIST download, an ``.npz`` file or the four IDX
files from the MNIST site. Whatever the source, :class:`Dataset` holds uint8 images of
shape ``(N, 28, 28)`` (0 background, 255 ink) and uint8 labels 0-9; anything else raises
:class:`DataError` with a message meant for a person, not a traceback.

A file holding only test arrays (``x_test``/``y_test``, or only the ``t10k-*`` IDX
files) becomes the dataset's *training* side with no test side: the caller asked for
those images, and reporting them as a separate test set would suggest a held-out score
that does not exist. Evaluation uses the test side if there is one, else the training
side.

TensorFlow is imported only by :func:`load_keras_mnist`, and only when MNIST is not
already in the Keras cache.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nnpad import resources
from nnpad.core import tf_env

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension

_IDX_PREFIXES = {"train": "train", "test": "t10k"}

_LOCAL_FILE_HELP = (
    "an .npz file with x_train and y_train arrays, or a folder holding the four IDX "
    "files from the MNIST site (train-images-idx3-ubyte.gz, "
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)"
)


class DataError(ValueError):
    """A data file or source nnpad cannot use; the message says which and why."""


class OfflineError(DataError):
    """MNIST is not in the Keras cache and could not be downloaded."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Checked MNIST-style data.

    Attributes
    ----------
    x_train, y_train
        Images ``(N, 28, 28)`` uint8 and labels ``(N,)`` uint8, N >= 1.
    x_test, y_test
        The same for a test set, or both ``None``.
    source
        Where the data came from, for people (e.g. ``"shipped sample (6000 images)"``).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if (self.x_test is None) != (self.y_test is None):
            raise ValueError("x_test and y_test must both be given or both be None")

    @property
    def has_test(self) -> bool:
        """Whether the dataset has a separate test set."""
        return self.x_test is not None

    def __len__(self) -> int:
        return len(self.x_train)


def validate_arrays(
    x: np.ndarray,
    y: np.ndarray,
    name: str,
    *,
    x_key: str = "images",
    y_key: str = "labels",
) -> tuple[np.ndarray, np.ndarray]:
    """Check images and labels and return them as uint8 arrays.

    Images may be ``(N, 28, 28)``, ``(N, 28, 28, 1)`` or flat ``(N, 784)``; integer
    pixels must lie in 0..255. Float pixels may not be NaN or negative: if the largest
    is at most 1 the images are taken as 0..1 and scaled to 0..255, otherwise as
    0..255; either way they are rounded. Labels must be whole numbers 0-9, one per
    image.

    Parameters
    ----------
    x, y
        Images and labels.
    name
        The file or source, used to start every error message.
    x_key, y_key
        What the arrays are called in that file, for the messages.

    Returns
    -------
    tuple of numpy.ndarray
        Contiguous uint8 images ``(N, 28, 28)`` and labels ``(N,)``.

    Raises
    ------
    DataError
        If anything is wrong; the message names the file, the array and the problem.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    n = len(x) if x.ndim else 0

    rows, cols = IMAGE_SHAPE
    if x.ndim == 2 and x.shape[1] == rows * cols:
        x = x.reshape(n, rows, cols)
    elif x.ndim == 4 and x.shape[1:] == (rows, cols, 1):
        x = x.reshape(n, rows, cols)
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise DataError(
            f"{name}: {x_key} has shape {x.shape} but images must be (N, 28, 28) "
            "(or (N, 784) flattened)"
        )
    if n == 0:
        raise DataError(f"{name}: {x_key} holds no images")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        hint = " (one-hot labels are not supported)" if y.shape[-1:] == (10,) else ""
        raise DataError(
            f"{name}: {y_key} has shape {y.shape} but labels must be one digit per "
            f"image, shape (N,){hint}"
        )
    if len(y) != n:
        raise DataError(f"{name}: {x_key} holds {n} images but {y_key} holds {len(y)}")

    return _checked_pixels(x, name, x_key), _checked_labels(y, name, y_key)


def _checked_pixels(x: np.ndarray, name: str, key: str) -> np.ndarray:
    if x.dtype.kind in "ui":
        low, high = int(x.min()), int(x.max())
        if low < 0 or high > 255:
            raise DataError(
                f"{name}: {key} has pixel values from {low} to {high} but they must "
                "lie in 0..255"
            )
        return np.ascontiguousarray(x, dtype=np.uint8)
    if x.dtype.kind == "f":
        if not np.isfinite(x).all():
            bad = int(np.count_nonzero(~np.isfinite(x)))
            raise DataError(f"{name}: {key} has {bad} pixel values that are NaN or inf")
        low, high = float(x.min()), float(x.max())
        if low < 0 or high > 255:
            raise DataError(
                f"{name}: {key} has pixel values from {low:g} to {high:g} but they "
                "must lie in 0..1 or 0..255"
            )
        scale = 255.0 if high <= 1.0 else 1.0
        return np.rint(x * scale).astype(np.uint8)
    raise DataError(
        f"{name}: {key} holds {_dtype_words(x.dtype)} but pixels must be integers or "
        "floats"
    )


def _dtype_words(dtype: np.dtype) -> str:
    words = {"U": "text", "S": "bytes", "O": "Python objects", "b": "true/false values"}
    return words.get(dtype.kind, f"values of type {dtype}")


def _checked_labels(y: np.ndarray, name: str, key: str) -> np.ndarray:
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or not np.array_equal(y, np.floor(y)):
            raise DataError(f"{name}: {key} has labels that are not whole numbers")
    elif y.dtype.kind not in "ui":
        raise DataError(
            f"{name}: {key} holds {_dtype_words(y.dtype)} but labels must be digits 0-9"
        )
    low, high = y.min(), y.max()
    if low < 0 or high >= NUM_CLASSES:
        bad = y[(y < 0) | (y >= NUM_CLASSES)][0]
        raise DataError(
            f"{name}: {key} contains the label {bad:g} but labels must be digits 0-9"
        )
    return np.ascontiguousarray(y, dtype=np.uint8)


def _describe(name: str, n_train: int, n_test: int | None) -> str:
    if n_test is None:
        return f"{name} ({n_train} images)"
    return f"{name} ({n_train} training, {n_test} test images)"


def _dataset(
    name: str,
    train: tuple[np.ndarray, np.ndarray] | None,
    test: tuple[np.ndarray, np.ndarray] | None,
) -> Dataset:
    # Test-only files become the training side; see the module docstring.
    if train is None:
        if test is None:
            raise DataError(f"{name}: holds no images")
        train, test = test, None
    return Dataset(
        x_train=train[0],
        y_train=train[1],
        x_test=None if test is None else test[0],
        y_test=None if test is None else test[1],
        source=_describe(name, len(train[0]), None if test is None else len(test[0])),
    )


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
    return _dataset(name, pairs.get("train"), pairs.get("test"))


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


def _idx_names(prefix: str, kind: str) -> list[str]:
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
    if kind == "images" and dims[1:] != IMAGE_SHAPE:
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
        for kind, other in (("images", "labels"), ("labels", "images")):
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
        other = path.with_name(other_name)
        if other.is_file():
            return path, other
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
        images, labels = _partner(path)
        return _dataset(images.name, _load_idx_pair(images, labels), None)

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
    return _dataset(f"{path.name}/", pairs.get("train"), pairs.get("test"))


def _looks_like_idx(path: Path) -> bool:
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
    if path.suffix.lower() != ".npz" and _looks_like_idx(path):
        return load_idx(path)
    return load_npz(path)


def load_sample() -> Dataset:
    """Load the class-balanced MNIST sample shipped with nnpad (6000 images)."""
    try:
        path = resources.asset(resources.SAMPLE_DATA)
    except FileNotFoundError as exc:
        raise DataError(str(exc)) from exc
    data = load_npz(path)
    return replace(data, source=f"shipped sample ({len(data)} images)")


def keras_cache_file() -> Path:
    """Where Keras keeps the downloaded ``mnist.npz``, found without importing Keras."""
    tf_env.configure_environment()
    return Path(os.environ["KERAS_HOME"]).expanduser() / "datasets" / "mnist.npz"


def mnist_cached() -> bool:
    """Whether the full MNIST is already downloaded, so loading it needs no network."""
    return keras_cache_file().is_file()


def load_keras_mnist() -> Dataset:
    """Load the full MNIST (60000 training, 10000 test images) through Keras.

    A cached download is read directly, without importing TensorFlow; otherwise
    ``keras.datasets.mnist.load_data()`` downloads it into the cache.

    Raises
    ------
    OfflineError
        If MNIST is not cached and the download fails; the message explains how to
        supply a local file instead.
    """
    cache = keras_cache_file()
    name = "MNIST from the Keras cache"
    if cache.is_file():
        try:
            data = load_npz(cache)
        except DataError:
            pass  # damaged: Keras checks the hash and downloads it again
        else:
            n_test = len(data.x_test) if data.x_test is not None else None
            return replace(data, source=_describe(name, len(data), n_test))
    keras = tf_env.keras()
    try:
        # Keras silently falls back to /tmp/.keras when KERAS_HOME does not exist.
        cache.parent.parent.mkdir(parents=True, exist_ok=True)
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras raises a bare Exception when offline
        raise OfflineError(
            f"MNIST is not in nnpad's cache ({cache}) and could not be downloaded "
            f"({exc}). Connect to the internet and try again, or train on a local "
            f"copy: {_LOCAL_FILE_HELP}, e.g. `nnpad train --data FILE`."
        ) from exc
    train = validate_arrays(x_train, y_train, name, x_key="x_train", y_key="y_train")
    test = validate_arrays(x_test, y_test, name, x_key="x_test", y_key="y_test")
    return _dataset(name, train, test)


def load_source(name: str) -> Dataset:
    """Load ``"sample"``, ``"mnist"`` (Keras' download) or a local file or folder."""
    if name == "sample":
        return load_sample()
    if name == "mnist":
        return load_keras_mnist()
    return load_file(name)


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out the last ``round(len(x) * fraction)`` examples for validation.

    Like Keras' ``validation_split`` the tail is held out, so for the MNIST training
    file the held-out part is its classic last-10000 validation set. At least one
    training example always remains.

    Returns
    -------
    tuple of numpy.ndarray
        ``x_train, y_train, x_val, y_val``; the validation arrays are empty for 0.
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {fraction}")
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x has {n} examples but y has {len(y)}")
    n_val = min(round(n * fraction), max(n - 1, 0))
    cut = n - n_val
    return x[:cut], y[:cut], x[cut:], y[cut:]


def subset_balanced(
    x: np.ndarray, y: np.ndarray, per_class: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``per_class`` random examples of each digit, in shuffled order.

    The same inputs and ``seed`` always give the same subset and order.

    Raises
    ------
    ValueError
        If some digit has fewer than ``per_class`` examples.
    """
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in range(NUM_CLASSES):
        (where,) = np.nonzero(y == digit)
        if len(where) < per_class:
            raise ValueError(
                f"digit {digit} has only {len(where)} examples, fewer than {per_class}"
            )
        chosen.append(rng.choice(where, size=per_class, replace=False))
    order = rng.permutation(np.concatenate(chosen))
    return x[order], y[order]

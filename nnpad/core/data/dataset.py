"""Checked MNIST-style arrays: :class:`Dataset`, validation and splitting.

Whatever the source, a :class:`Dataset` holds uint8 images of shape ``(N, 28, 28)``
(0 background, 255 ink) and uint8 labels 0-9; anything else raises
:class:`DataError` with a message meant for a person, not a traceback.

A file holding only test arrays (``x_test``/``y_test``, or only the ``t10k-*`` IDX
files) becomes the dataset's *training* side with no test side: the caller asked for
those images, and reporting them as a separate test set would suggest a held-out score
that does not exist. Evaluation uses the test side if there is one, else the training
side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnpad.core.recipe.spec import INPUT_SHAPE, NUM_CLASSES


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
        Where the data came from, for people (e.g. ``"mnist.npz (60000 images)"``).
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

    rows, cols = INPUT_SHAPE
    if x.ndim == 2 and x.shape[1] == rows * cols:
        x = x.reshape(n, rows, cols)
    elif x.ndim == 4 and x.shape[1:] == (rows, cols, 1):
        x = x.reshape(n, rows, cols)
    if x.ndim != 3 or x.shape[1:] != INPUT_SHAPE:
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
        least, most = float(x.min()), float(x.max())
        if least < 0 or most > 255:
            raise DataError(
                f"{name}: {key} has pixel values from {least:g} to {most:g} but they "
                "must lie in 0..1 or 0..255"
            )
        scale = 255.0 if most <= 1.0 else 1.0
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


def describe(name: str, n_train: int, n_test: int | None) -> str:
    """``"name (N images)"`` or ``"name (N training, M test images)"``."""
    if n_test is None:
        return f"{name} ({n_train} images)"
    return f"{name} ({n_train} training, {n_test} test images)"


def make_dataset(
    name: str,
    train: tuple[np.ndarray, np.ndarray] | None,
    test: tuple[np.ndarray, np.ndarray] | None,
) -> Dataset:
    """A dataset named after ``name`` from checked pairs (test-only: see above)."""
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
        source=describe(name, len(train[0]), None if test is None else len(test[0])),
    )


VALIDATION_PART = 1 / 6
"""The share of a training file held out for validation by default: for MNIST's
training file, its classic last 10,000 images (the shipped model never trained on
them)."""


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

"""MNIST sources for training and evaluation, every one of them checked.

A source is the shipped sample, Keras' MNIST download, an ``.npz`` file or the four
IDX files from the MNIST site; each has its module, and all give a checked
:class:`~nnpad.core.data.dataset.Dataset`. The names most callers need are here.
"""

from nnpad.core.data.dataset import (
    VALIDATION_PART,
    DataError,
    Dataset,
    OfflineError,
    split_validation,
    subset_balanced,
    validate_arrays,
)
from nnpad.core.data.idx import load_idx
from nnpad.core.data.keras_mnist import keras_cache_file, load_keras_mnist, mnist_cached
from nnpad.core.data.npz import load_npz
from nnpad.core.data.sources import load_file, load_sample, load_source

__all__ = [
    "VALIDATION_PART",
    "DataError",
    "Dataset",
    "OfflineError",
    "keras_cache_file",
    "load_file",
    "load_idx",
    "load_keras_mnist",
    "load_npz",
    "load_sample",
    "load_source",
    "mnist_cached",
    "split_validation",
    "subset_balanced",
    "validate_arrays",
]

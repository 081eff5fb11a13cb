"""MNIST through Keras: its download, or its cache read without TensorFlow.

TensorFlow is imported only when MNIST is not already in the Keras cache.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from nnpad.core import tf_env
from nnpad.core.data.dataset import (
    DataError,
    Dataset,
    OfflineError,
    describe,
    make_dataset,
    validate_arrays,
)
from nnpad.core.data.npz import load_npz

LOCAL_FILE_HELP = (
    "an .npz file with x_train and y_train arrays, or a folder holding the four IDX "
    "files from the MNIST site (train-images-idx3-ubyte.gz, "
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)"
)


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
            return replace(data, source=describe(name, len(data), n_test))
    keras = tf_env.keras()
    try:
        # Keras silently falls back to /tmp/.keras when KERAS_HOME does not exist.
        cache.parent.parent.mkdir(parents=True, exist_ok=True)
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras raises a bare Exception when offline
        raise OfflineError(
            f"MNIST is not in nnpad's cache ({cache}) and could not be downloaded "
            f"({exc}). Connect to the internet and try again, or train on a local "
            f"copy: {LOCAL_FILE_HELP}, e.g. `nnpad train --data FILE`."
        ) from exc
    train = validate_arrays(x_train, y_train, name, x_key="x_train", y_key="y_train")
    test = validate_arrays(x_test, y_test, name, x_key="x_test", y_key="y_test")
    return make_dataset(name, train, test)

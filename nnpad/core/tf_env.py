"""Import Keras lazily, with the environment it reads at import time set first.

``import tensorflow`` costs 8-10 s and 600 MB, so nothing on the path to the window or
the first prediction calls :func:`keras`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from nnpad.resources import user_cache_dir


def configure_environment() -> None:
    """Set the variables Keras and TensorFlow read when first imported.

    ``KERAS_HOME`` is where ``keras.datasets.mnist`` caches its download; nnpad keeps it
    in its own cache folder unless the person set it.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("KERAS_HOME", str(user_cache_dir() / "keras"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def keras_loaded() -> bool:
    """Whether Keras (and so TensorFlow) has been imported in this process."""
    return "keras" in sys.modules


def keras() -> Any:
    """Return the ``keras`` module, importing it on first use."""
    configure_environment()
    import keras as keras_module

    return keras_module

"""Import Keras lazily, with the environment it reads at import time set first.

``import tensorflow`` costs 8-10 s and 600 MB, so nothing on the path to the window or
the first prediction calls :func:`keras`.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import nullcontext
from typing import Any

from nnpad.core import native_log
from nnpad.resources import user_cache_dir

_first_import = threading.Lock()
_imported: list[bool] = []  # [True] once Keras was imported through keras()


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
    """Return the ``keras`` module, importing it on first use.

    The first import happens with TensorFlow's start-up notices filtered out of the
    terminal (:mod:`nnpad.core.native_log`), device discovery included, which is
    where the CUDA notices come from.
    """
    configure_environment()
    with _first_import:
        if not _imported:
            quiet = native_log.filtered() if native_log.wanted() else nullcontext()
            with quiet:
                import keras as keras_module
                import tensorflow as tf

                tf.config.list_physical_devices()
            _imported.append(True)
    import keras as keras_module

    return keras_module

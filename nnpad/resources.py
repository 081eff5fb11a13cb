"""The one place that finds ``assets/`` and the user's folders.

``assets/`` lives at the top of a checkout, is force-included as ``nnpad/assets`` in the
wheel, and is collected as ``assets/`` next to the executable in a frozen app.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

APP_NAME = "nnpad"

DEFAULT_MODEL = "default_model.keras"
CNN_MODEL = "cnn_model.keras"
SAMPLE_DATA = "mnist_sample.npz"
ICON_PNG = "nnpad.png"
ICON_SVG = "nnpad.svg"


@cache
def assets_dir() -> Path:
    """Return the folder holding the shipped assets (frozen app, wheel or checkout)."""
    package = Path(__file__).resolve().parent
    candidates = [package / "assets", package.parent / "assets"]
    if getattr(sys, "frozen", False):
        bundle = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        candidates.insert(0, bundle / "assets")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "nnpad's assets folder is missing; looked in "
        + ", ".join(str(c) for c in candidates)
    )


def asset(name: str) -> Path:
    """Return the path of one shipped asset."""
    return assets_dir() / name


def user_data_dir() -> Path:
    """Folder for the person's models and settings (``NNPAD_HOME`` overrides it)."""
    override = os.environ.get("NNPAD_HOME")
    if override:
        return Path(override) / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_cache_dir() -> Path:
    """Folder for downloads such as Keras' MNIST cache (``NNPAD_HOME`` overrides it)."""
    override = os.environ.get("NNPAD_HOME")
    if override:
        return Path(override) / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)

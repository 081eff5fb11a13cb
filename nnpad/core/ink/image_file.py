"""Image files: read any picture Pillow opens as a grayscale array for `to_mnist`."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageOps

from nnpad.core.reading.preprocess import to_gray

__all__ = ["load_image"]


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as a uint8 ``(H, W)`` grayscale array.

    EXIF orientation is applied. Transparent pixels become paper, as in `to_mnist`:
    the colour of the opaque border, or, on a transparent canvas, white behind dark
    content and black behind light content. 16-bit images are scaled to 8 bits.

    Raises
    ------
    ValueError
        ``"cannot read image PATH: reason"`` for a missing, unreadable, corrupt or
        non-image file.
    """
    if not isinstance(path, str | bytes | os.PathLike):
        raise ValueError(f"cannot read image {path!r}: not a file path")
    try:
        with Image.open(path) as opened:
            img = ImageOps.exif_transpose(opened)
            return _image_to_gray(img)
    except Exception as exc:  # Pillow's decoders raise all sorts on corrupt files.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        why = str(reason) or type(exc).__name__
        raise ValueError(f"cannot read image {os.fsdecode(path)}: {why}") from exc


def _image_to_gray(img: Image.Image) -> np.ndarray:
    bands = img.getbands()
    if "A" in bands or "a" in bands or "transparency" in img.info:
        rgba = np.asarray(img.convert("RGBA"))
        return to_gray(rgba, "auto")
    if img.mode.startswith("I") or img.mode == "F":
        arr = np.asarray(img)
        if arr.dtype.kind in "iu" and arr.size and int(arr.max()) > 255:
            arr = (np.clip(arr, 0, 65535) / 257.0).astype(np.float32)
            return (arr + 0.5).astype(np.uint8)
        return to_gray(arr, "auto")
    return np.array(img.convert("L"), dtype=np.uint8)

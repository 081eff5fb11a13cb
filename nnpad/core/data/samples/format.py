"""The files of one sample: the strokes sidecar (JSON) and the 28x28 PNG.

A sidecar (format version 1)::

    {"format": "nnpad-sample", "version": 1, "created": "2026-05-09T11:20:00+00:00",
     "source": "drawing", "canvas_size": 280.0,
     "strokes": [{"points": [[x, y], ...], "width": 18.0, "erase": false}, ...]}

Points and widths are in canvas units (:data:`nnpad.core.ink.strokes.CANVAS_SIZE`). A
sample made from a picture has ``"source": "image"``, ``"strokes": null`` and
``"original"``, the file it came from. The label is not in the sidecar: the folder
is the label. Readers refuse a newer version with a message rather than guess.

The image is 8-bit grayscale, white ink on black, as MNIST.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageOps

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke
from nnpad.core.reading.preprocess import to_mnist

if TYPE_CHECKING:
    from pathlib import Path

FORMAT = "nnpad-sample"
FORMAT_VERSION = 1
IMAGE_SIDE = 28
# Sidecars are a few kB; anything much larger is not one of ours.
MAX_SIDECAR_BYTES = 4 << 20
MAX_SIDECAR_POINTS = 200_000
MAX_IMAGE_PIXELS = 40_000_000  # decoded size: a guard against decompression bombs


class SamplesError(ValueError):
    """Something about my samples went wrong; the message is for people."""


class CorruptSampleError(SamplesError):
    """A sample's file is damaged or is not an nnpad sample."""


DIGITS = tuple(range(10))

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")


@dataclass(frozen=True)
class Sample:
    """One stored sample: its id, its digit and where its files are."""

    id: str
    label: int
    image_path: Path

    @property
    def sidecar_path(self) -> Path:
        """The strokes sidecar (it may not exist)."""
        return self.image_path.with_suffix(".json")


@dataclass(frozen=True, eq=False)
class SampleArrays:
    """Images and labels ready for training, and the samples that could not be read.

    ``images`` is uint8 ``(N, 28, 28)`` (0 background, 255 ink) and ``labels`` uint8
    ``(N,)``, in the order of ``samples``; ``skipped`` holds one message per sample
    left out.
    """

    images: np.ndarray
    labels: np.ndarray
    samples: list[Sample]
    skipped: list[str]


def new_id() -> str:
    """A new sample id: UTC time (so ids sort by age) and 8 random hex digits."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def is_valid_id(text: str) -> bool:
    """Whether ``text`` can be a sample id (letters, digits, ``-``, ``_``)."""
    return bool(_ID.fullmatch(text))


def check_label(label: object) -> int:
    """Return ``label`` as an int digit, or raise SamplesError."""
    if isinstance(label, bool) or not isinstance(label, int | np.integer):
        raise SamplesError(f"a label must be a digit 0-9, not {label!r}")
    if not 0 <= int(label) <= 9:
        raise SamplesError(f"a label must be a digit 0-9, not {label}")
    return int(label)


@dataclass(frozen=True)
class SampleInfo:
    """What a sidecar says: the strokes (None for an imported picture) and when."""

    drawing: Drawing | None
    created: str | None
    source: str  # "drawing" or "image"
    original: str | None = None  # the file an imported picture came from


def now_iso() -> str:
    """The current UTC time as written in sidecars."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def drawing_sidecar(drawing: Drawing, created: str | None = None) -> dict[str, Any]:
    """The sidecar of a drawn sample (non-finite points, never drawn, are dropped)."""
    strokes = []
    for stroke in drawing.strokes:
        points = [
            [x, y] for x, y in stroke.points if math.isfinite(x) and math.isfinite(y)
        ]
        strokes.append({"points": points, "width": stroke.width, "erase": stroke.erase})
    return {
        **_header("drawing", created),
        "canvas_size": CANVAS_SIZE,
        "strokes": strokes,
    }


def image_sidecar(original: str, created: str | None = None) -> dict[str, Any]:
    """The sidecar of a sample imported from a picture: no strokes."""
    return {**_header("image", created), "original": original, "strokes": None}


def _header(source: str, created: str | None) -> dict[str, Any]:
    """What every sidecar starts with."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": created or now_iso(),
        "source": source,
    }


def parse_sidecar(raw: bytes, name: str) -> tuple[dict[str, Any], SampleInfo]:
    """Check a sidecar's bytes; return its JSON and what it says.

    Raises
    ------
    CorruptSampleError
        With ``name`` and the reason, for anything that is not a valid sidecar.
    """

    def bad(why: str) -> CorruptSampleError:
        return CorruptSampleError(f"the strokes file {name} is damaged: {why}")

    if len(raw) > MAX_SIDECAR_BYTES:
        raise bad("it is far too large to be a sample's strokes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad("it is not an nnpad sample file")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise bad("its format version is missing or invalid")
    if version > FORMAT_VERSION:
        raise CorruptSampleError(
            f"the strokes file {name} was written by a newer nnpad (format"
            f" {version}); update nnpad to read it"
        )
    created = data.get("created")
    if created is not None and not isinstance(created, str):
        raise bad("its time is not text")
    original = data.get("original")
    if original is not None and not isinstance(original, str):
        raise bad("its original file name is not text")
    strokes = data.get("strokes")
    if strokes is None:
        return data, SampleInfo(None, created, "image", original)
    return data, SampleInfo(_parse_strokes(strokes, bad), created, "drawing")


def _parse_strokes(strokes: Any, bad: Any) -> Drawing:
    if not isinstance(strokes, list):
        raise bad("its strokes are not a list")
    parsed = []
    total = 0
    for index, stroke in enumerate(strokes, start=1):
        if not isinstance(stroke, dict):
            raise bad(f"stroke {index} is not an object")
        points = stroke.get("points")
        width = stroke.get("width")
        erase = stroke.get("erase", False)
        if not isinstance(points, list) or not isinstance(erase, bool):
            raise bad(f"stroke {index} has no list of points or a bad erase flag")
        total += len(points)
        if total > MAX_SIDECAR_POINTS:
            raise bad("it holds far too many points")
        for point in points:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(
                    isinstance(v, int | float)
                    and not isinstance(v, bool)
                    and math.isfinite(v)
                    for v in point
                )
            ):
                raise bad(f"stroke {index} has a point that is not two numbers")
        if isinstance(width, bool) or not isinstance(width, int | float):
            raise bad(f"stroke {index} has no pen width")
        try:
            parsed.append(Stroke(tuple(map(tuple, points)), float(width), erase))
        except ValueError as exc:
            raise bad(f"stroke {index}: {exc}") from None
    return Drawing(tuple(parsed))


# -- images ---------------------------------------------------------------------------


def encode_png(image: np.ndarray) -> bytes:
    """28x28 image (floats 0..1 or uint8 0..255) -> 8-bit grayscale PNG bytes."""
    array = np.asarray(image)
    if array.shape != (IMAGE_SIDE, IMAGE_SIDE):
        raise SamplesError(f"a sample image must be 28x28, not {array.shape}")
    if array.dtype != np.uint8:
        array = (np.clip(array.astype(np.float64), 0.0, 1.0) * 255.0 + 0.5).astype(
            np.uint8
        )
    buffer = io.BytesIO()
    Image.fromarray(array, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def decode_sample_png(raw: bytes, name: str) -> np.ndarray:
    """PNG bytes of a stored sample -> uint8 (28, 28); CorruptSampleError if not."""
    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.format != "PNG":
                raise CorruptSampleError(f"{name} is not a PNG image")
            if img.size != (IMAGE_SIDE, IMAGE_SIDE):
                raise CorruptSampleError(
                    f"{name} is {img.width}x{img.height}, not a 28x28 sample image"
                )
            return np.array(img.convert("L"), dtype=np.uint8)
    except CorruptSampleError:
        raise
    except Exception as exc:  # Pillow raises many kinds on damaged files
        raise CorruptSampleError(f"{name} is not a readable image ({exc})") from None


def picture_to_mnist(
    raw: bytes, name: str, max_pixels: int = MAX_IMAGE_PIXELS
) -> np.ndarray:
    """A PNG/JPEG picture of a digit, any size -> 28x28 floats, as opened images are."""
    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise CorruptSampleError(f"{name}: not a PNG or JPEG image")
            if img.width * img.height > max_pixels:
                raise CorruptSampleError(
                    f"{name}: {img.width}x{img.height} pixels is too large an image"
                )
            upright: Image.Image = ImageOps.exif_transpose(img)
            transparent = "A" in upright.getbands() or "transparency" in upright.info
            if transparent:
                array = np.asarray(upright.convert("RGBA"))
            elif upright.mode.startswith("I"):  # 16-bit grayscale
                array = np.asarray(upright).astype(np.uint16)
            else:
                array = np.asarray(upright.convert("L"))
    except CorruptSampleError:
        raise
    except Exception as exc:  # Pillow raises many kinds on damaged files
        raise CorruptSampleError(f"{name}: not a readable image ({exc})") from None
    result = to_mnist(array)
    if result is None:
        raise CorruptSampleError(f"{name}: no digit found (the image has no ink)")
    return result

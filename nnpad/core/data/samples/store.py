"""The person's labelled drawings ("my samples"), stored where other tools read them.

Layout under the store's root (the app passes ``<user data>/samples``)::

    0/ 1/ ... 9/              one folder per digit, all ten always present
    <digit>/<id>.png          the 28x28 image the network received: 8-bit grayscale,
                              white ink on black as in MNIST
    <digit>/<id>.json         the sidecar: the strokes (points, widths, erase flags),
                              a format version and the time

This is the layout Keras' ``image_dataset_from_directory`` reads (its class names are
the sorted folder names, so the ten folders give labels 0-9; it ignores the sidecars
and the hidden temporary files of interrupted writes). The folder is the label: a
sidecar does not repeat it, so relabelling moves two files and edits none.

A sample imported from a picture (no strokes) has a sidecar too, with
``"source": "image"``, ``"strokes": null`` and the file it came from, so an export
and a re-import give back the same bytes. A PNG with no sidecar at all (a file
copied in by hand, or a relabel cut short by a crash) is listed as a sample without
strokes.

Every file is written atomically (:func:`nnpad.core.files.atomic_path`), the sidecar
first and the PNG last: a sample exists once its PNG is in place, so a crash or a
full disk in the middle of a write leaves no half sample, and never touches the
samples saved before. A sidecar left without its PNG is ignored.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nnpad.core.data.samples.format import (
    DIGITS,
    CorruptSampleError,
    Sample,
    SampleArrays,
    SampleInfo,
    SamplesError,
    check_label,
    decode_sample_png,
    drawing_sidecar,
    encode_png,
    is_valid_id,
    new_id,
    parse_sidecar,
)
from nnpad.core.files import atomic_path
from nnpad.core.ink.strokes import Drawing
from nnpad.core.reading.preprocess import drawing_to_mnist

__all__ = [
    "DIGITS",
    "CorruptSampleError",
    "Sample",
    "SampleArrays",
    "SampleInfo",
    "SampleStore",
    "SamplesError",
]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file (see nnpad.core.files)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


# -- the store ------------------------------------------------------------------------


class SampleStore:
    """My samples under ``root`` (created with its ten digit folders on first write).

    Listing reads only folder entries; images and sidecars are read when asked for,
    so a damaged file affects its own sample only.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def folder(self, label: int) -> Path:
        """The folder of one digit."""
        return self.root / str(check_label(label))

    def ensure_layout(self) -> None:
        """Create the root and all ten digit folders."""
        for digit in DIGITS:
            (self.root / str(digit)).mkdir(parents=True, exist_ok=True)

    # -- reading ---------------------------------------------------------------------

    def list(self, label: int | None = None) -> list[Sample]:
        """Samples of one digit, or of all, oldest first within each digit."""
        digits = DIGITS if label is None else (check_label(label),)
        samples = []
        for digit in digits:
            folder = self.root / str(digit)
            try:
                entries = list(os.scandir(folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name
                # Hidden names are temporary files of writes in progress or cut short.
                if name.startswith(".") or not name.lower().endswith(".png"):
                    continue
                if entry.is_file():
                    samples.append(Sample(Path(name).stem, digit, Path(entry.path)))
        return samples

    def counts(self) -> dict[int, int]:
        """Number of samples per digit (every digit present, 0 when none)."""
        found = dict.fromkeys(DIGITS, 0)
        for sample in self.list():
            found[sample.label] += 1
        return found

    def count(self, label: int | None = None) -> int:
        """Number of samples of one digit, or of all."""
        return len(self.list(label))

    def find(self, sample_id: str) -> Sample:
        """The sample with this id; KeyError if there is none."""
        if is_valid_id(sample_id):
            for digit in DIGITS:
                path = self.root / str(digit) / f"{sample_id}.png"
                if path.is_file():
                    return Sample(sample_id, digit, path)
        raise KeyError(sample_id)

    def image(self, sample: Sample) -> np.ndarray:
        """The sample's 28x28 uint8 image; CorruptSampleError if it is damaged."""
        name = self._name(sample)
        try:
            raw = sample.image_path.read_bytes()
        except FileNotFoundError:
            raise SamplesError(f"sample {name} no longer exists") from None
        except OSError as exc:
            raise SamplesError(f"cannot read {name}: {exc.strerror or exc}") from None
        return decode_sample_png(raw, name)

    def info(self, sample: Sample) -> SampleInfo:
        """What the sidecar says; a sample without one counts as a picture.

        Raises
        ------
        CorruptSampleError
            If the sidecar is damaged (the sample's image stays usable).
        """
        path = sample.sidecar_path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return SampleInfo(None, None, "image")
        except OSError as exc:
            raise SamplesError(f"cannot read {path.name}: {exc.strerror}") from None
        return parse_sidecar(raw, f"{sample.label}/{path.name}")[1]

    def drawing(self, sample: Sample) -> Drawing | None:
        """The sample's strokes (None for a picture); CorruptSampleError if damaged."""
        return self.info(sample).drawing

    def load(self, label: int | None = None) -> SampleArrays:
        """Every readable sample as arrays; unreadable ones are skipped and named."""
        images, labels, kept, skipped = [], [], [], []
        for sample in self.list(label):
            try:
                images.append(self.image(sample))
            except SamplesError as exc:
                skipped.append(str(exc))
                continue
            labels.append(sample.label)
            kept.append(sample)
        x = np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
        return SampleArrays(x, np.array(labels, dtype=np.uint8), kept, skipped)

    # -- writing ---------------------------------------------------------------------

    def add(
        self, drawing: Drawing, label: int, *, image: np.ndarray | None = None
    ) -> Sample:
        """Store a labelled drawing and return it.

        ``image`` is the 28x28 image the network saw (default: rendered now with
        :func:`~nnpad.core.reading.preprocess.drawing_to_mnist`).

        Raises
        ------
        SamplesError
            If the drawing has no ink, the label is not a digit, or the files cannot
            be written (the samples saved before are untouched).
        """
        label = check_label(label)
        if not isinstance(drawing, Drawing):
            raise SamplesError(f"expected a Drawing, got {type(drawing).__name__}")
        if image is None:
            image = drawing_to_mnist(drawing)
            if image is None:
                raise SamplesError("the drawing has no ink: nothing to save")
        return self.write(label, new_id(), encode_png(image), drawing_sidecar(drawing))

    def write(
        self, label: int, sample_id: str, png: bytes, sidecar: dict[str, Any]
    ) -> Sample:
        """Write one sample's files (sidecar, then PNG); clean up if that fails."""
        label = check_label(label)
        if not is_valid_id(sample_id):
            raise SamplesError(f"{sample_id!r} is not a valid sample id")
        self.ensure_layout()
        sample = Sample(sample_id, label, self.folder(label) / f"{sample_id}.png")
        if sample.image_path.exists() or sample.sidecar_path.exists():
            raise SamplesError(f"a sample {sample_id} already exists under {label}")
        text = json.dumps(sidecar, indent=1, allow_nan=False).encode("utf-8")
        try:
            write_atomic(sample.sidecar_path, text)
            write_atomic(sample.image_path, png)
        except OSError as exc:
            sample.sidecar_path.unlink(missing_ok=True)
            raise SamplesError(_write_failure(exc)) from exc
        except BaseException:
            sample.sidecar_path.unlink(missing_ok=True)
            raise
        return sample

    def delete(self, sample: Sample) -> None:
        """Remove a sample (its PNG first, so it is gone even if the rest fails)."""
        try:
            sample.image_path.unlink(missing_ok=True)
            sample.sidecar_path.unlink(missing_ok=True)
        except OSError as exc:
            raise SamplesError(
                f"cannot delete {self._name(sample)}: {exc.strerror}"
            ) from None

    def relabel(self, sample: Sample, label: int) -> Sample:
        """Move a sample to another digit's folder and return it there.

        The sidecar is copied first and the PNG moved with one ``os.replace``: a
        crash leaves the sample whole under one of the two labels.
        """
        label = check_label(label)
        if label == sample.label:
            return sample
        self.ensure_layout()
        moved = Sample(sample.id, label, self.folder(label) / sample.image_path.name)
        if moved.image_path.exists():
            raise SamplesError(f"a sample {moved.id} already exists under {label}")
        try:
            sidecar = sample.sidecar_path.read_bytes()
        except FileNotFoundError:
            sidecar = None
        except OSError as exc:
            raise SamplesError(_write_failure(exc)) from None
        try:
            if sidecar is not None:
                write_atomic(moved.sidecar_path, sidecar)
            os.replace(sample.image_path, moved.image_path)
        except OSError as exc:
            moved.sidecar_path.unlink(missing_ok=True)
            raise SamplesError(_write_failure(exc)) from exc
        sample.sidecar_path.unlink(missing_ok=True)
        return moved

    def _name(self, sample: Sample) -> str:
        return f"{sample.label}/{sample.image_path.name}"


def _write_failure(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full: the sample was not saved (the others are safe)"
    return f"the sample was not saved: {exc.strerror or exc} (the others are safe)"

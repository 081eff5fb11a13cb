"""Export my samples to a new folder or a .zip, in the store's layout.

The export is what :mod:`nnpad.core.data.samples.importing` reads back:
``<digit>/<id>.png``
with ``<digit>/<id>.json``, all ten digit folders present. It is read-only for the
store, and the folder or zip appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nnpad.core.data.samples.format import (
    DIGITS,
    SamplesError,
    decode_sample_png,
    image_sidecar,
    parse_sidecar,
)
from nnpad.core.files import atomic_path

if TYPE_CHECKING:
    from nnpad.core.data.samples.store import SampleStore


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote and what it had to leave out or change."""

    path: Path
    samples: int
    without_strokes: list[str] = field(default_factory=list)  # damaged sidecars
    skipped: list[str] = field(default_factory=list)  # damaged images, left out


def export_samples(store: SampleStore, target: str | os.PathLike[str]) -> ExportReport:
    """Write every sample to a new folder, or to a ``.zip`` file, in the store's layout.

    Every sample gets a sidecar: one whose sidecar is damaged or missing is exported
    as a picture (``"strokes": null``) and named in the report; a damaged image is
    left out. The folder or zip appears whole or not at all.

    Raises
    ------
    SamplesError
        If the target folder is not empty or is inside the store, or writing fails.
    """
    target = Path(target)
    if target.resolve().is_relative_to(store.root.resolve()):
        raise SamplesError(f"{target}: choose a place outside the samples folder")
    files, report = _export_files(store, target)
    try:
        if target.suffix.lower() == ".zip":
            _write_zip(target, files)
        else:
            _write_folder(target, files)
    except OSError as exc:
        raise SamplesError(f"cannot export to {target}: {exc.strerror or exc}") from exc
    return report


def _export_files(
    store: SampleStore, target: Path
) -> tuple[list[tuple[str, bytes]], ExportReport]:
    files: list[tuple[str, bytes]] = []
    without_strokes: list[str] = []
    skipped: list[str] = []
    for sample in store.list():
        name = f"{sample.label}/{sample.id}"
        try:
            png = sample.image_path.read_bytes()
            decode_sample_png(png, f"{name}.png")
        except (OSError, SamplesError) as exc:
            skipped.append(str(exc))
            continue
        try:
            sidecar = sample.sidecar_path.read_bytes()
            parse_sidecar(sidecar, f"{name}.json")
        except (OSError, SamplesError) as exc:
            if not isinstance(exc, FileNotFoundError):
                without_strokes.append(str(exc))
            sidecar = json.dumps(image_sidecar(f"{name}.png"), indent=1).encode()
        files += [(f"{name}.png", png), (f"{name}.json", sidecar)]
    report = ExportReport(target, len(files) // 2, without_strokes, skipped)
    return files, report


def _write_zip(target: Path, files: list[tuple[str, bytes]]) -> None:
    with atomic_path(target, suffix=".zip") as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for digit in DIGITS:  # empty digits too, as the layout has all ten
                archive.writestr(f"{digit}/", b"")
            for name, data in files:
                archive.writestr(name, data)


def _write_folder(target: Path, files: list[tuple[str, bytes]]) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SamplesError(f"{target} is not an empty folder: choose a new one")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for digit in DIGITS:
            (building / str(digit)).mkdir()
        for name, data in files:
            (building / name).write_bytes(data)
        building.chmod(0o755)  # mkdtemp makes it private
        if target.exists():
            target.rmdir()
        os.replace(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)

"""Import samples into my samples from a folder or a .zip (see sample_export).

An import is read and checked whole before anything is written: one bad file (not a
PNG or JPEG, a damaged sidecar, a file outside the digit folders, a path leaving the
archive, a file or image too large, a picture with no ink) refuses the import with
a message naming every problem, and the store stays as it was. If writing then fails
(a full disk), the samples written so far by this import are removed again.

Accepted layouts, in a folder or a zip, optionally inside one top folder:

- nnpad's own (``<digit>/<id>.png`` with ``<digit>/<id>.json``): the 28x28 image and
  the sidecar are kept as they are;
- digit folders of PNG/JPEG pictures of any size, as other tools make them: each is
  prepared like an opened image (:func:`nnpad.core.reading.preprocess.to_mnist`) and
  stored with a sidecar that says it came from a picture (``"strokes": null``).

Hidden files and folders (``.DS_Store``, ``__MACOSX``, ``Thumbs.db``...) are ignored,
and so is a sidecar without its PNG, as in the store.
A sample whose id and image are already in the store is skipped as a duplicate, so
importing the same export twice adds nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from nnpad.core.data.samples.format import (
    DIGITS,
    MAX_IMAGE_PIXELS,
    Sample,
    SampleArrays,
    SamplesError,
    decode_sample_png,
    encode_png,
    image_sidecar,
    is_valid_id,
    new_id,
    parse_sidecar,
    picture_to_mnist,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from nnpad.core.data.samples.store import SampleStore

MAX_FILE_BYTES = 16 << 20  # a phone photo of a digit is a few MB
MAX_TOTAL_BYTES = 1 << 30
MAX_FILES = 50_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_PROBLEMS_SHOWN = 12
_IGNORED_NAMES = {"__MACOSX", "Thumbs.db", "desktop.ini"}
_DRIVE = re.compile(r"^[A-Za-z]:")


class ImportRefusedError(SamplesError):
    """An import was refused; nothing was written. ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(
            f"nothing was imported from {source} ({count}):\n{shown}{tail}"
        )


@dataclass(frozen=True)
class ImportReport:
    """What an import added."""

    added: dict[int, int]  # new samples per digit
    samples: list[Sample] = field(default_factory=list)
    pictures: int = 0  # of them, prepared from pictures (no strokes)
    duplicates: int = 0  # already in the store, skipped

    @property
    def total(self) -> int:
        """Samples added."""
        return sum(self.added.values())


@dataclass(frozen=True)
class _Entry:
    """A file in the folder or archive being imported."""

    name: str  # relative, with "/" separators
    size: int
    read: Callable[[], bytes]  # at most MAX_FILE_BYTES + 1 bytes

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.name).parts


@dataclass
class _Prepared:
    label: int
    stem: str
    name: str  # where it was in the folder or archive
    png: bytes
    sidecar: dict[str, Any]
    picture: bool


def import_samples(store: SampleStore, source: str | os.PathLike[str]) -> ImportReport:
    """Check everything in ``source`` (a folder or .zip), then add it to ``store``.

    Raises
    ------
    ImportRefusedError
        If anything in ``source`` is unusable; the store is unchanged.
    SamplesError
        If writing fails (the samples of this import already written are removed).
    """
    return _write(store, _checked(Path(source)))


def read_samples(source: str | os.PathLike[str]) -> SampleArrays:
    """Read a folder or .zip laid out by digit, checked as an import, writing nothing.

    What ``nnpad finetune --samples`` trains on: the images prepared exactly as an
    import would store them. ``samples`` holds each image's name in ``source``
    (as ``Sample.image_path``, relative) and ``skipped`` is empty: one bad file
    refuses the whole folder.

    Raises
    ------
    ImportRefusedError
        If anything in ``source`` is unusable.
    """
    prepared = _checked(Path(source))
    images = np.stack([decode_sample_png(p.png, p.stem) for p in prepared])
    labels = np.array([p.label for p in prepared], dtype=np.uint8)
    names = [Sample(p.stem, p.label, Path(p.name)) for p in prepared]
    return SampleArrays(images, labels, names, [])


def _checked(path: Path) -> list[_Prepared]:
    with _entries(path) as (entries, problems):
        prepared = _prepare(_plan(entries, problems), problems)
        if not prepared and not problems:
            problems.append("no PNG or JPEG images in digit folders 0-9")
        if problems:
            raise ImportRefusedError(path.name, problems)
    return prepared


@contextlib.contextmanager
def _entries(path: Path) -> Iterator[tuple[list[_Entry], list[str]]]:
    problems: list[str] = []
    if path.is_dir():
        yield _folder_entries(path, problems), problems
    elif path.is_file() and zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRefusedError(
                path.name, [f"an unreadable zip ({exc})"]
            ) from None
        with archive:
            yield _zip_entries(archive, problems), problems
    elif path.exists():
        raise ImportRefusedError(path.name, ["it is neither a folder nor a .zip file"])
    else:
        raise ImportRefusedError(path.name, ["no such file or folder"])


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p in _IGNORED_NAMES for p in parts)


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)

    return read


def _folder_entries(root: Path, problems: list[str]) -> list[_Entry]:
    entries = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel_dir = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if not _ignored((d,)))
        for name in [*dirs, *sorted(files)]:
            path = here / name
            rel = (rel_dir / name).as_posix()
            if _ignored((name,)):
                continue
            if path.is_symlink():
                problems.append(f"{rel}: a symbolic link (copy the file itself)")
            elif name in files:
                entries.append(_Entry(rel, path.stat().st_size, _reader(path)))
        if len(entries) > MAX_FILES:
            problems.append(f"more than {MAX_FILES} files: import them in parts")
            break
    return entries


def _zip_entries(archive: zipfile.ZipFile, problems: list[str]) -> list[_Entry]:
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        problems.append(f"more than {MAX_FILES} files: import them in parts")
        return []
    entries = []
    for info in infos:
        name = info.filename
        parts = tuple(p for p in name.split("/") if p)
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or _DRIVE.match(name)
            or ".." in parts
        ):
            problems.append(f"{name}: an unsafe path that points outside the archive")
            continue
        if info.is_dir() or _ignored(parts):
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(f"{name}: a symbolic link")
            continue
        if info.flag_bits & 0x1:
            problems.append(f"{name}: encrypted")
            continue

        def read(info: zipfile.ZipInfo = info) -> bytes:
            with archive.open(info) as handle:
                return handle.read(MAX_FILE_BYTES + 1)

        entries.append(_Entry("/".join(parts), info.file_size, read))
    return entries


def _plan(
    entries: list[_Entry], problems: list[str]
) -> list[tuple[int, str, _Entry, _Entry | None]]:
    """Check names and sizes; pair images with sidecars: (label, stem, image, json)."""
    # A single top folder ("my-digits/3/a.png") is stepped into.
    tops = {e.parts[0] for e in entries}
    if len(tops) == 1 and all(len(e.parts) > 1 for e in entries):
        (top,) = tops
        if top not in {str(d) for d in DIGITS}:
            entries = [_Entry("/".join(e.parts[1:]), e.size, e.read) for e in entries]
    images: list[tuple[int, str, _Entry]] = []
    sidecars: dict[tuple[int, str], _Entry] = {}
    total = 0
    digit_names = {str(d) for d in DIGITS}
    for entry in entries:
        parts = entry.parts
        if len(parts) != 2 or parts[0] not in digit_names:
            problems.append(f"{entry.name}: not in a digit folder (0 to 9)")
            continue
        file = PurePosixPath(parts[1])
        suffix = file.suffix.lower()
        if suffix not in (*IMAGE_SUFFIXES, ".json"):
            problems.append(f"{entry.name}: not a PNG or JPEG image")
            continue
        if entry.size > MAX_FILE_BYTES:
            problems.append(
                f"{entry.name}: too large ({entry.size / 1e6:.0f} MB; at most"
                f" {MAX_FILE_BYTES >> 20} MB a file)"
            )
            continue
        total += entry.size
        if suffix == ".json":
            sidecars[(int(parts[0]), file.stem)] = entry
        else:
            images.append((int(parts[0]), file.stem, entry))
    if total > MAX_TOTAL_BYTES:
        problems.append(f"more than {MAX_TOTAL_BYTES >> 20} MB in all: import in parts")
    # A sidecar belongs to the PNG of the same name ("a.json" to "a.png", not "a.jpg").
    # One without its PNG is ignored, as in the store (a write cut short leaves one).
    pngs = {
        (label, stem) for label, stem, e in images if e.name.lower().endswith("png")
    }
    return [
        (
            label,
            stem,
            entry,
            sidecars.get((label, stem)) if (label, stem) in pngs else None,
        )
        for label, stem, entry in images
    ]


def _prepare(
    plan: list[tuple[int, str, _Entry, _Entry | None]], problems: list[str]
) -> list[_Prepared]:
    prepared = []
    for label, stem, image, sidecar in plan:
        try:
            if sidecar is None:
                raw = _read(image)
                array = picture_to_mnist(raw, image.name, MAX_IMAGE_PIXELS)
                png, sidecar_data = encode_png(array), image_sidecar(image.name)
                item = _Prepared(label, stem, image.name, png, sidecar_data, True)
            else:
                data, _ = parse_sidecar(_read(sidecar), sidecar.name)
                array = decode_sample_png(_read(image), image.name)
                item = _Prepared(
                    label, stem, image.name, encode_png(array), data, False
                )
        except SamplesError as exc:
            problems.append(str(exc))
        else:
            prepared.append(item)
    return prepared


def _read(entry: _Entry) -> bytes:
    try:
        raw = entry.read()
    except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise SamplesError(f"{entry.name}: cannot be read ({exc})") from None
    except Exception as exc:  # zlib.error and friends from a damaged archive
        raise SamplesError(f"{entry.name}: cannot be read ({exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SamplesError(f"{entry.name}: too large (more than 16 MB)")
    return raw


def _write(store: SampleStore, prepared: list[_Prepared]) -> ImportReport:
    existing = {sample.id: sample for sample in store.list()}
    taken = set(existing)
    added = dict.fromkeys(DIGITS, 0)
    written: list[Sample] = []
    duplicates = pictures = 0
    try:
        for item in prepared:
            same = existing.get(item.stem)
            if (
                same is not None
                and same.label == item.label
                and _same_image(store, same, item.png)
            ):
                duplicates += 1
                continue
            sample_id = item.stem
            if not is_valid_id(sample_id) or sample_id in taken:
                sample_id = new_id()
                while sample_id in taken:
                    sample_id = new_id()
            taken.add(sample_id)
            written.append(store.write(item.label, sample_id, item.png, item.sidecar))
            added[item.label] += 1
            pictures += item.picture
    except BaseException as exc:
        for sample in written:
            with contextlib.suppress(OSError, SamplesError):
                store.delete(sample)
        if isinstance(exc, SamplesError):
            raise SamplesError(f"{exc}; nothing was imported") from exc
        raise
    return ImportReport(added, written, pictures, duplicates)


def _same_image(store: SampleStore, sample: Sample, png: bytes) -> bool:
    try:
        mine = store.image(sample)
    except SamplesError:
        return False
    return bool(np.array_equal(mine, decode_sample_png(png, sample.id)))

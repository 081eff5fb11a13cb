"""My samples on disk: layout, atomic writes, damaged files, relabel and delete."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnpad.core.data.samples.store import (
    CorruptSampleError,
    SamplesError,
    SampleStore,
)
from nnpad.core.ink.strokes import Drawing, Stroke
from nnpad.core.reading.preprocess import drawing_to_mnist
from tests.support.handwriting import random_drawing
from tests.support.recording import modules_loaded_after


def drawing_of(digit: int, seed: int = 0) -> Drawing:
    return random_drawing(digit, 190.0, 18.0, np.random.default_rng(seed))


@pytest.fixture
def store(tmp_path: Path) -> SampleStore:
    return SampleStore(tmp_path / "samples")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones too) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_sample_is_a_png_and_a_sidecar_in_its_digit_folder(store) -> None:
    drawing = drawing_of(7)
    sample = store.add(drawing, 7)

    assert sample.label == 7
    assert sample.image_path == store.root / "7" / f"{sample.id}.png"
    assert sample.sidecar_path.is_file()
    assert sorted(p.name for p in store.root.iterdir()) == [str(d) for d in range(10)]
    with Image.open(sample.image_path) as img:
        assert (img.format, img.mode, img.size) == ("PNG", "L", (28, 28))
        pixels = np.array(img)
    expected = np.round(drawing_to_mnist(drawing) * 255).astype(np.uint8)
    assert np.abs(pixels.astype(int) - expected).max() <= 1
    assert pixels[0, 0] == 0 and pixels.max() == 255  # white ink on black
    sidecar = json.loads(sample.sidecar_path.read_text())
    assert sidecar["format"] == "nnpad-sample" and sidecar["version"] == 1
    assert sidecar["source"] == "drawing" and "created" in sidecar
    assert "label" not in sidecar  # the folder is the label
    assert store.drawing(sample) == drawing


def test_the_sidecar_keeps_widths_erase_flags_and_exact_points(store) -> None:
    drawing = Drawing(
        (
            Stroke(((10.125, 20.5), (200.0, 240.75), (150.0, 30.0)), 18.0),
            Stroke(((150.0, 30.0), (float("nan"), 1.0)), 7.5),
            Stroke(((100.0, 100.0), (110.0, 110.0)), 30.0, erase=True),
        )
    )
    info = store.info(store.add(drawing, 4))
    assert info.source == "drawing"
    strokes = info.drawing.strokes
    assert [s.width for s in strokes] == [18.0, 7.5, 30.0]
    assert [s.erase for s in strokes] == [False, False, True]
    assert strokes[0].points == drawing.strokes[0].points
    assert strokes[1].points == ((150.0, 30.0),)  # non-finite points are never drawn


def test_listing_counting_finding_and_loading(store) -> None:
    added = [store.add(drawing_of(d % 3, seed=d), d % 3) for d in range(7)]

    assert store.count() == 7
    assert store.count(0) == 3
    assert store.counts() == {0: 3, 1: 2, 2: 2, **dict.fromkeys(range(3, 10), 0)}
    assert {s.id for s in store.list()} == {s.id for s in added}
    assert all(s.label == 1 for s in store.list(1))
    assert store.find(added[4].id) == added[4]
    with pytest.raises(KeyError):
        store.find("no-such-sample")
    arrays = store.load()
    assert arrays.images.shape == (7, 28, 28) and arrays.images.dtype == np.uint8
    assert arrays.labels.tolist() == [s.label for s in arrays.samples]
    assert sorted(arrays.labels.tolist()) == [0, 0, 0, 1, 1, 2, 2]
    assert arrays.skipped == []


def test_an_empty_or_missing_store_lists_nothing(tmp_path: Path) -> None:
    store = SampleStore(tmp_path / "never-made")
    assert store.list() == [] and store.count() == 0
    assert store.load().images.shape == (0, 28, 28)


@pytest.mark.parametrize("label", [10, -1, True, "3", 2.0])
def test_labels_must_be_digits(store, label) -> None:
    with pytest.raises(SamplesError, match="digit 0-9"):
        store.add(drawing_of(3), label)


def test_a_drawing_without_ink_is_refused(store) -> None:
    with pytest.raises(SamplesError, match="no ink"):
        store.add(Drawing(), 3)
    assert store.count() == 0


# -- crashes and full disks ------------------------------------------------------------


def _fail_half_way(exception: BaseException):
    """A Path.write_bytes that writes half the data, then fails."""

    def write_bytes(self: Path, data: bytes) -> int:
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise exception

    return write_bytes


@pytest.mark.parametrize(
    ("exception", "raised", "words"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            SamplesError,
            "disk is full",
        ),
        (RuntimeError("power cut"), RuntimeError, "power cut"),
    ],
)
def test_a_write_that_fails_half_way_leaves_earlier_samples_intact(
    store, monkeypatch, exception, raised, words
) -> None:
    for digit in range(3):
        store.add(drawing_of(digit), digit)
    before = snapshot(store.root)
    earlier = store.load()

    monkeypatch.setattr(pathlib.Path, "write_bytes", _fail_half_way(exception))
    with pytest.raises(raised, match=words):
        store.add(drawing_of(5), 5)
    monkeypatch.undo()

    assert snapshot(store.root) == before  # no half file, no temporary file left
    again = store.load()
    assert np.array_equal(again.images, earlier.images)
    assert [store.drawing(s) for s in again.samples] == [
        store.drawing(s) for s in earlier.samples
    ]


def test_a_failure_writing_the_png_removes_the_new_sidecar(store, monkeypatch) -> None:
    store.add(drawing_of(1), 1)
    before = snapshot(store.root)
    real = pathlib.Path.write_bytes

    def fail_on_png(self: Path, data: bytes) -> int:
        if data.startswith(b"\x89PNG"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", fail_on_png)
    with pytest.raises(SamplesError, match="disk is full"):
        store.add(drawing_of(2), 2)
    assert snapshot(store.root) == before


def test_leftovers_of_a_killed_write_are_ignored(store) -> None:
    kept = store.add(drawing_of(3), 3)
    # What a process killed inside atomic_path leaves: a hidden temporary file.
    (store.root / "3" / f".{kept.id}-abc123.tmp").write_bytes(b"\x89PNG half")
    # A sidecar whose PNG never arrived.
    (store.root / "3" / "20260101-000000-deadbeef.json").write_text("{}")
    assert store.list() == [kept]
    assert len(store.load().images) == 1


# -- damaged files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"format": "nnpad-sample", "version": 1, "strok', "not valid JSON"),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b'{"hello": 1}', "not an nnpad sample"),
        (b'{"format": "nnpad-sample", "version": 9, "strokes": []}', "newer nnpad"),
        (
            b'{"format": "nnpad-sample", "version": 1, "strokes": '
            b'[{"points": [[1, "x"]], "width": 3}]}',
            "not two numbers",
        ),
        (
            b'{"format": "nnpad-sample", "version": 1, "strokes": '
            b'[{"points": [[1, 2]], "width": -3}]}',
            "width",
        ),
    ],
)
def test_a_damaged_sidecar_is_refused_clearly_and_spares_the_others(
    store, content, words
) -> None:
    good = store.add(drawing_of(1), 1)
    bad = store.add(drawing_of(2), 2)
    bad.sidecar_path.write_bytes(content)

    with pytest.raises(CorruptSampleError, match=words) as caught:
        store.drawing(bad)
    assert f"2/{bad.id}.json" in str(caught.value)
    assert store.drawing(good) is not None
    arrays = store.load()  # the images are still there to train on
    assert len(arrays.images) == 2 and arrays.skipped == []


def test_a_damaged_image_is_skipped_with_its_name(store) -> None:
    good = store.add(drawing_of(1), 1)
    bad = store.add(drawing_of(2), 2)
    bad.image_path.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    arrays = store.load()
    assert arrays.samples == [good]
    assert len(arrays.skipped) == 1 and bad.id in arrays.skipped[0]
    with pytest.raises(CorruptSampleError, match="not a readable image"):
        store.image(bad)


def test_a_png_without_sidecar_is_a_sample_without_strokes(store) -> None:
    store.ensure_layout()
    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(store.root / "6" / "x.png")
    (sample,) = store.list()
    assert (sample.id, sample.label) == ("x", 6)
    info = store.info(sample)
    assert info.drawing is None and info.source == "image"


# -- relabel and delete ----------------------------------------------------------------


def test_relabel_moves_both_files(store) -> None:
    drawing = drawing_of(1)
    sample = store.add(drawing, 1)
    moved = store.relabel(sample, 7)

    assert (moved.id, moved.label) == (sample.id, 7)
    assert moved.image_path.parent.name == "7" and moved.sidecar_path.is_file()
    assert not sample.image_path.exists() and not sample.sidecar_path.exists()
    assert store.drawing(moved) == drawing
    assert store.counts()[1] == 0 and store.counts()[7] == 1
    assert store.relabel(moved, 7) == moved


def test_a_relabel_cut_short_leaves_the_sample_whole(store, monkeypatch) -> None:
    sample = store.add(drawing_of(1), 1)
    before = snapshot(store.root)

    real = os.replace

    def refuse(src, dst):
        # The sidecar's copy lands in the new folder; then moving the PNG fails.
        if str(src).endswith(".png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SamplesError):
        store.relabel(sample, 4)
    monkeypatch.undo()
    assert snapshot(store.root) == before
    assert store.drawing(store.find(sample.id)) is not None


def test_delete_removes_both_files(store) -> None:
    keep = store.add(drawing_of(1), 1)
    gone = store.add(drawing_of(2), 2)
    store.delete(gone)
    assert store.list() == [keep]
    assert not gone.sidecar_path.exists()


# -- the layout other tools read -------------------------------------------------------


def _keras_style_index(root: Path) -> list[tuple[str, int]]:
    """What Keras' index_directory does with labels="inferred": the class names are
    the sorted sub-folder names, a file's label is its folder's index, and only files
    with image extensions count."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    found = []
    for index, name in enumerate(classes):
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in (".bmp", ".gif", ".jpeg", ".jpg", ".png"):
                found.append((path.stem, index))
    return found


def test_the_layout_gives_keras_labels_equal_to_the_digits(store) -> None:
    # Only some digits: the empty folders still keep the class indices right.
    added = [store.add(drawing_of(d), d) for d in (0, 3, 9)]
    (store.root / "3" / ".x-1.tmp").write_bytes(b"partial")
    assert sorted(_keras_style_index(store.root)) == sorted(
        (s.id, s.label) for s in added
    )


@pytest.mark.slow
def test_keras_image_dataset_from_directory_reads_the_store(store) -> None:
    for seed, digit in enumerate((0, 3, 3, 9)):
        store.add(drawing_of(digit, seed=seed), digit)
    script = f"""
import json, numpy as np, keras
ds = keras.utils.image_dataset_from_directory(
    {str(store.root)!r}, color_mode="grayscale", image_size=(28, 28),
    shuffle=False, batch_size=64)
x, y = next(iter(ds))
print(json.dumps({{"labels": np.asarray(y).tolist(),
                  "sums": np.asarray(x).reshape(len(x), -1).sum(1).tolist()}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    read = json.loads(out.stdout.strip().splitlines()[-1])
    arrays = store.load()
    assert sorted(read["labels"]) == sorted(arrays.labels.tolist())
    sums = arrays.images.sum((1, 2)).tolist()
    expected = sorted(zip(arrays.labels.tolist(), sums, strict=True))
    got = sorted(zip(read["labels"], map(round, read["sums"]), strict=True))
    assert got == expected


def test_the_store_modules_import_neither_qt_nor_tensorflow() -> None:
    loaded = {
        m.split(".")[0]
        for m in modules_loaded_after(
            "import nnpad.core.data.samples.store, nnpad.core.data.samples.importing\n"
            "import nnpad.core.data.samples.exporting, nnpad.core.training.finetune"
        )
    }
    assert not loaded & {"PySide6", "pyqtgraph", "tensorflow", "keras"}

"""Moving my samples between machines: export, import, and imports refused whole."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnpad.core.data import load_sample
from nnpad.core.data.samples import importing as sample_import
from nnpad.core.data.samples.exporting import export_samples
from nnpad.core.data.samples.format import image_sidecar
from nnpad.core.data.samples.importing import ImportRefusedError, import_samples
from nnpad.core.data.samples.store import SamplesError, SampleStore
from nnpad.core.reading.preprocess import to_mnist
from tests.core.test_my_samples import drawing_of, snapshot


@pytest.fixture
def store(tmp_path: Path) -> SampleStore:
    store = SampleStore(tmp_path / "mine")
    for i, digit in enumerate((0, 1, 1, 4, 7, 9)):
        store.add(drawing_of(digit, seed=i), digit)
    return store


@pytest.fixture(scope="module")
def mnist():
    return load_sample()


def photo_png(image28: np.ndarray, *, size: int = 120, fmt: str = "PNG") -> bytes:
    """An MNIST digit as a larger dark-on-light picture, as a scan or a phone gives."""
    img = Image.fromarray(255 - image28).resize((size, size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def same_samples(a: SampleStore, b: SampleStore) -> None:
    first, second = a.load(), b.load()
    assert [(s.id, s.label) for s in first.samples] == [
        (s.id, s.label) for s in second.samples
    ]
    assert np.array_equal(first.images, second.images)
    for x, y in zip(first.samples, second.samples, strict=True):
        assert a.info(x) == b.info(y)


@pytest.mark.parametrize("name", ["export", "export.zip"])
def test_export_then_import_gives_the_same_samples(store, tmp_path, name) -> None:
    target = tmp_path / name
    report = export_samples(store, target)
    assert report.samples == 6 and report.skipped == []

    other = SampleStore(tmp_path / "other")
    imported = import_samples(other, target)
    assert imported.total == 6 and imported.pictures == 0
    assert imported.added == store.counts()
    same_samples(store, other)
    # The same export again adds nothing.
    again = import_samples(other, target)
    assert (again.total, again.duplicates) == (0, 6)
    same_samples(store, other)


def test_the_export_has_every_digit_folder(store, tmp_path) -> None:
    export_samples(store, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        str(d) for d in range(10)
    ]
    export_samples(store, tmp_path / "out.zip")
    names = zipfile.ZipFile(tmp_path / "out.zip").namelist()
    assert {f"{d}/" for d in range(10)} <= set(names)


def test_an_export_into_a_non_empty_folder_or_the_store_is_refused(
    store, tmp_path
) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("mine")
    with pytest.raises(SamplesError, match="not an empty folder"):
        export_samples(store, tmp_path / "busy")
    with pytest.raises(SamplesError, match="outside the samples folder"):
        export_samples(store, store.root / "export")
    assert not (store.root / "export").exists()


def test_an_export_turns_a_damaged_sidecar_into_a_picture(store, tmp_path) -> None:
    sample = store.list(4)[0]
    sample.sidecar_path.write_text("{broken")
    report = export_samples(store, tmp_path / "out.zip")
    assert report.samples == 6
    assert len(report.without_strokes) == 1 and sample.id in report.without_strokes[0]
    other = SampleStore(tmp_path / "other")
    import_samples(other, tmp_path / "out.zip")
    assert other.info(other.find(sample.id)).source == "image"


def test_pictures_laid_out_by_digit_are_prepared_like_opened_images(
    tmp_path, mnist
) -> None:
    source = tmp_path / "from-another-tool" / "digits"  # one top folder: stepped into
    for i in range(6):
        label = int(mnist.y_train[i])
        (source / str(label)).mkdir(parents=True, exist_ok=True)
        fmt, ext = ("JPEG", "jpg") if i % 2 else ("PNG", "png")
        (source / str(label) / f"img {i}.{ext}").write_bytes(
            photo_png(mnist.x_train[i], size=60 + 20 * i, fmt=fmt)
        )
    (source / ".DS_Store").write_bytes(b"\0\0")

    store = SampleStore(tmp_path / "mine")
    report = import_samples(store, tmp_path / "from-another-tool")
    assert report.total == 6 and report.pictures == 6
    assert sum(report.added.values()) == 6
    arrays = store.load()
    assert sorted(arrays.labels.tolist()) == sorted(mnist.y_train[:6].tolist())
    for sample, image in zip(arrays.samples, arrays.images, strict=True):
        info = store.info(sample)
        assert info.source == "image" and info.drawing is None
        assert info.original.startswith(f"{sample.label}/img ")
        # "img 3.jpg" is not a valid id: the sample got a new one.
        assert " " not in sample.id
        assert image.max() == 255 and image[0].max() == 0  # white on black, centred
    # The prepared image is what to_mnist gives for the picture.
    first = store.find(arrays.samples[0].id)
    original = store.info(first).original
    raw = Image.open(source / original).convert("L")
    expected = np.round(to_mnist(np.asarray(raw)) * 255)
    assert np.abs(store.image(first) - expected).max() <= 1


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _good_png(mnist) -> bytes:
    return photo_png(mnist.x_train[0])


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"3/a.png": b"this is text"}, "not a readable image"),
        ({"3/a.gif": b"GIF89a"}, "not a PNG or JPEG"),
        ({"3/notes.txt": b"hello"}, "not a PNG or JPEG"),
        ({"12/a.png": "GOOD"}, "not in a digit folder"),
        ({"a.png": "GOOD", "3/b.png": "GOOD"}, "not in a digit folder"),
        ({"x/3/a.png": "GOOD", "y/3/b.png": "GOOD"}, "not in a digit folder"),
        ({"3/../../evil.png": "GOOD"}, "unsafe path"),
        ({"../3/a.png": "GOOD"}, "unsafe path"),
        ({"/3/a.png": "GOOD"}, "unsafe path"),
        ({"3\\a.png": "GOOD"}, "unsafe path"),
        ({"3/blank.png": "BLANK"}, "no ink"),
        ({"3/a.png": "GOOD", "3/a.json": b"{broken"}, "damaged"),
        ({"3/a.png": "GOOD", "3/a.json": "SIDECAR"}, "not a 28x28 sample"),
    ],
)
def test_a_bad_zip_is_refused_whole_and_changes_nothing(
    store, tmp_path, mnist, members, words
) -> None:
    blank = io.BytesIO()
    Image.new("L", (40, 40), 255).save(blank, format="PNG")
    sidecar = json.dumps({"format": "nnpad-sample", "version": 1, "strokes": None})
    stand_ins = {"GOOD": _good_png(mnist), "BLANK": blank.getvalue()}
    stand_ins["SIDECAR"] = sidecar.encode()
    # Good files alongside the bad one: they must not be imported either.
    content = {"5/fine.png": _good_png(mnist), "6/fine.jpg": _good_png(mnist)}
    content.update({k: stand_ins.get(v, v) for k, v in members.items()})
    before = snapshot(store.root)

    with pytest.raises(ImportRefusedError, match=words) as caught:
        import_samples(store, _zip(tmp_path / "in.zip", content))
    assert "nothing was imported" in str(caught.value)
    assert snapshot(store.root) == before


def test_a_sidecar_without_its_png_is_ignored_as_in_the_store(tmp_path, mnist) -> None:
    archive = _zip(
        tmp_path / "in.zip",
        {"3/a.png": _good_png(mnist), "3/b.json": b"{}", "4/c.json": b"{}"},
    )
    store = SampleStore(tmp_path / "mine")
    assert import_samples(store, archive).total == 1
    assert [s.label for s in store.list()] == [3]


def test_an_empty_import_is_refused(store, tmp_path) -> None:
    (tmp_path / "in" / "3").mkdir(parents=True)
    with pytest.raises(ImportRefusedError, match="no PNG or JPEG images"):
        import_samples(store, tmp_path / "in")


def test_every_problem_is_listed(store, tmp_path, mnist) -> None:
    archive = _zip(
        tmp_path / "in.zip",
        {"3/a.png": b"text", "12/b.png": _good_png(mnist), "../c.png": b""},
    )
    with pytest.raises(ImportRefusedError) as caught:
        import_samples(store, archive)
    assert len(caught.value.problems) == 3


def test_a_huge_file_is_refused(store, tmp_path) -> None:
    source = tmp_path / "in"
    (source / "3").mkdir(parents=True)
    with open(source / "3" / "huge.png", "wb") as handle:
        handle.truncate(sample_import.MAX_FILE_BYTES + 1)  # sparse: no disk used
    before = snapshot(store.root)
    with pytest.raises(ImportRefusedError, match="too large"):
        import_samples(store, source)
    assert snapshot(store.root) == before


def test_an_image_of_too_many_pixels_is_refused(
    store, tmp_path, monkeypatch, mnist
) -> None:
    monkeypatch.setattr(sample_import, "MAX_IMAGE_PIXELS", 100 * 100)
    archive = _zip(tmp_path / "in.zip", {"3/big.png": photo_png(mnist.x_train[0])})
    with pytest.raises(ImportRefusedError, match="too large an image"):
        import_samples(store, archive)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symbolic_link_in_a_folder_is_refused(store, tmp_path, mnist) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(_good_png(mnist))
    (tmp_path / "in" / "3").mkdir(parents=True)
    (tmp_path / "in" / "3" / "a.png").symlink_to(outside)
    with pytest.raises(ImportRefusedError, match="symbolic link"):
        import_samples(store, tmp_path / "in")


@pytest.mark.parametrize("what", ["file", "missing"])
def test_neither_a_folder_nor_a_zip_is_refused(store, tmp_path, what) -> None:
    path = tmp_path / "in.zip"
    if what == "file":
        path.write_bytes(b"not a zip at all")
    with pytest.raises(ImportRefusedError):
        import_samples(store, path)


def test_an_import_that_fails_while_writing_takes_back_what_it_wrote(
    store, tmp_path, monkeypatch
) -> None:
    export_samples(store, tmp_path / "export.zip")
    other = SampleStore(tmp_path / "other")
    other.add(drawing_of(2), 2)
    before = snapshot(other.root)
    real_write = SampleStore.write
    calls = []

    def write(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 4:
            raise SamplesError("the disk is full: the sample was not saved")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(SampleStore, "write", write)
    with pytest.raises(SamplesError, match="nothing was imported"):
        import_samples(other, tmp_path / "export.zip")
    assert len(calls) == 4
    assert snapshot(other.root) == before


def test_colliding_ids_get_new_ones(store, tmp_path) -> None:
    export_samples(store, tmp_path / "export")
    sample = store.list()[0]
    # Same id, another digit's image: not a duplicate, so it is added under a new id.
    other = SampleStore(tmp_path / "other")
    nine = store.list(9)[0].image_path.read_bytes()
    other.write(3, sample.id, nine, image_sidecar("nine.png"))
    report = import_samples(other, tmp_path / "export")
    assert report.total == 6 and report.duplicates == 0
    assert other.count() == 7
    assert len({s.id for s in other.list()}) == 7

"""nnpad.core.data: every MNIST source loads equal arrays or fails with DataError.

Nothing here downloads or reads outside the repository and tmp_path.
"""

from __future__ import annotations

import gzip
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nnpad.core import data, tf_env
from nnpad.core.data import DataError, Dataset, OfflineError

REPO = Path(__file__).resolve().parents[2]


def make_arrays(n: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    y = (np.arange(n) % 10).astype(np.uint8)
    return x, y


def save_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def write_idx(path: Path, array: np.ndarray, *, magic: int | None = None) -> Path:
    if magic is None:
        magic = 0x800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(
        d.to_bytes(4, "big") for d in array.shape
    )
    raw = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if path.name.endswith(".gz") else raw)
    return path


def idx_name(prefix: str, kind: str, sep: str, gz: bool) -> str:
    dims = "idx3" if kind == "images" else "idx1"
    return f"{prefix}-{kind}{sep}{dims}-ubyte" + (".gz" if gz else "")


def write_idx_folder(
    folder: Path, sep: str = "-", gz: bool = False, *, test: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    folder.mkdir(exist_ok=True)
    x_train, y_train = make_arrays(30, seed=1)
    x_test, y_test = make_arrays(12, seed=2)
    write_idx(folder / idx_name("train", "images", sep, gz), x_train)
    write_idx(folder / idx_name("train", "labels", sep, gz), y_train)
    if test:
        write_idx(folder / idx_name("t10k", "images", sep, gz), x_test)
        write_idx(folder / idx_name("t10k", "labels", sep, gz), y_test)
    return x_train, y_train, x_test, y_test


def assert_data_error(path: Path, *fragments: str) -> str:
    with pytest.raises(DataError) as info:
        data.load_file(path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message
    return message


def test_npz_train_and_test_round_trip(tmp_path: Path) -> None:
    x, y = make_arrays(20)
    xt, yt = make_arrays(7, seed=3)
    path = save_npz(tmp_path / "m.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)

    ds = data.load_file(path)

    assert ds.has_test and len(ds) == 20
    np.testing.assert_array_equal(ds.x_train, x)
    np.testing.assert_array_equal(ds.y_train, y)
    np.testing.assert_array_equal(ds.x_test, xt)
    np.testing.assert_array_equal(ds.y_test, yt)
    assert ds.x_train.dtype == ds.y_train.dtype == np.uint8
    assert ds.source == "m.npz (20 training, 7 test images)"


@pytest.mark.parametrize(
    ("x_key", "y_key"),
    [("x_train", "y_train"), ("x", "y"), ("images", "labels"), ("x_test", "y_test")],
)
def test_npz_single_pair_becomes_training_data(
    tmp_path: Path, x_key: str, y_key: str
) -> None:
    x, y = make_arrays(15)
    path = save_npz(tmp_path / "m.npz", **{x_key: x, y_key: y})

    ds = data.load_npz(path)

    assert not ds.has_test and ds.x_test is None and ds.y_test is None
    np.testing.assert_array_equal(ds.x_train, x)
    np.testing.assert_array_equal(ds.y_train, y)
    assert ds.source == "m.npz (15 images)"


def test_npz_compressed_and_extra_keys(tmp_path: Path) -> None:
    x, y = make_arrays(10)
    path = tmp_path / "m.npz"
    np.savez_compressed(path, x_train=x, y_train=y, notes=np.array([1, 2]))
    np.testing.assert_array_equal(data.load_file(path).x_train, x)


def test_accepted_encodings_are_converted(tmp_path: Path) -> None:
    x, y = make_arrays(10)
    as_float01 = x.astype(np.float32) / 255
    path = save_npz(
        tmp_path / "m.npz",
        x_train=as_float01.reshape(10, 784),
        y_train=y.astype(np.int64),
        x_test=x.astype(np.float64).reshape(10, 28, 28, 1),
        y_test=y.astype(np.float32),
    )

    ds = data.load_file(path)

    np.testing.assert_array_equal(ds.x_train, x)
    np.testing.assert_array_equal(ds.x_test, x)
    np.testing.assert_array_equal(ds.y_train, y)
    np.testing.assert_array_equal(ds.y_test, y)
    for array in (ds.x_train, ds.y_train, ds.x_test, ds.y_test):
        assert array.dtype == np.uint8


_X, _Y = make_arrays(5)


@pytest.mark.parametrize(
    ("x", "y", "fragments"),
    [
        (np.zeros((100, 28), np.uint8), _Y, ["x_train has shape (100, 28)", "28, 28"]),
        (np.zeros((5, 32, 32), np.uint8), _Y, ["shape (5, 32, 32)"]),
        (_X, np.array([0, 1, 2, 3, 10]), ["label 10", "0-9"]),
        (_X, np.array([0, 1, -1, 3, 4]), ["label -1", "0-9"]),
        (_X, np.array([0.0, 1.5, 2, 3, 4]), ["not whole numbers"]),
        (_X, np.array(["a"] * 5), ["y_train holds text", "digits 0-9"]),
        (_X, np.eye(10, dtype=np.uint8)[:5], ["one-hot"]),
        (_X, _Y[:4], ["holds 5 images but y_train holds 4"]),
        (np.full((5, 28, 28), np.nan), _Y, ["NaN"]),
        (_X.astype(np.int32) + 100, _Y, ["from 100 to 355", "0..255"]),
        (_X.astype(np.float64) * 2, _Y, ["0..1 or 0..255"]),
        (_X.astype(np.int16) - 1, _Y, ["from -1"]),
        (np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8), ["no images"]),
        (np.zeros((5, 28, 28), bool), _Y, ["true/false values"]),
    ],
)
def test_bad_arrays_give_data_error(
    tmp_path: Path, x: np.ndarray, y: np.ndarray, fragments: list[str]
) -> None:
    path = save_npz(tmp_path / "bad.npz", x_train=x, y_train=y)
    message = assert_data_error(path, *fragments)
    assert message.startswith("bad.npz: ")


def test_validate_arrays_names_source_and_keys() -> None:
    with pytest.raises(DataError, match=r"^src: imgs has shape \(3,\)"):
        data.validate_arrays(np.zeros(3), np.zeros(3), "src", x_key="imgs")


def test_pickled_objects_are_refused(tmp_path: Path) -> None:
    x, _ = make_arrays(3)
    objects = np.array([{"a": 1}, None, 3], dtype=object)
    path = save_npz(tmp_path / "obj.npz", x_train=x, y_train=objects)
    assert_data_error(path, "obj.npz", "y_train", "pickled")


def test_plain_pickle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mnist.npz"
    path.write_bytes(pickle.dumps({"x_train": [1, 2, 3]}))
    assert_data_error(path, "mnist.npz", "not an .npz archive")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 8, "not an .npz archive"),
        (b"PK\x03\x04" + bytes(200), "could not be read"),
    ],
)
def test_garbage_files_are_refused(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    assert_data_error(path, "junk.npz", fragment)


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    x, y = make_arrays(50)
    path = tmp_path / "cut.npz"
    np.savez_compressed(path, x_train=x, y_train=y)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert_data_error(path, "cut.npz")


def test_npy_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npy"
    np.save(path, make_arrays(3)[0])
    assert_data_error(path, "x.npy", "not an .npz archive")


def test_unpaired_or_unknown_keys(tmp_path: Path) -> None:
    x, y = make_arrays(3)
    assert_data_error(save_npz(tmp_path / "a.npz", x_train=x), "no y_train")
    assert_data_error(
        save_npz(tmp_path / "b.npz", x_train=x, y_train=y, y_test=y), "no x_test"
    )
    assert_data_error(
        save_npz(tmp_path / "c.npz", pixels=x, digits=y),
        "holds digits, pixels",
        "x_train and y_train",
    )


def test_missing_file(tmp_path: Path) -> None:
    for loader in (data.load_file, data.load_npz, data.load_idx, data.load_source):
        with pytest.raises(DataError, match="not found"):
            loader(str(tmp_path / "nope.npz"))


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("sep", ["-", "."])
def test_idx_folder_round_trip(tmp_path: Path, sep: str, gz: bool) -> None:
    x_train, y_train, x_test, y_test = write_idx_folder(tmp_path / "mnist", sep, gz)

    ds = data.load_file(tmp_path / "mnist")

    assert ds.has_test
    np.testing.assert_array_equal(ds.x_train, x_train)
    np.testing.assert_array_equal(ds.y_train, y_train)
    np.testing.assert_array_equal(ds.x_test, x_test)
    np.testing.assert_array_equal(ds.y_test, y_test)
    assert ds.source == "mnist/ (30 training, 12 test images)"


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("sep", ["-", "."])
@pytest.mark.parametrize("kind", ["images", "labels"])
def test_idx_single_file_finds_its_partner(
    tmp_path: Path, sep: str, gz: bool, kind: str
) -> None:
    x_train, y_train, _, _ = write_idx_folder(tmp_path, sep, gz)

    ds = data.load_file(tmp_path / idx_name("train", kind, sep, gz))

    assert not ds.has_test
    np.testing.assert_array_equal(ds.x_train, x_train)
    np.testing.assert_array_equal(ds.y_train, y_train)


def test_idx_mixed_gz_and_unusual_names(tmp_path: Path) -> None:
    x, y = make_arrays(4)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx(tmp_path / "train-labels-idx1-ubyte", y)
    np.testing.assert_array_equal(data.load_idx(tmp_path).x_train, x)

    write_idx(tmp_path / "digits-images.idx3", x)
    write_idx(tmp_path / "digits-labels.idx1", y)
    np.testing.assert_array_equal(
        data.load_file(tmp_path / "digits-images.idx3").y_train, y
    )


def test_idx_sniffed_without_idx_in_name(tmp_path: Path) -> None:
    x, _ = make_arrays(4)
    write_idx(tmp_path / "blob.bin", x)
    assert_data_error(tmp_path / "blob.bin", "not a recognised IDX file name")


def test_idx_test_only_folder_becomes_training_data(tmp_path: Path) -> None:
    x, y = make_arrays(6)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", x)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", y)
    ds = data.load_file(tmp_path)
    assert not ds.has_test
    np.testing.assert_array_equal(ds.x_train, x)


def test_idx_missing_partner(tmp_path: Path) -> None:
    x, y = make_arrays(4)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", x)
    assert_data_error(tmp_path, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte")
    assert_data_error(
        tmp_path / "train-images-idx3-ubyte.gz", "labels file", "train-labels"
    )
    (tmp_path / "train-images-idx3-ubyte.gz").unlink()
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", y)
    assert_data_error(tmp_path, "t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte")


def test_idx_empty_folder(tmp_path: Path) -> None:
    assert_data_error(tmp_path, "no MNIST IDX files")


def test_idx_bad_magic(tmp_path: Path) -> None:
    _, y = make_arrays(4)
    write_idx(tmp_path / "train-images-idx3-ubyte", y)  # a labels file in its place
    write_idx(tmp_path / "train-labels-idx1-ubyte", y)
    assert_data_error(tmp_path, "magic number 0x00000801", "looks like a labels file")

    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x12\x34\x56\x78" + bytes(64))
    assert_data_error(tmp_path, "not an IDX images file", "0x12345678")


@pytest.mark.parametrize("gz", [False, True])
def test_idx_truncated_or_padded(tmp_path: Path, gz: bool) -> None:
    x, y = make_arrays(4)
    images = tmp_path / idx_name("train", "images", "-", gz)
    write_idx(tmp_path / "train-labels-idx1-ubyte", y)

    raw = b"\x00\x00\x08\x03" + b"".join(d.to_bytes(4, "big") for d in x.shape)
    for body, fragment in [
        (x.tobytes()[:-10], "is truncated"),
        (x.tobytes() + b"\x00", "extra bytes"),
        (b"", "is truncated"),
    ]:
        content = raw + body
        images.write_bytes(gzip.compress(content) if gz else content)
        assert_data_error(tmp_path, images.name, fragment, "4 x 28 x 28")

    images.write_bytes(b"\x00\x00\x08\x03\x00")
    assert_data_error(tmp_path, "header is truncated")


def test_idx_damaged_gzip(tmp_path: Path) -> None:
    x, y = make_arrays(20)
    images = write_idx(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", y)
    images.write_bytes(images.read_bytes()[:-30])
    assert_data_error(tmp_path, "train-images-idx3-ubyte.gz", "could not be read")


def test_idx_wrong_image_size_and_bad_labels(tmp_path: Path) -> None:
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 20, 20), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2, 3], np.uint8))
    assert_data_error(tmp_path, "20x20", "28x28")

    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 12, 3], np.uint8))
    assert_data_error(tmp_path, "train-labels-idx1-ubyte", "label 12")


def test_shipped_sample() -> None:
    ds = data.load_sample()
    assert ds.x_train.shape == (6000, 28, 28)
    assert ds.x_train.dtype == ds.y_train.dtype == np.uint8
    assert np.bincount(ds.y_train, minlength=10).tolist() == [600] * 10
    # 100 held-out images of each digit that the sample's training side lacks.
    assert ds.has_test and np.bincount(ds.y_test, minlength=10).tolist() == [100] * 10
    flat = {image.tobytes() for image in ds.x_train}
    assert not any(image.tobytes() in flat for image in ds.x_test)
    assert ds.source == "shipped sample (6000 training, 1000 held-out images)"
    # Shuffled, so a held-out tail has every digit.
    _, _, _, y_val = data.split_validation(ds.x_train, ds.y_train, 0.1)
    assert np.all(np.bincount(y_val, minlength=10) > 30)
    assert data.load_source("sample").source == ds.source


def test_split_validation_holds_out_the_tail() -> None:
    x = np.arange(100)
    y = np.arange(100) % 10
    x_tr, y_tr, x_val, y_val = data.split_validation(x, y, 0.1)
    assert x_tr.tolist() == list(range(90))
    assert x_val.tolist() == list(range(90, 100))
    assert y_val.tolist() == (np.arange(90, 100) % 10).tolist()
    assert len(y_tr) == 90


def test_split_validation_edges() -> None:
    x, y = make_arrays(10)
    x_tr, _, x_val, y_val = data.split_validation(x, y, 0.0)
    assert len(x_tr) == 10 and x_val.shape == (0, 28, 28) and y_val.shape == (0,)
    x_tr, _, x_val, _ = data.split_validation(x, y, 0.999)
    assert len(x_tr) == 1 and len(x_val) == 9
    x_tr, _, x_val, _ = data.split_validation(x[:1], y[:1], 0.5)
    assert len(x_tr) == 1 and len(x_val) == 0
    for bad in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="fraction"):
            data.split_validation(x, y, bad)


def test_subset_balanced() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 10, size=1000).astype(np.uint8)
    x = np.arange(1000)
    xs, ys = data.subset_balanced(x, y, per_class=20, seed=7)
    assert np.bincount(ys, minlength=10).tolist() == [20] * 10
    np.testing.assert_array_equal(y[xs], ys)
    assert len(set(xs.tolist())) == 200
    assert not np.all(np.diff(ys.astype(int)) >= 0)  # shuffled, not grouped
    xs2, _ = data.subset_balanced(x, y, per_class=20, seed=7)
    np.testing.assert_array_equal(xs, xs2)
    with pytest.raises(ValueError, match="digit"):
        data.subset_balanced(x, y, per_class=500, seed=0)


def test_dataset_test_arrays_come_in_pairs() -> None:
    x, y = make_arrays(3)
    with pytest.raises(ValueError):
        Dataset(x, y, x_test=x)


@pytest.fixture
def keras_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("NNPAD_HOME", str(tmp_path / "nnpad-home"))
    return home


def fake_keras(load_data: object) -> SimpleNamespace:
    return SimpleNamespace(
        datasets=SimpleNamespace(mnist=SimpleNamespace(load_data=load_data))
    )


def test_keras_cache_file_follows_keras_home(keras_home: Path) -> None:
    assert data.keras_cache_file() == keras_home / "datasets" / "mnist.npz"
    assert not data.mnist_cached()
    (keras_home / "datasets").mkdir(parents=True)
    x, y = make_arrays(10)
    save_npz(
        keras_home / "datasets" / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y
    )
    assert data.mnist_cached()
    ds = data.load_source("mnist")
    np.testing.assert_array_equal(ds.x_train, x)
    assert ds.source == "MNIST from the Keras cache (10 training, 10 test images)"


def test_offline_gives_offline_error(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}

    def load_data() -> None:
        seen["home_exists"] = keras_home.is_dir()
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/tensorflow/"
            "tf-keras-datasets/mnist.npz: None -- [Errno -3] Temporary failure in "
            "name resolution"
        )

    monkeypatch.setattr(tf_env, "keras", lambda: fake_keras(load_data))

    with pytest.raises(OfflineError) as info:
        data.load_keras_mnist()

    message = str(info.value)
    assert isinstance(info.value, DataError)
    assert "could not be downloaded" in message
    assert "name resolution" in message
    assert str(keras_home / "datasets" / "mnist.npz") in message
    assert ".npz" in message and "x_train" in message
    assert "t10k-images-idx3-ubyte" in message
    assert "--data FILE" in message
    # Keras would silently use /tmp/.keras if KERAS_HOME did not exist yet.
    assert seen["home_exists"]


def test_damaged_cache_is_downloaded_again(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / "mnist.npz").write_bytes(b"PK\x03\x04broken")
    x, y = make_arrays(10)
    xt, yt = make_arrays(4, seed=9)
    monkeypatch.setattr(tf_env, "keras", lambda: fake_keras(lambda: ((x, y), (xt, yt))))

    ds = data.load_keras_mnist()

    np.testing.assert_array_equal(ds.x_train, x)
    np.testing.assert_array_equal(ds.y_test, yt)
    assert ds.source == "MNIST from the Keras cache (10 training, 4 test images)"


def run_python(code: str, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cached_mnist_loads_without_tensorflow(tmp_path: Path) -> None:
    home = tmp_path / "keras-home"
    (home / "datasets").mkdir(parents=True)
    x, y = make_arrays(10)
    save_npz(home / "datasets" / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)

    out = run_python(
        """
        import sys
        from nnpad.core import data
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules
        ds = data.load_keras_mnist()
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules
        print(len(ds), ds.has_test)
        """,
        {"KERAS_HOME": str(home), "NNPAD_HOME": str(tmp_path / "nnpad-home")},
        timeout=60,
    )
    assert out.split() == ["10", "True"]


@pytest.mark.slow
def test_real_keras_offline_gives_offline_error(tmp_path: Path) -> None:
    # A fresh process, so Keras reads this KERAS_HOME; name lookups fail as offline.
    home = tmp_path / "keras-home"
    out = run_python(
        """
        import socket

        def offline(*args, **kwargs):
            raise socket.gaierror(-3, "Temporary failure in name resolution")

        socket.getaddrinfo = offline
        socket.create_connection = offline

        from nnpad.core import data
        try:
            data.load_keras_mnist()
        except data.OfflineError as exc:
            print("OFFLINE:", exc)
        """,
        {"KERAS_HOME": str(home), "NNPAD_HOME": str(tmp_path / "nnpad-home")},
        timeout=300,
    )
    # Keras prints "Downloading data from ..." first.
    offline = [line for line in out.splitlines() if line.startswith("OFFLINE: ")]
    assert offline, out
    assert offline[0].startswith("OFFLINE: MNIST is not in nnpad's cache")
    assert "could not be downloaded" in offline[0]
    assert "--data FILE" in offline[0]
    assert not (home / "datasets" / "mnist.npz").exists()

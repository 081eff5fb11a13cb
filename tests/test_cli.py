"""The command line, run in-process and (where imports matter) as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnpad.cli import main
from nnpad.core.data import load_sample
from nnpad.core.model import store
from nnpad.core.model.store import load as read_model
from tests.support.shipped import use_test_cnn


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def _digit_png(image28: np.ndarray, path: Path, *, dark_on_light: bool) -> Path:
    """Save an MNIST digit as a larger photo-like PNG."""
    pixels = 255 - image28 if dark_on_light else image28
    Image.fromarray(pixels).resize((200, 200), Image.Resampling.BILINEAR).save(path)
    return path


def test_predict_json_classifies_images_of_either_polarity(
    sample, tmp_path: Path, capsys
) -> None:
    paths, labels = [], []
    for i in range(20):
        dark = i % 2 == 0
        path = _digit_png(sample.x_train[i], tmp_path / f"d{i}.png", dark_on_light=dark)
        paths.append(str(path))
        labels.append(int(sample.y_train[i]))
    assert main(["predict", "--json", *paths]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in records] == paths
    correct = sum(r["digit"] == label for r, label in zip(records, labels, strict=True))
    assert correct >= 18
    for record in records:
        assert len(record["probabilities"]) == 10
        assert sum(record["probabilities"]) == pytest.approx(1.0, abs=1e-4)
        assert record["verdict"] in ("digit", "unsure", "not a digit")
    sure = [r for r in records if r["verdict"] == "digit"]
    assert len(sure) >= 15
    assert all(
        r["text"] == f"{r['digit']} ({round(100 * r['confidence'])}%)"
        or r["confidence"] > 0.995
        for r in sure
    )


def test_predict_json_reads_a_number_and_a_single_digit(
    sample, tmp_path: Path, capsys
) -> None:
    digits = sample.x_test[:4]
    # Side by side as written on a line: MNIST's own margins make the gaps.
    line = np.concatenate(list(digits), axis=1)
    number_png = tmp_path / "number.png"
    Image.fromarray(255 - line).resize((4 * 112, 112)).save(number_png)
    one_png = _digit_png(sample.x_test[5], tmp_path / "one.png", dark_on_light=False)
    assert main(["predict", "--json", str(number_png), str(one_png)]) == 0
    number, one = (json.loads(line) for line in capsys.readouterr().out.splitlines())

    model = read_model()
    alone = [int(np.argmax(model.network.predict(d / 255.0))) for d in digits]
    assert number["number"] == "".join(map(str, alone))
    assert number["text"].startswith(number["number"] + " (")
    assert [d["digit"] for d in number["digits"]] == alone
    lefts = [d["box"][0] for d in number["digits"]]
    assert lefts == sorted(lefts) and lefts[-1] > 3 * 112 - 10
    for place, digit in enumerate(number["digits"]):
        x0, y0, x1, y1 = digit["box"]
        assert place * 112 <= x0 < x1 <= (place + 1) * 112 and 0 <= y0 < y1 <= 112
        assert len(digit["probabilities"]) == 10
        assert digit["verdict"] in ("digit", "unsure", "not a digit")
    assert "verdict" not in number  # the verdicts are the digits'
    assert number["confidence"] == pytest.approx(
        np.prod([d["confidence"] for d in number["digits"]]), abs=1e-5
    )

    (only,) = one["digits"]
    assert one["number"] == str(one["digit"]) == str(only["digit"])
    assert one["verdict"] == only["verdict"] and one["text"] == only["text"]
    assert one["probabilities"] == only["probabilities"]


def test_predict_reports_blank_and_broken_images(tmp_path: Path, capsys) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    assert main(["predict", str(blank), str(broken)]) == 1
    err = capsys.readouterr().err
    assert "blank.png: no digit found" in err
    assert "broken.png" in err


CNN_MODEL = Path(__file__).parent / "data" / "cnn_small.keras"

# Until the shipped CNN is in assets/, the small test CNN stands in for it.
_SHIPPED_CNN_STAND_IN = (
    "from pathlib import Path\nfrom nnpad.core.model import store\n"
    "_shipped = store.shipped_path\n"
    f"store.shipped_path = lambda n: Path({str(CNN_MODEL)!r}) if n == 'cnn'"
    " else _shipped(n)\n"
)


@pytest.fixture
def shipped_cnn(monkeypatch) -> Path:
    """The test CNN in the place of the shipped one."""
    return use_test_cnn(monkeypatch)


@pytest.mark.parametrize(
    "model", [None, CNN_MODEL, "cnn"], ids=["shipped", "cnn-file", "cnn-by-name"]
)
def test_predict_does_not_import_tensorflow(
    sample, tmp_path: Path, model: Path | str | None
) -> None:
    path = _digit_png(sample.x_train[0], tmp_path / "d.png", dark_on_light=True)
    args = [str(path)] if model is None else ["--model", str(model), str(path)]
    code = (
        f"import sys\n{_SHIPPED_CNN_STAND_IN}from nnpad.cli import main\n"
        f"rc = main(['predict', *{args!r}])\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules]\n"
        "print('HEAVY', heavy, rc)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "HEAVY [] 0" in out
    assert out.startswith(f"{path}: {sample.y_train[0]}")


def test_model_cnn_names_the_shipped_cnn(shipped_cnn: Path) -> None:
    assert store.resolve("cnn") == shipped_cnn
    assert store.resolve("CNN") == shipped_cnn
    assert store.resolve("fnn") == store.default_model_path()
    assert store.resolve(None) == store.default_model_path()
    assert store.load("cnn").recipe.architecture.convolutional
    assert not store.load().recipe.architecture.convolutional


def test_a_missing_shipped_cnn_is_said_plainly(
    sample, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(store, "shipped_path", lambda n: tmp_path / "absent.keras")
    path = _digit_png(sample.x_train[0], tmp_path / "d.png", dark_on_light=True)
    assert main(["predict", "--model", "cnn", str(path)]) == 1
    err = capsys.readouterr().err
    assert "the shipped CNN is not installed" in err
    assert "Traceback" not in err


def test_info_lists_both_shipped_networks(shipped_cnn: Path, capsys) -> None:
    assert main(["info", "--json"]) == 0
    shipped = json.loads(capsys.readouterr().out)["shipped_models"]
    assert shipped["cnn"]["path"] == str(shipped_cnn)
    assert shipped["cnn"]["spec"].startswith("conv ")
    assert shipped["fnn"]["spec"].startswith("784-")


def test_evaluate_json(sample, tmp_path: Path, capsys) -> None:
    data = tmp_path / "part.npz"
    np.savez(data, x_test=sample.x_train[:500], y_test=sample.y_train[:500])
    assert main(["evaluate", "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["samples"] == 500
    assert report["accuracy"] > 0.95
    confusion = np.array(report["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 500
    assert np.trace(confusion) / 500 == pytest.approx(report["accuracy"])
    assert len(report["per_class"]) == 10


def test_evaluate_text_output(sample, tmp_path: Path, capsys) -> None:
    data = tmp_path / "part.npz"
    np.savez(data, x_train=sample.x_train[:100], y_train=sample.y_train[:100])
    assert main(["evaluate", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "accuracy:" in out and "on 100 images" in out
    assert "confusion" in out


@pytest.mark.slow
def test_train_saves_a_loadable_model(sample, tmp_path: Path, capsys) -> None:
    data = tmp_path / "small.npz"
    np.savez(data, x_train=sample.x_train[:600], y_train=sample.y_train[:600])
    out = tmp_path / "model.keras"
    args = ["train", "--data", str(data), "--epochs", "2", "--hidden", "16"]
    settings = ["--train-samples", "400", "--early-stopping", "3"]
    settings += ["--restore-best-weights", "--elastic", "1"]
    assert main([*args, *settings, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "validation accuracy" in captured.out
    assert "diagnosis: too few epochs to say what the curves show" in captured.out
    assert "epoch 2:" in captured.err
    # 400 digits and an elastically distorted copy of each.
    assert "training on 800 images, validating on 60" in captured.err
    loaded = read_model(out)
    assert "1 elastically distorted copy of each digit" in loaded.metadata["trained_on"]
    assert loaded.recipe.architecture.hidden == (16,)
    train = loaded.recipe.train
    assert train.epochs == 2
    assert (train.train_samples, train.early_stopping_patience) == (400, 3)
    assert train.restore_best_weights is True
    assert loaded.val_accuracy is not None


def test_train_refuses_a_negative_count_of_elastic_copies(tmp_path: Path, capsys):
    out = str(tmp_path / "model.keras")
    assert main(["train", "--data", "sample", "--elastic", "-1", "--out", out]) != 0
    assert "--elastic -1: give 0 or more copies" in capsys.readouterr().err


@pytest.mark.slow
def test_train_learns_from_a_teacher(
    sample, tmp_path: Path, capsys, monkeypatch
) -> None:
    use_test_cnn(monkeypatch)
    data = tmp_path / "small.npz"
    np.savez(data, x_train=sample.x_train[:600], y_train=sample.y_train[:600])
    out = tmp_path / "student.keras"
    args = ["train", "--data", str(data), "--epochs", "2", "--hidden", "16"]
    assert (
        main([*args, "--teacher", "cnn", "--teacher-weight", "0.3", "--out", str(out)])
        == 0
    )
    assert "teacher: cnn (conv" in capsys.readouterr().err
    trained_on = read_model(out).metadata["trained_on"]
    assert "taught by cnn (weight 0.3, temperature 2)" in trained_on
    bad = main([*args, "--teacher", "cnn", "--teacher-weight", "2", "--out", str(out)])
    assert bad != 0 and "--teacher-weight" in capsys.readouterr().err


def test_train_print_spec(capsys) -> None:
    assert main(["train", "--preset", "deeper", "--epochs", "3", "--print-spec"]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert spec["architecture"]["hidden"] == [256, 128, 64]
    assert spec["train"]["epochs"] == 3


def test_train_print_spec_with_the_problem_presets_and_new_settings(capsys) -> None:
    args = ["train", "--preset", "overfit", "--early-stopping", "4", "--print-spec"]
    assert main([*args, "--no-restore-best-weights"]) == 0
    train = json.loads(capsys.readouterr().out)["train"]
    assert train["train_samples"] == 300
    assert train["early_stopping_patience"] == 4
    assert train["restore_best_weights"] is False


def test_train_print_spec_of_the_cnn_preset_lists_its_conv_layers(capsys) -> None:
    assert main(["train", "--preset", "cnn", "--print-spec"]) == 0
    architecture = json.loads(capsys.readouterr().out)["architecture"]
    assert architecture["hidden"] == []
    assert [layer["layer"] for layer in architecture["conv"]] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dropout",
    ]
    assert main(["train", "--preset", "cnn", "--hidden", "32", "--print-spec"]) == 0
    assert json.loads(capsys.readouterr().out)["architecture"]["hidden"] == [32]


def test_a_cnn_spec_that_cannot_work_is_an_error_before_training(
    tmp_path: Path, capsys
) -> None:
    spec = tmp_path / "bad.json"
    conv = [
        {"layer": "Conv2D", "filters": 8, "kernel_size": 5},
        {"layer": "MaxPooling2D", "pool_size": 4},
        {"layer": "Conv2D", "filters": 8, "kernel_size": 7},
        {"layer": "Flatten"},
    ]
    spec.write_text(json.dumps({"architecture": {"hidden": [], "conv": conv}}))
    out = tmp_path / "m.keras"
    args = ["train", "--spec", str(spec), "--data", "sample", "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("nnpad train: error: conv layer 3 (Conv2D) has a 7×7 kernel")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["train", "--data", "sample"], "--out"),
        (["train", "--data", "sample", "--out", "m.h5"], ".keras"),
        (["train", "--data", "/no/such.npz", "--out", "m.keras"], "not found"),
        (["train", "--hidden", "a,b", "--print-spec"], "--hidden"),
        (["train", "--epochs", "0", "--print-spec"], "epochs"),
        (["evaluate", "--data", "/no/such.npz"], "not found"),
        (["predict", "--model", "/no/model.keras", "x.png"], "no such file"),
    ],
)
def test_errors_are_one_line_on_stderr(args, words, capsys) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"nnpad {args[0]}: error:")
    assert words in err


def test_info_json(capsys) -> None:
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["default_model"]["val_accuracy"] >= 0.989
    assert "tensorflow" in info["packages"]
    assert info["user_data"]


def test_python_dash_m(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nnpad", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("nnpad ")


def test_evaluate_the_held_out_tail(sample, tmp_path: Path, capsys) -> None:
    data = tmp_path / "part.npz"
    np.savez(data, x_train=sample.x_train[:1000], y_train=sample.y_train[:1000])
    args = ["evaluate", "--data", str(data), "--json", "--validation-split", "0.2"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["samples"] == 200
    assert report["part"] == "validation"
    assert report["images"] == "part.npz (1000 images), validation part (last 200)"
    assert main([*args[:-1], "1.5"]) == 1
    assert "validation" in capsys.readouterr().err


def test_numpy_runs_on_one_blas_thread_unless_told_otherwise() -> None:
    code = "import nnpad, os; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "1"  # small forward passes: threads only cost
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "2"

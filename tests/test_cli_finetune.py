"""``nnpad finetune`` end to end on a tiny model, and its refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnpad.cli import main
from nnpad.core.data.samples.format import encode_png, image_sidecar
from nnpad.core.data.samples.store import SampleStore
from nnpad.core.model.store import load as read_model
from tests.core.test_finetune import TINY, bars


def samples_folder(root: Path, per_digit: int = 6) -> Path:
    """A folder of nnpad samples (28x28 PNG + sidecar): vertical bars."""
    x, y = bars(10 * per_digit, 3, vertical=True)
    store = SampleStore(root)
    for i, (image, label) in enumerate(zip(x, y, strict=True)):
        store.write(int(label), f"s{i}", encode_png(image), image_sidecar(f"s{i}.png"))
    return root


def test_a_bad_samples_folder_is_refused_before_any_training(tmp_path, capsys) -> None:
    folder = samples_folder(tmp_path / "mine")
    (folder / "3" / "oops.png").write_bytes(b"not an image")
    out = tmp_path / "out.keras"
    code = main(["finetune", "--samples", str(folder), "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "nnpad finetune: error: nothing was imported" in err
    assert "3/oops.png" in err
    assert not out.exists()


def test_the_output_must_be_a_keras_file(tmp_path, capsys) -> None:
    folder = samples_folder(tmp_path / "mine")
    code = main(["finetune", "--samples", str(folder), "--out", str(tmp_path / "x")])
    assert code == 1
    assert ".keras" in capsys.readouterr().err


@pytest.mark.slow
def test_finetune_saves_a_model_and_prints_before_and_after(tmp_path, capsys) -> None:
    from nnpad.core.data import Dataset
    from nnpad.core.model import store
    from nnpad.core.training.trainer import Trainer

    x, y = bars(600, 1, vertical=False)
    data = tmp_path / "bars.npz"
    np.savez(data, x_train=x, y_train=y)
    result = Trainer(TINY, Dataset(x, y), steps_per_execution=1).run()
    model = store.save(result, tmp_path / "tiny.keras")
    folder = samples_folder(tmp_path / "mine")
    out = tmp_path / "tuned.keras"

    code = main(
        [
            "finetune",
            "--samples",
            str(folder),
            "--model",
            str(model),
            "--data",
            str(data),
            "--out",
            str(out),
            "--learning-rate",
            "3e-3",
            "--max-epochs",
            "6",
            "--quiet",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "held-out samples (20), before -> after:" in printed
    assert "MNIST check (" in printed and "overall" in printed
    assert f"saved {out}" in printed
    loaded = read_model(out)
    meta = loaded.metadata["finetuned"]
    assert meta["samples"] == 60 and meta["held_out"] == 20
    assert meta["samples_per_digit"]["3"] == 6
    assert meta["from"] == str(model)
    assert meta["mine_after"]["accuracy"] > meta["mine_before"]["accuracy"]
    assert loaded.recipe.architecture == TINY.architecture


@pytest.mark.slow
def test_finetune_works_on_the_shipped_cnn(tmp_path, capsys, monkeypatch) -> None:
    from nnpad.core.data import load_sample
    from tests.support.shipped import use_test_cnn

    use_test_cnn(monkeypatch)
    sample = load_sample()
    data = tmp_path / "replay.npz"
    np.savez(data, x_train=sample.x_train[:400], y_train=sample.y_train[:400])
    folder = samples_folder(tmp_path / "mine")
    out = tmp_path / "tuned-cnn.keras"
    argv = ["finetune", "--samples", str(folder), "--model", "cnn"]
    argv += ["--data", str(data), "--out", str(out), "--max-epochs", "2", "--quiet"]
    assert main(argv) == 0
    assert f"saved {out}" in capsys.readouterr().out
    tuned = read_model(out)
    assert tuned.recipe.architecture == read_model("cnn").recipe.architecture
    assert tuned.recipe.architecture.convolutional
    assert tuned.metadata["finetuned"]["from"] == "cnn"

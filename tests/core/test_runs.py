"""The run history: runs side by side, renamed, kept, saved and loaded back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnpad.core.progress import BatchProgress, EpochResult, TrainResult
from nnpad.core.recipe import presets, spec
from nnpad.core.runs import RunFileError, RunHistory, load_run, load_runs, save_run
from nnpad.core.runs import history as runs_module
from nnpad.core.runs.curves import BatchPoint


def overfitting_epochs(n: int = 8) -> list[EpochResult]:
    val = [0.6, 0.5, 0.45, 0.44, 0.5, 0.55, 0.6, 0.65][:n]
    return [
        EpochResult(i, 1.0 / (i + 1), 0.5 + 0.06 * i, v, 0.85)
        for i, v in enumerate(val)
    ]


def finished_run(history: RunHistory, recipe: spec.Recipe | None = None) -> str:
    run = history.start(recipe or presets.overfit(), source="shipped sample")
    epochs = overfitting_epochs()
    for result in epochs:
        history.add_epoch(run.id, result)
    history.finish(run.id, TrainResult("finished", run.recipe, epochs, seconds=4.2))
    return run.id


def test_a_run_is_recorded_as_it_trains_and_diagnosed_each_epoch() -> None:
    history = RunHistory()
    run = history.start(presets.overfit())
    assert run.name == "overfit"  # the preset it equals
    assert run.status == "running"
    assert run.diagnosis.kind == "too_early"
    progress = BatchProgress(0, 9, 18, 20, 2.0, 0.3, 100.0, 5.0)
    run = history.add_batch(run.id, progress)
    assert run.batches == (BatchPoint(0.5, 2.0, 0.3),)
    kinds = []
    for result in overfitting_epochs():
        run = history.add_epoch(run.id, result, seconds=result.epoch + 1.0)
        kinds.append(run.diagnosis.kind)
    assert kinds[:3] == ["too_early", "too_early", "healthy"]
    assert kinds[-1] == "overfitting"
    assert run.seconds == 8.0
    assert run.best_epoch == 3
    assert history.runs() == [run]


def test_finishing_takes_the_results_figures() -> None:
    history = RunHistory()
    run_id = finished_run(history)
    run = history.get(run_id)
    assert (run.status, run.seconds, len(run.epochs)) == ("finished", 4.2, 8)
    assert run.diagnosis.kind == "overfitting"
    assert run.best_val_accuracy == pytest.approx(0.85)
    assert run.best_val_accuracy_epoch == 0
    assert run.summary.startswith("784-512-256-10 relu, 300 images, 20 epochs")


def test_batch_points_are_thinned_but_span_the_run(monkeypatch) -> None:
    monkeypatch.setattr(runs_module, "MAX_BATCH_POINTS", 100)
    history = RunHistory()
    run = history.start(presets.classic())
    for i in range(1000):
        run = history.add_batch(run.id, BatchPoint(i / 100, 1.0, 0.5))
    assert 50 <= len(run.batches) <= 100
    assert run.batches[0].x == 0.0
    assert run.batches[-1].x == pytest.approx(9.99)
    xs = [p.x for p in run.batches]
    assert xs == sorted(xs)


def test_runs_are_listed_in_order_renamed_and_removed() -> None:
    history = RunHistory()
    first = history.start(presets.overfit())
    second = history.start(spec.with_changes(presets.classic(), epochs=2))
    assert second.name == "run 2"
    assert [r.id for r in history] == [first.id, second.id]
    renamed = history.rename(second.id, "  two   epochs ")
    assert renamed.name == "two epochs"
    with pytest.raises(ValueError, match="name"):
        history.rename(second.id, "   ")
    history.mark_current(first.id)
    assert history.current == first
    with pytest.raises(KeyError):
        history.mark_current("nope")
    history.remove(first.id)
    assert history.current is None
    assert first.id not in history
    assert len(history) == 1
    with pytest.raises(KeyError):
        history.get(first.id)


def test_kept_runs_are_saved_and_load_back_in_a_new_session(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    kept_id = finished_run(history)
    finished_run(history)  # not kept: never written
    history.keep(kept_id)
    history.set_model_path(kept_id, tmp_path / "m.keras")
    assert [p.name for p in tmp_path.iterdir()] == [f"run-{kept_id}.json"]

    again = RunHistory(tmp_path)
    assert again.load() == []
    (loaded,) = again.runs()
    original = history.get(kept_id)
    assert loaded == original
    assert loaded.diagnosis.kind == "overfitting"
    assert loaded.model_path == str(tmp_path / "m.keras")


def test_renaming_a_kept_run_saves_it_and_unkeeping_deletes_the_file(
    tmp_path: Path,
) -> None:
    history = RunHistory(tmp_path)
    run_id = finished_run(history)
    history.keep(run_id)
    history.rename(run_id, "wide net, 300 images")
    assert load_run(tmp_path / f"run-{run_id}.json").name == "wide net, 300 images"
    history.keep(run_id, kept=False)
    assert list(tmp_path.iterdir()) == []
    history.keep(run_id)
    history.remove(run_id)
    assert list(tmp_path.iterdir()) == []


def test_recipes_with_the_new_settings_survive_the_file(tmp_path: Path) -> None:
    recipe = spec.with_changes(
        presets.overfit(), early_stopping_patience=3, restore_best_weights=True
    )
    history = RunHistory(tmp_path)
    run_id = finished_run(history, recipe)
    history.keep(run_id)
    assert load_run(tmp_path / f"run-{run_id}.json").recipe == recipe


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"format": 99}', "unknown format"),
        ('{"format": 1, "status": "finished"}', "missing"),
    ],
)
def test_bad_files_are_refused_clearly_and_the_others_still_load(
    tmp_path: Path, content: str, words: str
) -> None:
    history = RunHistory(tmp_path)
    good = finished_run(history)
    history.keep(good)
    (tmp_path / "run-bad.json").write_text(content)
    (tmp_path / "notes.txt").write_text("not a run")

    again = RunHistory(tmp_path)
    problems = again.load()
    assert [r.id for r in again.runs()] == [good]
    assert len(problems) == 1
    assert problems[0].startswith("run-bad.json: ")
    assert words in problems[0]


def test_a_file_with_a_bad_recipe_or_figures_is_refused(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    run_id = finished_run(history)
    path = save_run(history.get(run_id), tmp_path)
    data = json.loads(path.read_text())
    for key, value in [
        ("recipe", {"model": {"hidden": [0]}}),
        ("epochs", [[0, "low", 0.5, None, None]]),
        ("status", "exploded"),
        ("name", ""),
    ]:
        path.write_text(json.dumps({**data, key: value}))
        with pytest.raises(RunFileError):
            load_run(path)


def test_non_finite_figures_are_saved_as_null(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    run = history.start(presets.classic())
    history.add_batch(run.id, BatchPoint(0.1, float("nan"), 0.1))
    path = save_run(history.get(run.id), tmp_path)
    assert json.loads(path.read_text())["batches"] == [[0.1, None, 0.1]]
    assert load_run(path).diagnosis.kind == "diverged"


def test_a_failed_save_keeps_the_run_unkept(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    history = RunHistory(blocker / "runs")  # a folder inside a file: cannot exist
    run_id = finished_run(history)
    with pytest.raises(RunFileError, match="cannot save"):
        history.keep(run_id)
    assert not history.get(run_id).kept


def test_loading_a_missing_folder_finds_nothing(tmp_path: Path) -> None:
    assert load_runs(tmp_path / "none") == ([], [])
    assert RunHistory().load() == []


def test_a_run_keeps_the_val_accuracy_its_result_reports() -> None:
    history = RunHistory()
    run = history.start(presets.overfit())
    epochs = [EpochResult(0, 1.0, 0.5, 0.6, 0.80), EpochResult(1, 0.9, 0.6, 0.5, 0.90)]
    for result in epochs:
        run = history.add_epoch(run.id, result)
    assert run.val_accuracy is None  # still running: no model yet
    restored = TrainResult("finished", run.recipe, epochs, restored_epoch=0)
    run = history.finish(run.id, restored)
    assert run.val_accuracy == restored.val_accuracy == 0.80


def test_a_run_saved_without_its_val_accuracy_takes_the_kept_epochs(
    tmp_path: Path,
) -> None:
    history = RunHistory(tmp_path)
    run_id = finished_run(history)
    history.keep(run_id)
    path = tmp_path / f"run-{run_id}.json"
    data = json.loads(path.read_text())
    assert data["val_accuracy"] == pytest.approx(0.85)
    del data["val_accuracy"]  # as saved before the figure was kept
    path.write_text(json.dumps(data))
    assert load_run(path).val_accuracy == pytest.approx(0.85)

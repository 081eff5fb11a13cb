"""The calibration benchmark's real digits: more join the selection half only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.bench_rejection import real_digits
from tests.support.real_strokes import SAMPLE

SELECTION = range(50_000, 55_000)  # the MNIST indices of the tail's first half


def write(path: Path, items: list[dict]) -> str:
    path.write_text(json.dumps(items))
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str, list[dict]]:
    """The committed sample cut in two files: every third digit, and the others."""
    items = json.loads(SAMPLE.read_text())
    others = [d for i, d in enumerate(items) if i % 3]
    return (
        write(tmp_path / "shared.json", others),
        write(tmp_path / "more.json", items[::3]),
        items[::3],
    )


def test_more_digits_join_the_selection_half_only(files) -> None:
    shared, more, extra = files
    alone = real_digits(shared)
    joined = real_digits(shared, more, SELECTION)
    chosen = [d for d in extra if d["index"] in SELECTION]
    assert 0 < len(chosen) < len(extra)  # the sample spans both halves of the tail
    assert len(joined["selection"][1]) == len(alone["selection"][1]) + len(chosen)
    assert (joined["report"][0] == alone["report"][0]).all()
    assert (joined["report"][1] == alone["report"][1]).all()


def test_more_digits_that_overlap_the_halves_are_refused(files, tmp_path) -> None:
    shared, _, _ = files
    same = write(tmp_path / "same.json", json.loads(Path(shared).read_text())[:5])
    with pytest.raises(SystemExit, match="shares digits"):
        real_digits(shared, same, SELECTION)

"""Every benchmark script still imports and parses its arguments: ``--help`` works.

The scripts are not run by the test suite (they print figures and take minutes), so
an import that moved or a renamed helper would only show the next time someone runs
one. Each is started with ``--help`` in its own process, all at once: each must print
its usage and exit 0 without having imported TensorFlow (8-10 s here), so it is
quick: a script parses its arguments before it imports TensorFlow or opens a
window. Meanwhile the real-handwriting benchmark runs briefly on the committed
sample of traced strokes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))
# Runs a script as ``python SCRIPT --help`` would, then says which heavy modules it
# imported on the way.
RUN = """
import atexit, runpy, sys

def heavy():
    loaded = [m for m in ("tensorflow", "keras") if m in sys.modules]
    print("HEAVY:" + ",".join(loaded), file=sys.stderr)

atexit.register(heavy)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
SMOKE = "real handwriting on the sample"
# A few of everything, so that the script others rerun on their work keeps running
# as the recognition code changes under it.
SMOKE_OPTIONS = (
    "--strokes",
    str(BENCHMARKS.parent / "data" / "real_strokes_sample.json"),
    *("--half", "all", "--count", "10", "--numbers", "1", "--nondigits", "5"),
    *("--sizes", "28"),
)


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    """Every script with --help, and the smoke run, in parallel.

    Each name gives the exit code, stdout and stderr; ``"figures"`` the smoke run's
    JSON.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    folder = Path(tempfile.mkdtemp(prefix="nnpad-bench-test-"))
    figures = folder / "figures.json"
    # Stand-ins for the MNIST pictures the sample was traced from, at its indices:
    # a bar each, made in place (60,000 random pictures took 400 MB on the way).
    originals = folder / "originals.npz"
    pictures = np.zeros((60_000, 28, 28), np.uint8)
    pictures[:, 6:22, 13:15] = 255
    np.savez_compressed(
        originals, x_train=pictures, y_train=np.arange(60_000, dtype=np.uint8) % 10
    )
    commands = {p.name: [sys.executable, "-c", RUN, str(p), "--help"] for p in SCRIPTS}
    commands[SMOKE] = [
        sys.executable,
        str(BENCHMARKS / "bench_real_handwriting.py"),
        *SMOKE_OPTIONS,
        *("--json", str(figures), "--data", str(originals)),
    ]
    running = {
        name: subprocess.Popen(
            command,
            cwd=BENCHMARKS.parents[1],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, command in commands.items()
    }
    results = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results[name] = (process.returncode, out, err)
    results["figures"] = figures.read_text() if figures.exists() else "{}"
    return results


def test_the_benchmarks_are_found() -> None:
    assert len(SCRIPTS) >= 10
    assert BENCHMARKS / "bench_real_handwriting.py" in SCRIPTS


@pytest.mark.parametrize("script", [p.name for p in SCRIPTS])
def test_help_prints_the_usage(runs, script: str) -> None:
    code, out, err = runs[script]
    assert code == 0, f"{script} --help failed:\n{err}"
    assert out.startswith(f"usage: {script}"), out[:500]
    assert "-h, --help" in out
    assert "HEAVY:\n" in err, f"{script} imports TensorFlow before parsing: {err}"


def test_real_handwriting_runs_on_the_committed_sample(runs) -> None:
    code, out, err = runs[SMOKE]
    assert code == 0, err[-3000:]
    for part in ("1. ", "2. ", "3. ", "4. "):
        assert f"\n{part}" in out
    figures = json.loads(runs["figures"])
    assert figures["digits"] == 10
    assert figures["canvas"]["all"]["n"] == 10
    assert 0 <= figures["canvas"]["all"]["right"] <= 100
    wrong = figures["canvas"]["wrong"]
    assert 0 <= figures["canvas"]["wrong, mnist picture right"] <= wrong
    assert all(isinstance(c["mnist picture"], int) for c in figures["canvas"]["worst"])
    assert figures["pictures"]["all"]["n"] == 30  # three styles at one size
    assert figures["numbers"]["canvas"]["2-6 digits"]["n"] == 5
    assert figures["numbers"]["predict"]["2-6 digits"]["n"] == 5
    assert figures["nondigits"]["all"]["n"] == 5

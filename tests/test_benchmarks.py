"""Every benchmark script still imports and parses its arguments: ``--help`` works.

The scripts are not run by the test suite (they print figures and take minutes), so
an import that moved or a renamed helper would only show the next time someone runs
one. Each is started with ``--help`` in its own process, all at once: each must print
its usage and exit 0 without having imported TensorFlow (8-10 s here): a script
parses its arguments before it imports TensorFlow or opens a window.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))
# Far above a script's real start (a second or two, all at once on two cores).
LIMIT_S = 20.0
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


@pytest.fixture(scope="module")
def helps() -> dict[str, tuple[int, str, str, float]]:
    """Run every script with --help in parallel: its exit code, output and time."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    running = {
        path.name: subprocess.Popen(
            [sys.executable, "-c", RUN, str(path), "--help"],
            cwd=BENCHMARKS.parents[1],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in SCRIPTS
    }
    results = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=LIMIT_S * 3)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results[name] = (process.returncode, out, err, time.perf_counter() - started)
    return results


def test_the_benchmarks_are_found() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", [p.name for p in SCRIPTS])
def test_help_prints_the_usage(helps, script: str) -> None:
    code, out, err, seconds = helps[script]
    assert code == 0, f"{script} --help failed:\n{err}"
    assert out.startswith(f"usage: {script}"), out[:500]
    assert "-h, --help" in out
    assert "HEAVY:\n" in err, f"{script} imports TensorFlow before parsing: {err}"
    # All run at once on a shared machine: a generous limit that TensorFlow's
    # import (8-10 s alone) before parsing would still risk.
    assert seconds < LIMIT_S, f"{script} --help took {seconds:.1f} s"

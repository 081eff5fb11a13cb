"""``nnpad predict IMAGE`` as a whole process: median wall time of N runs.

Usage: python tests/benchmarks/bench_predict_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

from PIL import Image

from nnpad.core.data import load_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    sample = load_sample()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "digit.png"
        Image.fromarray(255 - sample.x_train[0]).resize((300, 300)).save(path)
        command = [sys.executable, "-m", "nnpad", "predict", str(path)]
        subprocess.run(command, check=True, capture_output=True)  # warm the disk cache
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            out = subprocess.run(command, check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
    print(out.stdout.strip())
    print(
        f"nnpad predict, whole process: median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} runs (label {sample.y_train[0]})"
    )


if __name__ == "__main__":
    main()

"""Launch the real app and time the window and the first recognised drawing.

Usage: python tests/benchmarks/bench_startup.py [--runs N] [--exe dist/nnpad/nnpad]

Runs ``python -m nnpad`` (or the given executable, such as the frozen app) with
``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1``: the app draws a stroke with mouse events as
soon as its window is up and quits once the prediction is shown. Times are from just
before the process is launched. Needs a display (``QT_QPA_PLATFORM=offscreen`` is used
when none is set).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--exe", help="launch this executable (e.g. the frozen dist/nnpad/nnpad)"
    )
    args = parser.parse_args()
    command = [args.exe] if args.exe else [sys.executable, "-m", "nnpad"]
    env = dict(os.environ, NNPAD_QUIT_AFTER_FIRST_PREDICTION="1")
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    shown, predicted = [], []
    with tempfile.TemporaryDirectory() as home:
        env["NNPAD_HOME"] = home
        for run in range(args.runs + 1):
            launched = time.time()
            out = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
            match = re.search(r"STARTUP shown=([\d.]+) predicted=([\d.]+).*", out)
            if not match:
                raise SystemExit(f"no STARTUP line in the output:\n{out}")
            if run == 0:
                print("first (cold) run:", match.group(0))
                continue  # warms the disk cache
            shown.append(float(match.group(1)) - launched)
            predicted.append(float(match.group(2)) - launched)
    print(match.group(0))
    print(
        f"window on screen: median {statistics.median(shown):.3f} s "
        f"(max {max(shown):.3f}); first prediction: median "
        f"{statistics.median(predicted):.3f} s (max {max(predicted):.3f}) "
        f"over {args.runs} runs; platform {env.get('QT_QPA_PLATFORM', 'default')}; "
        f"{' '.join(command)}"
    )


if __name__ == "__main__":
    main()

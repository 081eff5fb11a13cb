"""Launch the real app and time the window and the first recognised drawing.

Usage: python tests/benchmarks/bench_startup.py [--runs N] [--exe dist/nnpad/nnpad]

Runs ``python -m nnpad`` (or the given executable, such as the frozen app) with
``NNPAD_QUIT_AFTER_FIRST_PREDICTION=1``: the app draws a stroke with mouse events as
soon as its first frame is painted and quits once the prediction is shown. In the
same runs, interleaved, a bare PySide6 main window is timed the same way (to its
first frame), and the ratio of the two medians is printed. Times are from just before
the process is launched. The first run is not counted: it warms the disk cache and
writes the bytecode cache, as the first start of an installed app does. Needs a
display (``QT_QPA_PLATFORM=offscreen`` is used when none is set).
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

# A QMainWindow with a menu bar, a status bar and a label, the size nnpad opens at:
# the floor a Qt window cannot beat. Prints when its first frame is painted.
BARE = """
import time, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.menuBar().addMenu("&File")
window.statusBar().showMessage("ready")
label = QLabel("bare window")
window.setCentralWidget(label)
window.resize(1152, 720)

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False

def report():
    print(f"SHOWN {time.time():.4f}")
    app.quit()

probe = FirstPaint()
label.installEventFilter(probe)
window.show()
app.exec()
"""


def bare_window(env: dict[str, str]) -> float:
    """Seconds from launching a bare PySide6 window to its first frame."""
    launched = time.time()
    out = subprocess.run(
        [sys.executable, "-c", BARE], env=env, capture_output=True, text=True
    ).stdout
    return float(re.search(r"SHOWN ([\d.]+)", out).group(1)) - launched


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--exe", help="launch this executable (e.g. the frozen dist/nnpad/nnpad)"
    )
    args = parser.parse_args()
    command = [args.exe] if args.exe else [sys.executable, "-m", "nnpad"]
    env = dict(os.environ, NNPAD_QUIT_AFTER_FIRST_PREDICTION="1")
    # An installed app imports its modules from cached bytecode (the first run
    # writes it); PYTHONDONTWRITEBYTECODE, set on some machines, would have every
    # start compile nnpad's modules again (about 60 ms here).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    shown, predicted, bare = [], [], []
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
                bare_window(env)
                continue  # warms the disk cache
            shown.append(float(match.group(1)) - launched)
            predicted.append(float(match.group(2)) - launched)
            bare.append(bare_window(env))
    print(match.group(0))
    window, first, floor = (statistics.median(v) for v in (shown, predicted, bare))
    print(
        f"window on screen: median {window:.3f} s (max {max(shown):.3f}); first"
        f" prediction: median {first:.3f} s (max {max(predicted):.3f}); bare PySide6"
        f" window: median {floor:.3f} s; nnpad / bare = {window / floor:.2f}x"
        f" over {args.runs} runs; platform {env.get('QT_QPA_PLATFORM', 'default')};"
        f" {' '.join(command)}"
    )


if __name__ == "__main__":
    main()

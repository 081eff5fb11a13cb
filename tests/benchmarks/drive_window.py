"""Drive the real app as a person would, with X11 keyboard and mouse (xdotool).

Usage::

    python tests/benchmarks/drive_window.py cycles [--count 40]
    python tests/benchmarks/drive_window.py close [--count 100]

``cycles`` starts the app once and repeats: draw a digit with the mouse, Train
(Ctrl+T), then end the run one of four ways - let it finish and Use it (Alt+U) or
Discard it (Alt+D), or Stop it (Ctrl+.) at a random moment and then Use or Discard
it - and finally closes the window (Ctrl+Q) during one more run. ``close`` starts the
app ``--count`` times, clicks Train and closes the window after a random wait (while
loading TensorFlow, building the model or training: the run is made to last longer
than the wait). Both fail on a hang (no progress for a minute), a crash or a non-zero
exit, and check that nothing was left half-written in the user folder.

Needs Xvfb and xdotool (``apt-get install xvfb xdotool``); starts ``Xvfb :99`` when
there is no ``DISPLAY``. The app's window title says what training is doing
("Training 40% — nnpad", "New model ready — nnpad"), which is how the script follows
it. Runs with a private NNPAD_HOME and a small recipe (2 epochs of a 784-32-10 net on
the shipped sample) so that a cycle takes seconds.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IDLE = "nnpad — handwritten digit recognition"
READY = "New model ready — nnpad"
RECIPE = {
    "model": {"hidden": [32]},
    "train": {"epochs": 2, "batch_size": 64, "validation_split": 0.1},
}
# Closes use a run far longer than their wait, so that every close lands during it
# (loading TensorFlow, building the model or training), never after it.
CLOSE_RECIPE = {**RECIPE, "train": {**RECIPE["train"], "epochs": 500}}
HANG = 60.0  # seconds without the expected change


def sh(*args: str) -> str:
    """Run a command (xdotool) and return its output."""
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


class App:
    """One running nnpad process and its window."""

    def __init__(self, home: Path) -> None:
        # Python's stacks on a fatal signal: a hang is ended with SIGABRT, see hang().
        env = dict(
            os.environ,
            NNPAD_HOME=str(home),
            QT_QPA_PLATFORM="xcb",
            PYTHONFAULTHANDLER="1",
        )
        self.log = open(home / "app.log", "a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nnpad"], env=env, stdout=self.log, stderr=self.log
        )
        self.window = self._wait_for_window()
        sh("xdotool", "windowfocus", "--sync", self.window)
        geometry = dict(
            line.split("=")
            for line in sh("xdotool", "getwindowgeometry", "--shell", self.window)
            .strip()
            .splitlines()
        )
        self.x, self.y = int(geometry["X"]), int(geometry["Y"])
        self.width, self.height = int(geometry["WIDTH"]), int(geometry["HEIGHT"])

    def _wait_for_window(self) -> str:
        deadline = time.time() + HANG
        while time.time() < deadline:
            self.check_alive()
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "nnpad"],
                capture_output=True,
                text=True,
            ).stdout.split()
            if found:
                return found[-1]
            time.sleep(0.1)
        raise SystemExit("the window did not appear within a minute")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise SystemExit(f"the app exited with {self.process.returncode}")

    def title(self) -> str:
        self.check_alive()
        return sh("xdotool", "getwindowname", self.window).strip()

    def key(self, keys: str) -> None:
        self.check_alive()
        sh("xdotool", "key", "--clearmodifiers", keys)

    def wait_title(self, accept, what: str) -> str:
        deadline = time.time() + HANG
        while time.time() < deadline:
            title = self.title()
            if accept(title):
                return title
            time.sleep(0.05)
        self.hang(f"no {what} within {HANG:.0f} s (title {title!r})")
        return title

    def hang(self, what: str) -> None:
        """Print every thread's stack (native too, with py-spy), end the app, fail."""
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if Path(spy).exists():
            dump = subprocess.run(
                [spy, "dump", "--native", "--pid", str(self.process.pid)],
                capture_output=True,
                text=True,
            )
            print(dump.stdout, dump.stderr, flush=True)
        self.process.send_signal(signal.SIGABRT)  # faulthandler: Python stacks
        self.process.wait(30)
        self.log.flush()
        print(Path(self.log.name).read_text(encoding="utf-8")[-20000:], flush=True)
        raise SystemExit(f"hang? {what}")

    def draw_digit(self, rng: random.Random) -> None:
        """Drag the mouse over the canvas (centred in the window's upper left)."""
        cx, cy = self.x + 0.22 * self.width, self.y + 0.24 * self.height
        side = 0.3 * self.height
        shape = [(-0.2, -0.3), (0.2, -0.3), (0.0, 0.0), (-0.05, 0.35)]  # a 7
        points = [
            (cx + (fx + rng.uniform(-0.03, 0.03)) * side, cy + fy * side)
            for fx, fy in shape
        ]
        sh("xdotool", "mousemove", str(int(points[0][0])), str(int(points[0][1])))
        sh("xdotool", "mousedown", "1")
        for px, py in points[1:]:
            sh("xdotool", "mousemove", str(int(px)), str(int(py)))
            time.sleep(0.02)
        sh("xdotool", "mouseup", "1")

    def close(self) -> int:
        """Quit with Ctrl+Q and return the exit code (fails after a minute)."""
        self.key("ctrl+q")
        try:
            return self.process.wait(HANG)
        except subprocess.TimeoutExpired:
            self.hang("the app did not exit within a minute")
            return -1


def training(title: str) -> bool:
    return title.startswith("Training")


def settle(app: App) -> str:
    """Wait for the run to end; return how (ready or idle)."""
    return app.wait_title(lambda t: not training(t), "end of the run")


def prepare_home(home: Path, recipe: dict = RECIPE) -> None:
    settings = home / "data" / "settings.ini"
    settings.parent.mkdir(parents=True, exist_ok=True)
    parser = configparser.ConfigParser()
    parser["training"] = {"recipe": json.dumps(json.dumps(recipe))}
    with open(settings, "w", encoding="utf-8") as handle:
        parser.write(handle)


def check_files(home: Path) -> None:
    """Nothing half-written: no temporary files left, settings readable."""
    leftovers = [p for p in home.rglob(".*") if p.is_file()]
    if leftovers:
        raise SystemExit(f"half-written files left behind: {leftovers}")
    configparser.ConfigParser().read(home / "data" / "settings.ini")
    for model in (home / "data" / "models").glob("*.keras"):
        from nnpad.core.model import store

        store.load(model)


def run_cycles(count: int, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        prepare_home(home)
        app = App(home)
        endings: dict[str, int] = {}
        started = time.time()
        for cycle in range(count):
            app.draw_digit(rng)
            app.key("ctrl+t")
            app.wait_title(training, "training")
            ending = rng.choice(["finish", "stop"])
            if ending == "stop":
                time.sleep(rng.uniform(0.0, 4.0))
                app.key("ctrl+period")
            outcome = settle(app)
            choice = rng.choice(["use", "discard"]) if outcome == READY else "nothing"
            if choice != "nothing":
                app.key("alt+u" if choice == "use" else "alt+d")
                app.wait_title(lambda t: t == IDLE, "the offer to go")
            key = f"{ending}, {choice}"
            endings[key] = endings.get(key, 0) + 1
            print(f"cycle {cycle + 1}: {key}", flush=True)
        app.key("ctrl+t")
        app.wait_title(training, "training")
        time.sleep(rng.uniform(0.5, 3.0))
        code = app.close()
        check_files(home)
        print(
            f"{count} cycles and a close during training in"
            f" {time.time() - started:.0f} s: exit code {code}; {endings}"
        )
        if code != 0:
            raise SystemExit(f"exit code {code}")


def run_closes(count: int, rng: random.Random) -> None:
    codes: dict[int, int] = {}
    phases: dict[str, int] = {}
    waits: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        prepare_home(home, CLOSE_RECIPE)
        for attempt in range(count):
            app = App(home)
            app.key("ctrl+t")
            app.wait_title(training, "training")
            wait = rng.uniform(0.0, 14.0)
            time.sleep(wait)
            phase = app.title()
            kind = phase.split(":")[-1].split("—")[0].strip(" .…0123456789%") or phase
            phases[kind] = phases.get(kind, 0) + 1
            started = time.time()
            code = app.close()
            waits.append(time.time() - started)
            codes[code] = codes.get(code, 0) + 1
            check_files(home)
            print(
                f"close {attempt + 1}: after {wait:.1f} s ({phase!r}), exited"
                f" {code} in {waits[-1]:.2f} s",
                flush=True,
            )
    print(
        f"{count} closes during training: exit codes {codes}; time to exit median"
        f" {sorted(waits)[len(waits) // 2]:.2f} s, max {max(waits):.2f} s; closed"
        f" while: {phases}"
    )
    if set(codes) != {0}:
        raise SystemExit(f"exit codes {codes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["cycles", "close"])
    parser.add_argument("--count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    xvfb = None
    if not os.environ.get("DISPLAY"):
        xvfb = subprocess.Popen(["Xvfb", ":99", "-screen", "0", "1280x800x24"])
        os.environ["DISPLAY"] = ":99"
        time.sleep(1.0)
    try:
        rng = random.Random(args.seed)
        if args.mode == "cycles":
            run_cycles(args.count or 40, rng)
        else:
            run_closes(args.count or 100, rng)
    finally:
        if xvfb is not None:
            xvfb.terminate()


if __name__ == "__main__":
    main()

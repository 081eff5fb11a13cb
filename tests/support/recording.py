"""Test doubles that record what a training run or a subprocess reports."""

from __future__ import annotations

import json
import subprocess
import sys


class RecordingListener:
    """A `TrainingListener` that keeps every event, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def started(self, info) -> None:
        self.events.append(("started", info))

    def batch(self, progress) -> None:
        self.events.append(("batch", progress))

    def epoch(self, result) -> None:
        self.events.append(("epoch", result))

    def snapshot(self, network) -> None:
        self.events.append(("snapshot", network))

    def of(self, kind: str) -> list:
        """The values of the events of one kind."""
        return [value for name, value in self.events if name == kind]


def modules_loaded_after(code: str) -> set[str]:
    """The names in ``sys.modules`` of a fresh interpreter once ``code`` has run."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))

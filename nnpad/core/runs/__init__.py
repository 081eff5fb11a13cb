"""The runs of a session, side by side: their recipes, curves, times and verdicts.

Every run started in the window is kept in a :class:`RunHistory` until the app
closes. Runs the person chooses to keep are also saved, one JSON file each, in a
folder the caller gives; a file that cannot be read is reported and skipped, and the
other runs still load. Plain values only: no Qt, no Keras. A history is not
thread-safe; use it from one thread (the window's).
"""

from nnpad.core.runs.files import (
    RunFileError,
    delete_run,
    load_run,
    load_runs,
    run_file,
    save_run,
)
from nnpad.core.runs.history import MAX_BATCH_POINTS, RunHistory
from nnpad.core.runs.run import Run, describe_recipe, preset_name

__all__ = [
    "MAX_BATCH_POINTS",
    "Run",
    "RunFileError",
    "RunHistory",
    "delete_run",
    "describe_recipe",
    "load_run",
    "load_runs",
    "preset_name",
    "run_file",
    "save_run",
]

"""Keep TensorFlow's start-up chatter off the terminal, and its real errors on it.

TensorFlow's C++ code logs through absl before absl is initialised, and those lines
ignore ``TF_CPP_MIN_LOG_LEVEL``: every import prints that oneDNN is on, that no CUDA
driver was found and, with the CUDA build, that ``cuInit`` failed. :func:`filtered`
points the process's stderr (file descriptor 2, which C++ writes to) at a pipe while
TensorFlow starts, and passes on every line except those notices.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from collections.abc import Iterator

# An absl or TensorFlow log line: "I0000 00:00:17.5 123 port.cc:153] ..." or
# "2025-01-01 12:00:00.000: I tensorflow/...". Severity I(nfo), W(arning), E(rror).
_LOG_LINE = re.compile(rb"^(?:([IWEF])\d{4} |\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) )")
_NOTICES = (
    b"All log messages before absl::InitializeLog() is called",
    b"failed call to cuInit",
    b"Unable to register cuDNN factory",
    b"Unable to register cuFFT factory",
    b"Unable to register cuBLAS factory",
)


def is_noise(line: bytes) -> bool:
    """Whether a line is an info or warning log line or a known harmless notice.

    Error lines (``E...``) stay unless they are one of the CUDA notices that every
    machine without a GPU prints; fatal ones (``F...``) always stay.
    """
    if any(notice in line for notice in _NOTICES):
        return True
    match = _LOG_LINE.match(line)
    return match is not None and (match.group(1) or match.group(2)) in (b"I", b"W")


def wanted() -> bool:
    """Whether to filter: not when the person asked TensorFlow for its info lines."""
    return os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2") not in ("0", "1")


@contextlib.contextmanager
def filtered() -> Iterator[None]:
    """Drop TensorFlow's notices from file descriptor 2 inside the block.

    Everything else written to stderr in the meantime, from C++ or Python, is passed
    on line by line. Does nothing when stderr has no file descriptor.
    """
    try:
        target = os.dup(2)
    except OSError:
        yield
        return
    read_end, write_end = os.pipe()
    pump = threading.Thread(
        target=_pump, args=(os.fdopen(read_end, "rb"), target), daemon=True
    )
    pump.start()
    _flush_python_stderr()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        _flush_python_stderr()
        os.dup2(target, 2)  # the pipe's last writer is gone: the pump sees its end
        pump.join(timeout=5)
        os.close(target)


def _pump(source: BinaryIO, target: int) -> None:
    with source:
        for line in source:
            while line and not is_noise(line):
                line = line[os.write(target, line) :]


def _flush_python_stderr() -> None:
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.flush()

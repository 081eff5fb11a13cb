"""TensorFlow's start-up notices stay off the terminal; real errors do not."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nnpad.core.native_log import is_noise

NOTICES = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written"
    b" to STDERR\n",
    b"I0000 00:00:1796037383.830238    4933 port.cc:153] oneDNN custom operations"
    b" are on.\n",
    b"I0000 00:00:1796037383.831525    4933 cudart_stub.cc:31] Could not find cuda"
    b" drivers on your machine, GPU will not be used.\n",
    b"E0000 00:00:1796037385.664080    4933 cuda_platform.cc:52] failed call to"
    b" cuInit: INTERNAL: CUDA error\n",
    b"2025-09-17 14:44:05.157831: I external/local_xla/xla/tsl/cuda/cudart_stub.cc:32]"
    b" Could not find cuda drivers\n",
    b"W0000 00:00:1758131045.228 3722035 computation_placer.cc:177] computation"
    b" placer already registered.\n",
]
KEPT = [
    b"E0000 00:00:1.2 1 kernel.cc:9] Out of memory while allocating a tensor\n",
    b"F0000 00:00:1.2 1 check.cc:9] Check failed: x == y\n",
    b"Traceback (most recent call last):\n",
    b"data: shipped sample (6000 images)\n",
    b"Important: the word I0000 in the middle is not a log line\n",
]


@pytest.mark.parametrize("line", NOTICES)
def test_start_up_notices_are_noise(line: bytes) -> None:
    assert is_noise(line)


@pytest.mark.parametrize("line", KEPT)
def test_errors_and_other_output_are_kept(line: bytes) -> None:
    assert not is_noise(line)


def _stderr_of(code: str, level: str | None = None) -> str:
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stderr


def test_the_filter_passes_other_lines_on_in_order() -> None:
    code = (
        "import os, sys\n"
        "from nnpad.core.native_log import filtered\n"
        "with filtered():\n"
        f"    os.write(2, {NOTICES[1]!r})\n"
        "    os.write(2, b'E0000 00:00:1.2 1 kernel.cc:9] a real error\\n')\n"
        "    print('from Python', file=sys.stderr)\n"
        f"    os.write(2, {NOTICES[0]!r})\n"
        "os.write(2, b'after the block\\n')\n"
    )
    assert _stderr_of(code).splitlines() == [
        "E0000 00:00:1.2 1 kernel.cc:9] a real error",
        "from Python",
        "after the block",
    ]


@pytest.mark.slow
def test_importing_keras_prints_no_notices_unless_asked() -> None:
    code = (
        "from nnpad.core import tf_env\n"
        "k = tf_env.keras()\n"
        "import tensorflow as tf\n"
        "print(int(tf.reduce_sum(tf.ones(3))))\n"
    )
    quiet = _stderr_of(code)
    assert "oneDNN" not in quiet and "absl" not in quiet and "cuda" not in quiet
    assert quiet.strip() == "", quiet
    # A person who asks TensorFlow for everything gets everything.
    assert "oneDNN" in _stderr_of(code, level="0")

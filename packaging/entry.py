"""Entry point of the frozen app: ``nnpad`` (window), ``nnpad --self-test``, commands.

PyInstaller freezes this script; it runs the same command line as the ``nnpad``
console script, so ``nnpad predict x.png`` and ``nnpad --self-test`` work in the
bundle, and no arguments open the window.
"""

from __future__ import annotations

import os
import sys


def _guard_stdio() -> None:
    """A windowed app (Windows, macOS) has no stdout/stderr: send writes nowhere."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def main() -> int:
    """Run nnpad's command line; return its exit code."""
    _guard_stdio()
    import multiprocessing

    multiprocessing.freeze_support()
    from nnpad.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

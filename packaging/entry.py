"""Entry point of the frozen app: ``nnpad`` (window), ``nnpad --self-test``, commands.

PyInstaller freezes this script; it runs the same command line as the ``nnpad``
console script, so ``nnpad predict x.png`` and ``nnpad --self-test`` work in the
bundle, and no arguments open the window.
"""

from __future__ import annotations

import sys

from nnpad.app import guard_stdio


def main() -> int:
    """Run nnpad's command line; return its exit code."""
    guard_stdio()  # a windowed app (Windows, macOS) has no stdout/stderr
    import multiprocessing

    multiprocessing.freeze_support()
    from nnpad.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

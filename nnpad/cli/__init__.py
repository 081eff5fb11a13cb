"""``nnpad``: the window, or train, finetune, evaluate, predict and info.

Each command has its module here (``add_parser`` and ``run``). Nothing heavy is
imported at module level: ``predict``, ``evaluate`` and ``info`` run without
TensorFlow, and only ``train`` imports it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from nnpad import __version__
from nnpad.cli.errors import CliError

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from nnpad.app import guard_stdio
    from nnpad.app import main as run_app

    if not (sys.argv[1:] if argv is None else argv):
        guard_stdio()
        return run_app()  # the window, at once: no command module is imported
    args = _parser().parse_args(argv)
    if args.command is None:
        guard_stdio()
        if args.self_test:
            from nnpad.self_test import run

            return run()
        return run_app()
    from nnpad.core.data import DataError
    from nnpad.core.model.archive import ModelFileError

    try:
        return int(args.run(args) or 0)
    except (CliError, DataError, ModelFileError, ValueError, OSError) as exc:
        print(f"nnpad {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nnpad {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnpad",
        description="Draw a digit and watch a neural network recognise it. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"nnpad {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the installation end to end (model, Keras, window) and exit",
    )
    from nnpad.cli import evaluate, finetune, info, predict, train

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (train, finetune, evaluate, predict, info):
        command.add_parser(commands)
    return parser

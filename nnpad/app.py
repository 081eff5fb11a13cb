"""Composition root of the window (placeholder until the window lands)."""

from __future__ import annotations


def main(*, self_test: bool = False) -> int:
    """Open the window; for now point to the command line."""
    from nnpad.cli import _parser

    _parser().print_help()
    return 0

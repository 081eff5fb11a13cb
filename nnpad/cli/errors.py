"""The one error type commands raise for an expected failure."""


class CliError(Exception):
    """An expected failure: printed as one line on stderr, exit code 1."""

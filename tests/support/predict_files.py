"""Pictures through ``nnpad predict --json``, in-process, as files on disk.

Each picture is saved as a PNG file (lossless: the command reads back the very
pixels) and the command is run once for all of them, in this process (no start-up
cost per call); its JSON lines are returned in order.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np


def predict(
    pictures: Sequence[np.ndarray], model: str | Path | None = None
) -> list[dict[str, Any]]:
    """``nnpad predict --json`` of each uint8 grayscale picture: its JSON record.

    A record has ``"number"`` (``?`` for a mark that is not a digit), ``"text"``
    and ``"digits"`` (see `nnpad.cli.predict.reading_record`), or ``"error"``
    (no ink found).
    """
    from nnpad.cli import main as cli

    if not pictures:
        return []
    with tempfile.TemporaryDirectory(prefix="nnpad-predict-") as folder:
        paths = []
        for i, picture in enumerate(pictures):
            path = Path(folder, f"{i:06d}.png")
            Image.fromarray(picture).save(path, compress_level=1)
            paths.append(str(path))
        options = [] if model is None else ["--model", str(model)]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli(["predict", "--json", *options, *paths])
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    if len(records) != len(pictures):
        raise RuntimeError(f"predict gave {len(records)} lines for {len(paths)} files")
    return records

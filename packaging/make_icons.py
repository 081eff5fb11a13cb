"""Render ``assets/nnpad.svg`` to the PNG, ICO and ICNS icons the packages need.

Run once after editing the SVG, with the project's Python (needs PySide6 and Pillow)::

    python packaging/make_icons.py

Qt's SVG renderer draws the PNGs offscreen; Pillow writes the multi-size ``.ico``
(Windows) and ``.icns`` (macOS) from them.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(svg: Path, size: int) -> bytes:
    """Return the SVG drawn at ``size`` x ``size`` pixels as PNG bytes."""
    # A build tool, not part of nnpad.core: Qt is allowed here.
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: TID251
    from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: TID251
    from PySide6.QtSvg import QSvgRenderer  # noqa: TID251

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main() -> None:
    """Write nnpad.png (256 px), nnpad.ico and nnpad.icns next to nnpad.svg."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image

    svg = ASSETS / "nnpad.svg"
    images = {
        size: Image.open(io.BytesIO(render_png(svg, size))).convert("RGBA")
        for size in sorted({*ICO_SIZES, *ICNS_SIZES})
    }
    images[256].save(ASSETS / "nnpad.png", optimize=True)
    images[256].save(
        ASSETS / "nnpad.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES[:-1]],
    )
    images[1024].save(
        ASSETS / "nnpad.icns", append_images=[images[s] for s in ICNS_SIZES[:-1]]
    )
    for name in ("nnpad.png", "nnpad.ico", "nnpad.icns"):
        print(f"{ASSETS / name}: {(ASSETS / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

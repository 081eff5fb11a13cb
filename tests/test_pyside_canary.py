"""Guard against PySide6 builds that leak references to None (6.12.0 on Python 3.11).

Each call of a void method dropped one reference to None; after a few thousand calls
CPython 3.11 aborts with "Fatal Python error: none_dealloc". CPython 3.12+ made None
immortal, which hides the bug, so the check only means something on 3.11.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QWidget

CALLS = 10_000


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal on 3.12+")
def test_void_calls_keep_none_refcount(qapp: QApplication) -> None:
    widget = QWidget()
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen = QPen()
    calls = {
        "QWidget.update": widget.update,
        "QPainter.setPen": lambda: painter.setPen(pen),
        "QPainter.drawLine": lambda: painter.drawLine(QPoint(0, 0), QPoint(5, 5)),
        "QApplication.processEvents": QApplication.processEvents,
    }
    drift = {}
    for name, call in calls.items():
        call()  # warm up caches before counting
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            call()
        drift[name] = sys.getrefcount(None) - before
    painter.end()
    # A leaking build loses one reference per call: -10,000 each.
    assert all(abs(d) < CALLS // 100 for d in drift.values()), drift

"""Words that change with every reading, painted in a size that never changes.

A QLabel asks the window to lay itself out again whenever its text changes, and
its size follows the text: a longer verdict pushed the splitter and moved the
canvas under the pen. These widgets keep one height from the first frame on, fit
the text to it (a smaller font, fewer lines with an ellipsis) and only repaint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnpad.ui.style import VERDICT_TEXT

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QPaintEvent

__all__ = ["Headline", "TextLines"]

SIZES = (44, 34, 22, 16, 12)
"""Point sizes of the headline, largest first: the first that fits is used."""
_ELLIPSIS = "…"


class _FittedText(QWidget):
    """Text in a verdict's colour, fitted again when it or the width changes.

    Subclasses lay it out in ``_fit``; their height never changes.
    """

    def __init__(self, parent: QWidget | None, kind: str) -> None:
        super().__init__(parent)
        self._text = ""
        self._kind = "empty"
        self._default_kind = kind
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setSizePolicy(policy)

    def text(self) -> str:
        """The whole text."""
        return self._text

    def set_text(self, text: str, kind: str | None = None) -> None:
        """Show ``text`` in the colour of verdict ``kind`` (``empty``: plain)."""
        kind = self._default_kind if kind is None else kind
        if (text, kind) == (self._text, self._kind):
            return
        self._text, self._kind = text, kind
        self.setAccessibleName(text)
        self._fit()
        self.update()

    def _fit(self) -> None:
        raise NotImplementedError  # pragma: no cover

    def resizeEvent(self, event: object) -> None:
        """Fit the text to the new width."""
        self._fit()


class Headline(_FittedText):
    """One bold line (``7``, ``4 or 9?``, ``not a digit``) in the verdict's colour.

    As tall as the largest size, whatever it shows: a short text in 44 points, a
    longer one smaller, and smaller again until it fits the width.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "digit")
        self._size = SIZES[0]
        self.setMinimumWidth(96)
        self.setFixedHeight(QFontMetrics(self._font(SIZES[0])).height())

    def point_size(self) -> int:
        """The point size the text is painted in."""
        return self._size

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(self.minimumWidth(), self.height())

    def _font(self, size: int) -> QFont:
        font = QFont(self.font())
        font.setPointSize(size)
        font.setBold(True)
        return font

    def _fit(self) -> None:
        text = self._text
        # Digits alone in the largest size, a longer number or words smaller.
        first = 0 if len(text) <= 2 else 1 if len(text) <= 6 and " " not in text else 2
        room = self.width() - 4
        for size in SIZES[first:]:
            self._size = size
            if QFontMetrics(self._font(size)).horizontalAdvance(text) <= room:
                break

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setFont(self._font(self._size))
        painter.setPen(_colour(self, self._kind))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()


class TextLines(_FittedText):
    """Up to ``lines`` lines of word-wrapped text in a fixed height.

    A text that needs more lines loses the rest behind an ellipsis; the whole of it
    is in the tooltip (and, like any text shown, in the accessible name).
    """

    def __init__(
        self,
        lines: int,
        parent: QWidget | None = None,
        *,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignHCenter,
    ) -> None:
        super().__init__(parent, "empty")
        self._lines = lines
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self._shown: list[str] = []
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 2)

    def shown_lines(self) -> list[str]:
        """The lines painted (the last ends in an ellipsis when the text is cut)."""
        return list(self._shown)

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(60, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: D102
        return QSize(20, self.height())

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = max(1, self.width() - 4)
        lines = wrap(self._text, metrics.horizontalAdvance, room)
        if len(lines) > self._lines:
            last = " ".join([lines[self._lines - 1], _ELLIPSIS])
            lines = [*lines[: self._lines - 1], last]
        self._shown = [
            metrics.elidedText(line, Qt.TextElideMode.ElideRight, room)
            for line in lines
        ]
        cut = self._shown != wrap(self._text, metrics.horizontalAdvance, room)
        self.setToolTip(self._text if cut else "")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setPen(_colour(self, self._kind))
        step = self.fontMetrics().lineSpacing()
        for i, line in enumerate(self._shown):
            row = QRect(2, 1 + i * step, self.width() - 4, step)
            painter.drawText(row, self._align, line)
        painter.end()


def wrap(text: str, advance: Callable[[str], int], room: int) -> list[str]:
    """``text`` broken into lines no wider than ``room`` (words too long stay whole).

    ``advance(s)`` is the width of ``s``; a newline always breaks.
    """
    out: list[str] = []
    for paragraph in text.split("\n") if text else []:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and advance(candidate) > room:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return out


def _colour(widget: QWidget, kind: str) -> QColor:
    colour = VERDICT_TEXT.get(kind)  # type: ignore[call-overload]
    return widget.palette().windowText().color() if colour is None else colour

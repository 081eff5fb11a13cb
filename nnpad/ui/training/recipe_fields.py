"""The form's number fields: exact spin boxes, float edits, and the hidden sizes.

Spin boxes round to their decimals; these give back a recipe's exact values until
the person edits them, so a recipe put into the form comes back unchanged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLineEdit, QWidget

if TYPE_CHECKING:
    from collections.abc import Iterable

from nnpad.core.recipe.spec import SpecError


class ExactSpinBox(QDoubleSpinBox):
    """A spin box that gives back the exact value it was set to, until edited.

    Spin boxes round to their decimals (1/6 shows as 0.167); without this a recipe
    put into the form would come back slightly changed.
    """

    def __init__(self, low: float, high: float, step: float, decimals: int) -> None:
        super().__init__()
        self.setRange(low, high)
        self.setSingleStep(step)
        self.setDecimals(decimals)
        self._exact: tuple[float, float] | None = None  # (shown, exact)

    def set_exact(self, value: float) -> None:
        """Show ``value``; :meth:`exact_value` gives it back until edited."""
        self.setValue(value)
        self._exact = (self.value(), float(value))

    def exact_value(self) -> float:
        """The value set, if the person has not changed it, else the one shown."""
        if self._exact is not None and self._exact[0] == self.value():
            return self._exact[1]
        return self.value()


class FloatEdit(QLineEdit):
    """A line edit for a number such as a learning rate (``0.001`` or ``1e-3``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._exact: tuple[str, float] | None = None  # (shown, exact)

    def set_value(self, value: float) -> None:
        """Show ``value``; :meth:`value` gives it back exactly until edited."""
        text = f"{value:g}"
        self.setText(text)
        self._exact = (text, float(value))

    def value(self) -> float:
        """The number written; raise SpecError when it is not one."""
        text = self.text().strip()
        if self._exact is not None and self._exact[0] == text:
            return self._exact[1]
        try:
            return float(text)
        except ValueError:
            raise SpecError(f"{self._name}: {text!r} is not a number") from None


def parse_hidden(text: str, *, may_be_empty: bool = False) -> tuple[int, ...]:
    """``"128, 64"`` -> ``(128, 64)``; raise SpecError for anything else.

    ``may_be_empty``: a convolutional network may have no hidden Dense layer.
    """
    tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if not tokens and may_be_empty:
        return ()
    if not tokens:
        raise SpecError("hidden layers: give at least one layer size, e.g. 128, 64")
    sizes = []
    for token in tokens:
        try:
            sizes.append(int(token))
        except ValueError:
            raise SpecError(
                f"hidden layers: {token!r} is not a whole number (write e.g. 128, 64)"
            ) from None
    return tuple(sizes)


class _WheelGuard(QObject):
    """Give a wheel turn over a field without focus to the form, which scrolls.

    Without it, scrolling the form down changes whatever spin box or list passes
    under the pointer.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False
        parent = watched.parentWidget()
        if parent is not None:
            QApplication.sendEvent(parent, event)  # ignored there, it goes up
        return True


_guard: _WheelGuard | None = None


def guard_wheel(widgets: Iterable[QWidget]) -> None:
    """Let ``widgets`` take the wheel only once clicked or tabbed into."""
    global _guard  # one filter for every form, made on the GUI thread
    if _guard is None:
        _guard = _WheelGuard()
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_guard)

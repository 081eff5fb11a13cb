"""A tab page built on demand, so the window shows before its heavy panels exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QShowEvent

W = TypeVar("W", bound=QWidget)


class LazyPanel(QWidget, Generic[W]):
    """Holds the place of a panel; ``factory`` makes it when it is first needed.

    That is when it is shown once :meth:`release` was called (the window calls it
    after its first frame), or when someone asks for it with :meth:`content` (say, a
    menu command), whichever comes first.
    """

    built = Signal(object)  # the panel, once made

    def __init__(self, factory: Callable[[], W], parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self._content: W | None = None
        self._released = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        """Whether the panel exists yet."""
        return self._content is not None

    def content(self) -> W:
        """The panel, made now if it was not yet."""
        if self._content is None:
            self._content = self._factory()
            self._layout.addWidget(self._content)
            self.built.emit(self._content)
        return self._content

    def release(self) -> None:
        """From now on, build the panel when it is (or becomes) visible."""
        self._released = True
        if self.isVisible():
            self.content()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: D102
        super().showEvent(event)
        if self._released and self._content is None:
            QTimer.singleShot(0, self.content)

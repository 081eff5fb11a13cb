"""Undo and redo over immutable states (the canvas keeps its drawings here)."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")

LIMIT = 1000


class UndoStack(Generic[T]):
    """Undo and redo stacks of earlier and undone states, at most ``limit`` deep.

    The owner keeps the current state; it calls :meth:`record` with the state it is
    about to leave, and :meth:`undo` / :meth:`redo` with the current one, which they
    store for the way back.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        self._undo: list[T] = []
        self._redo: list[T] = []
        self._limit = limit

    def record(self, before: T) -> None:
        """A change leaves ``before``: it can be undone; what was undone is lost."""
        self._undo.append(before)
        del self._undo[: -self._limit]
        self._redo.clear()

    def undo(self, current: T) -> T | None:
        """The state before ``current``, or None when there is none."""
        if not self._undo:
            return None
        self._redo.append(current)
        return self._undo.pop()

    def redo(self, current: T) -> T | None:
        """The state undone last, or None when there is none."""
        if not self._redo:
            return None
        self._undo.append(current)
        return self._redo.pop()

    def can_undo(self) -> bool:
        """Whether :meth:`undo` would give a state."""
        return bool(self._undo)

    def can_redo(self) -> bool:
        """Whether :meth:`redo` would give a state."""
        return bool(self._redo)

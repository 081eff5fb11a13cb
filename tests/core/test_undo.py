"""Undo and redo, Qt-free."""

from __future__ import annotations

from nnpad.core.ink.undo import UndoStack


def test_undo_and_redo_walk_back_and_forth() -> None:
    stack: UndoStack[str] = UndoStack()
    state = "a"
    for new in ("b", "c"):
        stack.record(state)
        state = new
    assert stack.can_undo() and not stack.can_redo()
    state = stack.undo(state)
    assert state == "b" and stack.can_redo()
    state = stack.undo(state)
    assert state == "a" and stack.undo(state) is None
    state = stack.redo(state)
    assert state == "b"
    stack.record(state)  # a new change forgets what was undone
    assert not stack.can_redo() and stack.redo("x") is None


def test_the_limit_drops_the_oldest_states() -> None:
    stack: UndoStack[int] = UndoStack(limit=3)
    for state in range(10):
        stack.record(state)
    undone = []
    current = 10
    while (earlier := stack.undo(current)) is not None:
        undone.append(earlier)
        current = earlier
    assert undone == [9, 8, 7]

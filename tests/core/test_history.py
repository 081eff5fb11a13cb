"""Undo and redo, Qt-free."""

from __future__ import annotations

from nnpad.core.history import History


def test_undo_and_redo_walk_back_and_forth() -> None:
    history: History[str] = History()
    state = "a"
    for new in ("b", "c"):
        history.record(state)
        state = new
    assert history.can_undo() and not history.can_redo()
    state = history.undo(state)
    assert state == "b" and history.can_redo()
    state = history.undo(state)
    assert state == "a" and history.undo(state) is None
    state = history.redo(state)
    assert state == "b"
    history.record(state)  # a new change forgets what was undone
    assert not history.can_redo() and history.redo("x") is None


def test_the_limit_drops_the_oldest_states() -> None:
    history: History[int] = History(limit=3)
    for state in range(10):
        history.record(state)
    undone = []
    current = 10
    while (earlier := history.undo(current)) is not None:
        undone.append(earlier)
        current = earlier
    assert undone == [9, 8, 7]

"""What the canvas repaints, and when: only what changed, and the ink at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from nnpad.ui.drawing.canvas_overlays import DigitMark
from tests.support.canvas_input import drag_logical, logical_pos


class PaintSpy(QObject):
    """Records the rectangle of each paint event of the widget it watches."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.rects: list = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


def test_move_repaints_only_the_new_segment(canvas, qtbot):
    drag_logical(canvas, [(100, 100)], release=False)
    qtbot.wait(10)
    spy = PaintSpy(canvas)
    pos = logical_pos(canvas, 110, 105)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        pos,
        QPointF(canvas.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas, move)
    qtbot.waitUntil(lambda: bool(spy.rects))
    area = max(r.width() * r.height() for r in spy.rects)
    assert area < 0.1 * canvas.width() * canvas.height()


def test_the_ink_of_a_move_is_painted_before_anyone_hears_of_it(canvas, qtbot):
    spy = PaintSpy(canvas)
    painted_when_heard: list[int] = []
    canvas.stroke_changed.connect(lambda _d: painted_when_heard.append(len(spy.rects)))
    drag_logical(canvas, [(100, 100), (110, 105), (130, 120)], release=False)
    # Each move had been painted when the canvas told its listeners (the session,
    # which reads the drawing then): a slow reading never holds the ink back.
    assert painted_when_heard == [1, 2, 3]


def test_new_digit_marks_repaint_only_where_marks_are(canvas, qtbot):
    drag_logical(canvas, [(100, 100), (130, 160)])
    qtbot.wait(20)
    spy = PaintSpy(canvas)
    canvas.set_marks([DigitMark((100, 100, 130, 160), "1 99%", "digit", True)])
    qtbot.waitUntil(lambda: bool(spy.rects))
    qtbot.wait(20)
    area = sum(r.width() * r.height() for r in spy.rects)
    assert 0 < area < 0.15 * canvas.width() * canvas.height()
    spy.rects.clear()
    canvas.set_marks([DigitMark((100, 100, 131, 160), "1 98%", "digit", True)])
    qtbot.waitUntil(lambda: bool(spy.rects))
    painted = spy.rects[0]
    assert painted.contains(logical_pos(canvas, 131, 130).toPoint())  # the new box
    assert not painted.contains(logical_pos(canvas, 400, 250).toPoint())

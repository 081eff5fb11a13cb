"""DrawingCanvas driven by real mouse, tablet and touch events (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QImage,
    QInputDevice,
    QPointingDevice,
    QTabletEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnpad.core.ink.strokes import CANVAS_SIZE, Drawing, Stroke, render, save_png
from nnpad.core.reading.preprocess import drawing_to_mnist
from nnpad.ui.drawing.canvas import (
    BRUSH_DEFAULT,
    BRUSH_MAX,
    BRUSH_MIN,
    CANVAS_WIDTH,
    DrawingCanvas,
)
from tests.support import canvas_input
from tests.support.canvas_input import (
    LEFT,
    NONE,
    RELEASE,
    RIGHT,
    drag_logical,
    logical_pos,
    send_mouse,
)


def release_at(canvas, x: float, y: float, button=LEFT) -> None:
    send_mouse(canvas, RELEASE, logical_pos(canvas, x, y), button)


def gray(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(
        img.height(), img.bytesPerLine()
    )
    return rows[:, : img.width()].copy()


def assert_points(stroke: Stroke, expected, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(stroke.points, expected, rtol=0, atol=atol)


def counter(signal) -> list[tuple]:
    """Record each emission's arguments."""
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def test_mouse_drag_records_logical_stroke_and_signals(canvas):
    moved, changed = counter(canvas.stroke_changed), counter(canvas.drawing_changed)
    drag_logical(canvas, [(40, 50), (120, 60), (200, 220)])
    (stroke,) = canvas.drawing().strokes
    assert_points(stroke, [(40, 50), (120, 60), (200, 220)])
    assert stroke.width == BRUSH_DEFAULT
    assert not stroke.erase
    assert len(moved) == 3  # press and two moves each add a point
    assert len(changed) == 1  # only the finished stroke
    assert not canvas.is_empty()
    # The drawing travels with the signal: listeners never call back for it.
    assert changed[0] == (canvas.drawing(),)
    assert [len(drawing.strokes[0].points) for (drawing,) in moved] == [1, 2, 3]


@pytest.mark.parametrize(
    ("size", "height"), [((404, 300), 200), ((640, 640), 318), ((900, 300), 296)]
)
def test_same_gesture_gives_same_points_at_any_size(qtbot, size, height):
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(*size)
    sq = widget.canvas_rect()
    # Twice as wide as tall, as large as fits within a 2 px frame margin, centred.
    assert (sq.width(), sq.height()) == (2 * height, height)
    assert sq.center().x() == pytest.approx(size[0] / 2, abs=1)
    assert sq.center().y() == pytest.approx(size[1] / 2, abs=1)
    fractions = [(0.1, 0.2), (0.5, 0.5), (0.9, 0.75)]
    pts = [
        QPointF(sq.x() + fx * sq.width(), sq.y() + fy * sq.height())
        for fx, fy in fractions
    ]
    canvas_input.drag(widget, pts)
    expected = [(fx * CANVAS_WIDTH, fy * CANVAS_SIZE) for fx, fy in fractions]
    assert_points(widget.drawing().strokes[0], expected)


def test_current_drawing_includes_stroke_in_progress(canvas):
    drag_logical(canvas, [(20, 20), (40, 40)])
    changed, moved = counter(canvas.drawing_changed), counter(canvas.stroke_changed)
    drag_logical(canvas, [(50, 50), (100, 100)], release=False)
    assert len(canvas.drawing().strokes) == 1
    assert len(canvas.current_drawing().strokes) == 2
    assert not changed and len(moved) == 2
    canvas.undo()  # undo while drawing drops only the stroke in progress
    assert len(canvas.current_drawing().strokes) == 1
    assert canvas.drawing().strokes[0].points[0] == (20.0, 20.0)
    assert moved[-1] == (canvas.drawing(),)  # the stroke in progress is gone
    canvas.undo()
    assert canvas.is_empty() and canvas.current_drawing() == Drawing()


def test_undo_redo_clear(canvas):
    history = counter(canvas.history_changed)
    assert not canvas.can_undo() and not canvas.can_redo()
    drag_logical(canvas, [(50, 50), (60, 200)])
    drag_logical(canvas, [(100, 50), (200, 50)])
    assert len(canvas.drawing().strokes) == 2
    assert len(history) == 2
    canvas.undo()
    assert len(canvas.drawing().strokes) == 1 and canvas.can_redo()
    canvas.redo()
    assert len(canvas.drawing().strokes) == 2 and not canvas.can_redo()
    canvas.clear()
    assert canvas.drawing() == Drawing() and canvas.is_empty()
    canvas.undo()  # clear is undoable
    assert len(canvas.drawing().strokes) == 2
    canvas.undo()
    assert canvas.can_redo()
    drag_logical(canvas, [(10, 10), (20, 20)])  # a new stroke drops the redo branch
    assert not canvas.can_redo()
    assert [len(s.points) for s in canvas.drawing().strokes] == [2, 2]
    assert_points(canvas.drawing().strokes[1], [(10, 10), (20, 20)])


def test_set_drawing_is_undoable(canvas):
    sample = Drawing((Stroke([(10, 10), (200, 200)], 12.0),))
    canvas.set_drawing(sample)
    assert canvas.drawing() == sample
    canvas.undo()
    assert canvas.drawing() == Drawing()
    with pytest.raises(ValueError, match="Drawing"):
        canvas.set_drawing("not a drawing")


def test_lost_release_does_not_lock_the_canvas(canvas):
    drag_logical(canvas, [(20, 20), (60, 60)], release=False)
    drag_logical(canvas, [(100, 100), (150, 150)])  # the first release never arrived
    assert_points(canvas.drawing().strokes[0], [(20, 20), (60, 60)])
    assert_points(canvas.drawing().strokes[1], [(100, 100), (150, 150)])
    drag_logical(canvas, [(200, 200), (210, 210)], release=False)
    # The left button is no longer held.
    drag_logical(canvas, [(250, 250), (260, 260)], button=RIGHT)
    assert [len(s.points) for s in canvas.drawing().strokes] == [2, 2, 2, 2]
    assert canvas.drawing().strokes[3].erase


def test_right_drag_and_eraser_mode_erase(canvas):
    drag_logical(canvas, [(40, 140), (240, 140)])
    drag_logical(canvas, [(140, 100), (140, 180)], button=RIGHT)
    assert canvas.drawing().strokes[1].erase
    assert render(canvas.drawing())[140, 140] == 0  # ink wiped where erased
    assert render(canvas.drawing())[140, 60] == 255
    canvas.set_eraser(True)
    assert canvas.eraser
    drag_logical(canvas, [(50, 100), (50, 180)])
    assert canvas.drawing().strokes[2].erase
    assert render(canvas.drawing())[140, 50] == 0


def test_brush_size_is_used_and_clamped(canvas):
    canvas.set_brush_size(30)
    drag_logical(canvas, [(50, 50), (150, 50)], release=False)
    canvas.set_brush_size(10)  # applies to the next stroke, not this one
    release_at(canvas, 150, 50)
    drag_logical(canvas, [(50, 150), (150, 150)])
    assert [s.width for s in canvas.drawing().strokes] == [30, 10]
    assert render(canvas.drawing())[50 + 13, 100] == 255
    assert render(canvas.drawing())[150 + 13, 100] == 0
    canvas.set_brush_size(1000)
    assert canvas.brush_size == BRUSH_MAX
    canvas.set_brush_size(0)
    assert canvas.brush_size == BRUSH_MIN


def test_fast_move_draws_continuous_line(canvas):
    drag_logical(canvas, [(20, 20), (260, 260)], release=False)  # one huge jump
    t = np.linspace(0.0, 1.0, 60)
    on_screen = gray(canvas.grab().toImage())
    along = [logical_pos(canvas, 20 + 240 * s, 20 + 240 * s) for s in t]
    assert min(on_screen[round(p.y()), round(p.x())] for p in along) > 200
    release_at(canvas, 260, 260)
    pixels = render(canvas.drawing())
    idx = np.round(20 + 240 * t).astype(int)
    assert pixels[idx, idx].min() > 200
    assert pixels[20, 260] == 0  # and nothing off the segment


def test_click_draws_a_dot(canvas):
    drag_logical(canvas, [(CANVAS_WIDTH / 2, CANVAS_SIZE / 2)])
    (stroke,) = canvas.drawing().strokes
    assert len(stroke.points) == 1
    assert (
        gray(canvas.grab().toImage())[
            canvas.canvas_rect().center().y(), canvas.canvas_rect().center().x()
        ]
        > 200
    )
    assert render(canvas.drawing(), width=560)[140, 280] == 255


def test_save_png_is_atomic_and_matches_render(canvas, tmp_path):
    drag_logical(canvas, [(60, 60), (220, 60), (120, 240)])
    drag_logical(canvas, [(450, 50), (450, 240)])  # a 1 in the right half: 71
    target = tmp_path / "seven.png"
    target.write_bytes(b"old")
    save_png(canvas.drawing(), target, width=560)
    assert [p.name for p in tmp_path.iterdir()] == ["seven.png"]  # no temp files
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    with Image.open(target) as img:
        assert img.format == "PNG" and img.size == (560, 280)
        pixels = np.asarray(img.convert("L"))
    np.testing.assert_array_equal(pixels, render(canvas.drawing(), width=560))
    assert pixels[140, 450] == 255  # the whole canvas, the 1 included
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError):
        save_png(canvas.drawing(), tmp_path / "folder")  # a directory: replace fails
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "seven.png"]


def _pen(pointer=QPointingDevice.PointerType.Pen) -> QPointingDevice:
    caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    return QPointingDevice(
        "test pen", 4242, QInputDevice.DeviceType.Stylus, pointer, caps, 1, 2
    )


@pytest.mark.parametrize(
    ("pointer", "erase"),
    [
        (QPointingDevice.PointerType.Pen, False),
        (QPointingDevice.PointerType.Eraser, True),
    ],
)
def test_tablet_events_make_a_stroke(canvas, pointer, erase):
    device = _pen(pointer)
    steps = [
        (QEvent.Type.TabletPress, (30, 40), LEFT, LEFT),
        (QEvent.Type.TabletMove, (150, 60), NONE, LEFT),
        (QEvent.Type.TabletRelease, (200, 200), LEFT, NONE),
    ]
    for kind, (x, y), button, buttons in steps:
        pos = logical_pos(canvas, x, y)
        event = QTabletEvent(
            kind, device, pos, QPointF(canvas.mapToGlobal(pos)),
            0.6, 0.0, 0.0, 0.0, 0.0, 0.0,
            Qt.KeyboardModifier.NoModifier, button, buttons,
        )  # fmt: skip
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()  # so Qt does not also synthesise mouse events
    (stroke,) = canvas.drawing().strokes
    assert_points(stroke, [(30, 40), (150, 60), (200, 200)])
    assert stroke.erase is erase


def test_single_touch_makes_a_stroke(canvas):
    device = QTest.createTouchDevice()
    logical = [(50, 50), (120, 90), (200, 90)]
    # QTest.touchEvent(widget, ...) takes window-system (global) positions here: the
    # offscreen platform puts the window at (2, 2), which it does not subtract.
    offset = canvas.mapToGlobal(QPoint(0, 0))
    points = [logical_pos(canvas, x, y).toPoint() + offset for x, y in logical]
    QTest.touchEvent(canvas, device).press(0, points[0]).commit()
    QTest.touchEvent(canvas, device).move(0, points[1]).commit()
    QTest.touchEvent(canvas, device).release(0, points[2]).commit()
    (stroke,) = canvas.drawing().strokes
    half_pixel = 0.5 * CANVAS_SIZE / canvas.canvas_rect().height()
    assert_points(stroke, logical, half_pixel)


def test_drawn_digit_reaches_the_network_input(canvas):
    drag_logical(canvas, [(60, 50), (220, 50), (200, 90), (130, 250)])  # a 7
    image = drawing_to_mnist(canvas.drawing())
    assert image is not None
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.max() == pytest.approx(1.0)
    assert drawing_to_mnist(DrawingCanvas().drawing()) is None


def test_canvas_is_wide_focusable_and_described(canvas):
    assert canvas.objectName() == "canvas"
    assert canvas.hasHeightForWidth() and canvas.heightForWidth(604) == 304
    assert canvas.minimumWidth() >= 400 and canvas.minimumHeight() >= 200
    square = canvas.centre_square()
    assert square.width() == square.height() == canvas.canvas_rect().height()
    assert square.center().x() == pytest.approx(
        canvas.canvas_rect().center().x(), abs=1
    )
    assert canvas.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert "right-drag erases" in canvas.accessibleDescription()
    assert canvas.testAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)


def test_reference_image_is_shown_but_not_drawn(canvas):
    reference = np.zeros((28, 28), np.uint8)
    reference[10:18, 10:18] = 255
    canvas.set_reference(reference)
    assert canvas.has_reference()
    assert canvas.drawing().is_empty  # only shown, never part of the drawing
    pixels = gray(canvas.grab().toImage())
    # The reference fills the square in the middle of the canvas, not stretched.
    centre = logical_pos(canvas, CANVAS_WIDTH / 2, CANVAS_SIZE / 2)
    assert pixels[int(centre.y()), int(centre.x())] > 40
    for x, y in [(140, 140), (CANVAS_WIDTH - 140, 140), (CANVAS_WIDTH / 2, 20)]:
        outside = logical_pos(canvas, x, y)
        assert pixels[int(outside.y()), int(outside.x())] < 5
    canvas.clear()
    assert not canvas.has_reference()

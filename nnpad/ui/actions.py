"""The window's actions: menus, shortcuts, tooltips, and what each one calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QMainWindow, QSlider

    from nnpad.ui.canvas import DrawingCanvas
    from nnpad.ui.commands import Commands
    from nnpad.ui.training_worker import TrainingController

Keys = list[QKeySequence | str] | QKeySequence.StandardKey


def _action(
    window: QMainWindow,
    text: str,
    tip: str,
    keys: Keys,
    slot: Callable[..., object],
    *,
    checkable: bool = False,
) -> QAction:
    action = QAction(text, window)
    if isinstance(keys, QKeySequence.StandardKey):
        action.setShortcuts(keys)
    else:
        action.setShortcuts([QKeySequence(k) for k in keys])
    shown = ", ".join(
        k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
    )
    action.setToolTip(f"{tip} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work wherever the focus is
    return action


def tool_button(action: QAction) -> QToolButton:
    """A button for the toolbar under the canvas, named for screen readers."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setAccessibleName(action.text().replace("&", ""))
    return button


class Actions:
    """Every action of the main window, and its menu bar.

    ``show_tab(index)`` switches the right-hand tabs (0 look inside, 1 train) and
    ``train`` starts a run with the Train tab's settings.
    """

    def __init__(
        self,
        window: QMainWindow,
        commands: Commands,
        canvas: DrawingCanvas,
        brush: QSlider,
        controller: TrainingController,
        *,
        show_tab: Callable[[int], None],
        train: Callable[[], None],
    ) -> None:
        a = _action
        c = commands
        self.open_image = a(
            window,
            "&Open image…",
            "Classify a PNG or JPEG image of a digit",
            QKeySequence.StandardKey.Open,
            c.open_image,
        )
        self.save_drawing = a(
            window,
            "&Save drawing…",
            "Save the drawing as a PNG image",
            QKeySequence.StandardKey.Save,
            c.save_drawing,
        )
        self.open_model = a(
            window,
            "Open &model…",
            "Recognise with a saved .keras model",
            ["Ctrl+Shift+O"],
            c.open_model,
        )
        self.save_model = a(
            window,
            "Save model &as…",
            "Save a copy of the model in use",
            ["Ctrl+Shift+S"],
            c.save_model,
        )
        self.default_model = a(
            window,
            "Use the shipped &model",
            "Go back to the model that comes with nnpad",
            [],
            c.use_default_model,
        )
        self.quit = a(window, "&Quit", "Quit nnpad", ["Ctrl+Q"], window.close)
        self.undo = a(window, "&Undo", "Undo the last stroke", ["Ctrl+Z"], canvas.undo)
        self.redo = a(
            window,
            "&Redo",
            "Redo the stroke undone",
            ["Ctrl+Shift+Z", "Ctrl+Y"],
            canvas.redo,
        )
        self.clear = a(
            window, "&Clear", "Clear the canvas", ["Esc", "Delete"], canvas.clear
        )
        self.eraser = a(
            window,
            "&Eraser",
            "Erase with the left button (the right button always erases)",
            ["E"],
            canvas.set_eraser,
            checkable=True,
        )
        self.bigger = a(
            window,
            "&Bigger brush",
            "Make the brush bigger",
            ["]", "+"],
            lambda: brush.setValue(brush.value() + 2),
        )
        self.smaller = a(
            window,
            "S&maller brush",
            "Make the brush smaller",
            ["[", "-"],
            lambda: brush.setValue(brush.value() - 2),
        )
        self.sample = a(
            window,
            "Random MNIST &sample",
            "Show a random MNIST digit on the canvas to compare with or trace over",
            ["R"],
            c.show_sample,
        )
        self.train = a(
            window,
            "&Train",
            "Train a new network with the Train tab's settings",
            ["Ctrl+T"],
            train,
        )
        self.stop = a(
            window,
            "&Stop training",
            "Stop training (epochs already done are kept)",
            ["Ctrl+."],
            controller.stop,
        )
        self.look_inside = a(
            window,
            "&Look inside",
            "Show every layer's activations",
            ["Ctrl+1"],
            lambda: show_tab(0),
        )
        self.train_tab = a(
            window,
            "Train &panel",
            "Show the training panel",
            ["Ctrl+2"],
            lambda: show_tab(1),
        )
        self.evaluate_tab = a(
            window,
            "&Evaluate panel",
            "Measure the model and browse its mistakes",
            ["Ctrl+3"],
            lambda: show_tab(2),
        )
        self.samples_tab = a(
            window,
            "&My samples panel",
            "The drawings kept to teach the network your handwriting",
            ["Ctrl+4"],
            lambda: show_tab(3),
        )
        self.about = a(window, "&About nnpad", "About nnpad", [], c.about)
        self._menus(window)

    def _menus(self, window: QMainWindow) -> None:
        bar = window.menuBar()
        for title, actions in (
            (
                "&File",
                [
                    self.open_image,
                    self.save_drawing,
                    None,
                    self.open_model,
                    self.save_model,
                    self.default_model,
                    None,
                    self.quit,
                ],
            ),
            (
                "&Edit",
                [
                    self.undo,
                    self.redo,
                    self.clear,
                    None,
                    self.eraser,
                    self.bigger,
                    self.smaller,
                    None,
                    self.sample,
                ],
            ),
            ("&Train", [self.train, self.stop]),
            (
                "&View",
                [self.look_inside, self.train_tab, self.evaluate_tab, self.samples_tab],
            ),
            ("&Help", [self.about]),
        ):
            menu = bar.addMenu(title)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)

    def canvas_tools(self) -> list[QToolButton]:
        """Buttons for the row under the canvas."""
        return [
            tool_button(action)
            for action in (self.undo, self.redo, self.clear, self.eraser, self.sample)
        ]

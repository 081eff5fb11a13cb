"""The window's actions as a table: name, text, tip, keys, what each calls, and when.

Each row of :data:`ACTIONS` is plain data; :class:`Actions` makes the QActions from
it, fills the menus (:data:`MENUS`) and keeps each action enabled while its
``enabled_when`` holds (:meth:`Actions.refresh`). Handlers and conditions are given
the window's parts (:class:`Parts`), so the table names what it calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from PySide6.QtWidgets import QMainWindow, QSlider

    from nnpad.ui.drawing.canvas import DrawingCanvas
    from nnpad.ui.training.training_worker import TrainingController
    from nnpad.ui.window.commands import Commands
    from nnpad.ui.window.panels import Panels

Keys = tuple[str, ...] | QKeySequence.StandardKey


@dataclass(frozen=True)
class Parts:
    """What the actions act on."""

    window: QMainWindow
    commands: Commands
    canvas: DrawingCanvas
    brush: QSlider
    controller: TrainingController
    panels: Panels
    train: Callable[[], None]  # start a run with the Train tab's settings


@dataclass(frozen=True)
class ActionSpec:
    """One row of the table: an action and what it does."""

    name: str
    text: str
    tip: str
    keys: Keys
    handler: Callable[[Parts], Callable[..., object]]
    enabled_when: Callable[[Parts], bool] | None = None
    checkable: bool = False


def _brush_by(step: int) -> Callable[[Parts], Callable[..., object]]:
    return lambda p: lambda: p.brush.setValue(p.brush.value() + step)


_OPEN, _SAVE = QKeySequence.StandardKey.Open, QKeySequence.StandardKey.Save

ACTIONS: tuple[ActionSpec, ...] = (
    # -- File
    ActionSpec(
        "open_image",
        "&Open image…",
        "Classify a PNG or JPEG image of a digit",
        _OPEN,
        lambda p: p.commands.open_image,
    ),
    ActionSpec(
        "save_drawing",
        "&Save drawing…",
        "Save the drawing as a PNG image",
        _SAVE,
        lambda p: p.commands.save_drawing,
    ),
    ActionSpec(
        "open_model",
        "Open &model…",
        "Recognise with a saved .keras model",
        ("Ctrl+Shift+O",),
        lambda p: p.commands.open_model,
    ),
    ActionSpec(
        "save_model",
        "Save model &as…",
        "Save a copy of the model in use",
        ("Ctrl+Shift+S",),
        lambda p: p.commands.save_model,
    ),
    ActionSpec(
        "default_model",
        "Use the shipped &FNN",
        "Read with the feedforward network that comes with nnpad (the default)",
        (),
        lambda p: p.commands.use_default_model,
    ),
    ActionSpec(
        "shipped_cnn",
        "Use the shipped &CNN",
        "Read with the convolutional network that comes with nnpad",
        (),
        lambda p: p.commands.use_shipped_cnn,
    ),
    ActionSpec("quit", "&Quit", "Quit nnpad", ("Ctrl+Q",), lambda p: p.window.close),
    # -- Edit
    ActionSpec(
        "undo",
        "&Undo",
        "Undo the last stroke",
        ("Ctrl+Z",),
        lambda p: p.canvas.undo,
        enabled_when=lambda p: p.canvas.can_undo(),
    ),
    ActionSpec(
        "redo",
        "&Redo",
        "Redo the stroke undone",
        ("Ctrl+Shift+Z", "Ctrl+Y"),
        lambda p: p.canvas.redo,
        enabled_when=lambda p: p.canvas.can_redo(),
    ),
    ActionSpec(
        "clear",
        "&Clear",
        "Clear the canvas",
        ("Esc", "Delete"),
        lambda p: p.canvas.clear,
    ),
    ActionSpec(
        "eraser",
        "&Eraser",
        "Erase with the left button (the right button always erases)",
        ("E",),
        lambda p: p.canvas.set_eraser,
        checkable=True,
    ),
    ActionSpec(
        "bigger", "&Bigger brush", "Make the brush bigger", ("]", "+"), _brush_by(2)
    ),
    ActionSpec(
        "smaller",
        "S&maller brush",
        "Make the brush smaller",
        ("[", "-"),
        _brush_by(-2),
    ),
    ActionSpec(
        "sample",
        "Random MNIST &sample",
        "Show a random MNIST digit on the canvas to compare with or trace over",
        ("R",),
        lambda p: p.commands.show_sample,
    ),
    # -- Train
    ActionSpec(
        "train",
        "&Train",
        "Train a new network with the Train tab's settings",
        ("Ctrl+T",),
        lambda p: p.train,
        enabled_when=lambda p: not p.controller.is_running(),
    ),
    ActionSpec(
        "stop",
        "&Stop training",
        "Stop training (epochs already done are kept)",
        ("Ctrl+.",),
        lambda p: p.controller.stop,
        enabled_when=lambda p: p.controller.is_running(),
    ),
    # -- View: the tabs, by name
    ActionSpec(
        "look_inside",
        "&Look inside",
        "Show every layer's activations",
        ("Ctrl+1",),
        lambda p: lambda: p.panels.show("inside"),
    ),
    ActionSpec(
        "train_tab",
        "Train &panel",
        "Show the training panel",
        ("Ctrl+2",),
        lambda p: lambda: p.panels.show("train"),
    ),
    ActionSpec(
        "evaluate_tab",
        "&Evaluate panel",
        "Measure the model and browse its mistakes",
        ("Ctrl+3",),
        lambda p: lambda: p.panels.show("evaluate"),
    ),
    ActionSpec(
        "samples_tab",
        "&My samples panel",
        "The drawings kept to teach the network your handwriting",
        ("Ctrl+4",),
        lambda p: lambda: p.panels.show("samples"),
    ),
    # -- Help
    ActionSpec("about", "&About nnpad", "About nnpad", (), lambda p: p.commands.about),
)

MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        "&File",
        (
            "open_image",
            "save_drawing",
            None,
            "open_model",
            "save_model",
            "default_model",
            "shipped_cnn",
            None,
            "quit",
        ),
    ),
    (
        "&Edit",
        ("undo", "redo", "clear", None, "eraser", "bigger", "smaller", None, "sample"),
    ),
    ("&Train", ("train", "stop")),
    ("&View", ("look_inside", "train_tab", "evaluate_tab", "samples_tab")),
    ("&Help", ("about",)),
)
"""The menu bar: each menu's actions by name (None: a separator)."""

CANVAS_TOOLS = ("undo", "redo", "clear", "eraser", "sample")
"""The buttons under the canvas."""


def tool_button(action: QAction) -> QToolButton:
    """A button for the toolbar under the canvas, named for screen readers."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setAccessibleName(action.text().replace("&", ""))
    return button


class Actions:
    """Every action of the main window, made from :data:`ACTIONS`, and its menu bar.

    ``actions["undo"]`` is the QAction named ``undo``.
    """

    def __init__(self, parts: Parts, specs: Iterable[ActionSpec] = ACTIONS) -> None:
        self._parts = parts
        self._specs = {spec.name: spec for spec in specs}
        self._actions = {name: self._make(spec) for name, spec in self._specs.items()}
        self._menus()
        self.refresh()

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def refresh(self) -> None:
        """Enable each action whose condition holds (the others have none)."""
        for name, spec in self._specs.items():
            if spec.enabled_when is not None:
                self._actions[name].setEnabled(spec.enabled_when(self._parts))

    def canvas_tools(self) -> list[QToolButton]:
        """Buttons for the row under the canvas."""
        return [tool_button(self._actions[name]) for name in CANVAS_TOOLS]

    def _make(self, spec: ActionSpec) -> QAction:
        window = self._parts.window
        action = QAction(spec.text, window)
        if isinstance(spec.keys, QKeySequence.StandardKey):
            action.setShortcuts(spec.keys)
        else:
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
        shown = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText)
            for k in action.shortcuts()
        )
        action.setToolTip(f"{spec.tip} ({shown})" if shown else spec.tip)
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        action.triggered.connect(spec.handler(self._parts))
        window.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _menus(self) -> None:
        bar = self._parts.window.menuBar()
        for title, names in MENUS:
            menu = bar.addMenu(title)
            for name in names:
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self._actions[name])

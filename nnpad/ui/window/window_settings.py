"""What the window remembers between sessions: layout, brush, recipe, model."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QByteArray

from nnpad.core.recipe.spec import Recipe, SpecError

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow, QSlider, QSplitter, QTabWidget

    from nnpad.ui.training.training_panel import TrainingPanel

MODEL_PATH = "model/path"
RECIPE = "training/recipe"

T = TypeVar("T", int, str, QByteArray)


def read(settings: QSettings, key: str, default: T) -> T:
    """The setting ``key`` as the type of ``default``; ``default`` when unusable."""
    value = settings.value(key, default, type=type(default))
    return value if isinstance(value, type(default)) else default


def restore_window(
    settings: QSettings,
    window: QMainWindow,
    splitters: dict[str, QSplitter],
    tabs: QTabWidget,
    brush: QSlider,
) -> None:
    """Put the window back as it was (or size it to the screen the first time)."""
    geometry = read(settings, "window/geometry", QByteArray())
    restored = not geometry.isEmpty()
    if restored:
        window.restoreGeometry(geometry)
    else:
        screen = window.screen().availableGeometry()
        width = min(1800, int(screen.width() * 0.9))
        height = min(1100, int(screen.height() * 0.9))
        window.resize(width, height)
        window.move(screen.center() - window.rect().center())
        first = next(iter(splitters.values()))
        first.setSizes([int(width * 0.4), int(width * 0.6)])
    for key, splitter in splitters.items():
        state = read(settings, key, QByteArray())
        if not state.isEmpty():
            splitter.restoreState(state)
    tabs.setCurrentIndex(read(settings, "window/tab", 0))
    brush.setValue(read(settings, "canvas/brush", brush.value()))


def save_window(
    settings: QSettings,
    window: QMainWindow,
    splitters: dict[str, QSplitter],
    tabs: QTabWidget,
    brush: QSlider,
) -> None:
    """Remember the window's geometry, layout, tab and brush."""
    settings.setValue("window/geometry", window.saveGeometry())
    for key, splitter in splitters.items():
        settings.setValue(key, splitter.saveState())
    settings.setValue("window/tab", tabs.currentIndex())
    settings.setValue("canvas/brush", brush.value())


def restore_recipe(settings: QSettings, panel: TrainingPanel) -> None:
    """Fill the Train tab's form with the last recipe, if it is still valid."""
    text = read(settings, RECIPE, "")
    if text:
        try:
            panel.set_recipe(Recipe.from_json(text))
        except SpecError:
            pass  # settings from another version: keep the form's default


def save_recipe(settings: QSettings, panel: TrainingPanel) -> None:
    """Remember the Train tab's recipe, if the form holds a valid one."""
    try:
        settings.setValue(RECIPE, panel.recipe().to_json())
    except SpecError:
        pass

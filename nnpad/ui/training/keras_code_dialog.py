"""A recipe as Keras code: put on the clipboard and shown in a small window.

The code (:func:`nnpad.core.recipe.keras_code.keras_code`) has the article's shape
(Sequential, compile, fit) and builds the same network as the recipe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.recipe.keras_code import keras_code

if TYPE_CHECKING:
    from nnpad.core.recipe.spec import Recipe


def show_keras_code(parent: QWidget, recipe: Recipe) -> QDialog:
    """Copy ``recipe`` as Keras code to the clipboard and show it (not modal)."""
    code = keras_code(recipe)
    QGuiApplication.clipboard().setText(code)
    dialog = QDialog(parent)
    dialog.setObjectName("kerasCode")
    dialog.setWindowTitle("The recipe as Keras code")
    text = QPlainTextEdit(code)
    text.setReadOnly(True)
    text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    text.setAccessibleName("Keras code")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Copied to the clipboard:"))
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(620, 520)
    dialog.show()
    return dialog

"""The Train form with conv layers: presets, rows, refusals, shapes, Keras code."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from nnpad.core.recipe.conv_spec import Conv2D, Flatten, MaxPooling2D
from nnpad.core.recipe.keras_code import keras_code
from nnpad.core.recipe.presets import preset
from nnpad.ui.training.recipe_form import RecipeForm

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def form(qtbot) -> RecipeForm:
    widget = RecipeForm()
    qtbot.addWidget(widget)
    return widget


def test_the_cnn_presets_are_offered_and_shown_as_rows(form: RecipeForm) -> None:
    names = [form.preset_combo.itemText(i) for i in range(form.preset_combo.count())]
    assert {"cnn", "cnn-small", "classic"} <= set(names)
    form.preset_combo.setCurrentText("cnn-small")
    form.preset_combo.activated.emit(form.preset_combo.currentIndex())
    assert form.recipe() == preset("cnn-small")
    assert len(form.conv_editor.rows()) == 5
    # Each layer's output shape and how its parameters add up.
    table = form.layer_table.text()
    assert "28×28×8" in table and "8 × 3×3×1 + 8 = 80" in table
    assert "7,018 parameters" in table


def test_the_form_builds_a_conv_recipe_from_its_rows(form: RecipeForm) -> None:
    assert form.conv_editor.layers() == ()  # classic: a feedforward network
    form.hidden_edit.setText("")
    form.activation_combo.setCurrentText("relu")
    for _ in range(3):
        form.conv_editor.add_button.click()
    rows = form.conv_editor.rows()
    rows[0].filters.setValue(12)
    rows[0].kernel.setValue(5)
    rows[2].kind.setCurrentIndex(rows[2].kind.findData("Flatten"))
    conv = form.recipe().architecture.conv
    assert conv == (Conv2D(12, 5), MaxPooling2D(2), Flatten())
    assert form.recipe().architecture.hidden == ()
    assert form.is_valid()
    assert "12 × 5×5×1 + 12 = 312" in form.layer_table.text()

    rows[1].remove_button.click()
    assert form.recipe().architecture.conv == (Conv2D(12, 5), Flatten())


def test_a_recipe_that_cannot_work_is_refused_before_training(
    form: RecipeForm,
) -> None:
    form.set_recipe(preset("cnn-small"))
    valid: list[bool] = []
    form.validity_changed.connect(valid.append)
    form.conv_editor.rows()[2].kernel.setValue(20)  # gets 14×14 maps
    assert valid == [False]
    assert not form.error_label.isHidden()
    assert "20×20 kernel but gets 14×14 maps" in form.error_label.text()
    assert form.layer_table.isHidden()
    form.conv_editor.rows()[2].kernel.setValue(3)
    assert valid == [False, True]


def test_copy_as_keras_code_puts_code_that_compiles_on_the_clipboard(
    form: RecipeForm, qtbot
) -> None:
    form.set_recipe(preset("cnn"))
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(form.keras_button, LEFT)
    code = QGuiApplication.clipboard().text()
    assert code == keras_code(preset("cnn"))
    compile(code, "<keras code>", "exec")
    assert "layers.Conv2D(32" in code and "model.fit(" in code
    dialog = form.findChild(object, "kerasCode")
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_the_wheel_scrolls_past_fields_it_is_not_in(form: RecipeForm, qtbot) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    form.show()
    qtbot.waitExposed(form)
    spin = form.batch_spin
    before = spin.value()
    centre = QPointF(spin.rect().center())
    turn = QWheelEvent(
        centre,
        QPointF(spin.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(spin, turn)
    assert spin.value() == before  # not focused: the form scrolls instead
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    QApplication.sendEvent(spin, turn)
    assert spin.value() != before

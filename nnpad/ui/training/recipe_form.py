"""The recipe editor: presets and every setting of a `~nnpad.core.recipe.spec.Recipe`.

Invalid input is explained in red under the form and reported by ``validity_changed``
so that the Train button can be disabled.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, SignalInstance, Slot
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.recipe.layer_table import format_table, layer_table
from nnpad.core.recipe.presets import ALL_PRESETS, PRESET_DESCRIPTIONS, preset
from nnpad.core.recipe.spec import (
    ACTIVATIONS,
    LR_SCHEDULES,
    Architecture,
    Augmentation,
    Recipe,
    SpecError,
    TrainConfig,
)
from nnpad.ui.style import ERROR_STYLE, LAYER_TABLE_STYLE, QUIET_STYLE
from nnpad.ui.training import keras_code_dialog
from nnpad.ui.training.conv_layers_editor import ConvLayersEditor
from nnpad.ui.training.recipe_fields import (
    ExactSpinBox,
    FloatEdit,
    guard_wheel,
    parse_hidden,
)


class RecipeForm(QWidget):
    """Edit a recipe; invalid input is explained in red under the form."""

    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._seed = 0  # not shown; kept from the last recipe set
        self._valid = True
        self._code_dialog: QWidget | None = None
        self.preset_combo = QComboBox()
        self.preset_combo.addItems(list(ALL_PRESETS))
        for index, name in enumerate(ALL_PRESETS):
            self.preset_combo.setItemData(
                index, PRESET_DESCRIPTIONS.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.preset_description = QLabel()
        self.preset_description.setObjectName("presetDescription")
        self.preset_description.setWordWrap(True)
        self.preset_description.setStyleSheet(QUIET_STYLE)
        self.conv_editor = ConvLayersEditor()
        self.layer_table = QLabel()
        self.layer_table.setObjectName("layerTable")
        self.layer_table.setStyleSheet(LAYER_TABLE_STYLE)
        self.layer_table.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.keras_button = QPushButton("Copy as Keras code")
        self.keras_button.setObjectName("copyKerasCode")
        self.keras_button.setAccessibleName("Copy as Keras code")
        self.keras_button.setToolTip(
            "Put this recipe on the clipboard as Keras code: Sequential, compile, fit"
        )
        self.keras_button.clicked.connect(self.copy_keras_code)
        self.hidden_edit = QLineEdit()
        self.hidden_edit.setPlaceholderText("128, 64")
        self.activation_combo = QComboBox()
        self.activation_combo.addItems(list(ACTIVATIONS))
        self.dropout_spin = ExactSpinBox(0.0, 0.9, 0.05, 2)
        self.batch_norm_check = QCheckBox("Batch nor&malization")
        self.l2_edit = FloatEdit("L2")
        self.lr_edit = FloatEdit("learning rate")
        # Integer spins start at 0 so that the spec, not the widget, says what is wrong.
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(0, 65536)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(0, 1000)
        self.val_split_spin = ExactSpinBox(0.0, 0.5, 0.05, 3)
        self.schedule_combo = QComboBox()
        self.schedule_combo.addItems(list(LR_SCHEDULES))
        self.rotation_spin = ExactSpinBox(0.0, 45.0, 1.0, 1)
        self.shift_spin = ExactSpinBox(0.0, 6.0, 0.5, 1)
        self.zoom_spin = ExactSpinBox(0.0, 0.5, 0.02, 2)
        self.train_samples_spin = QSpinBox()
        self.train_samples_spin.setRange(0, 10**8)
        self.train_samples_spin.setSpecialValueText("all")
        self.patience_spin = QSpinBox()
        self.patience_spin.setRange(0, 1000)
        self.patience_spin.setSpecialValueText("off")
        self.restore_check = QCheckBox("Keep the best epoch's weights")
        self.outliers_spin = QSpinBox()
        self.outliers_spin.setRange(0, 1_000_000)
        self.outliers_spin.setSingleStep(5000)
        self.outliers_spin.setSpecialValueText("none")
        self.outlier_weight_spin = ExactSpinBox(0.0, 10.0, 0.1, 2)
        self.advanced_button = QToolButton()
        self.advanced_button.setText("E&xtra settings")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolTip(
            "Augmentation, learning-rate decay, early stopping, fewer images"
        )
        self.advanced_button.setAccessibleName("Extra settings")
        self.error_label = QLabel()
        self.error_label.setObjectName("recipeError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._lay_out()
        guard_wheel(
            [*self.findChildren(QAbstractSpinBox), *self.findChildren(QComboBox)]
        )
        self.set_recipe(preset("classic"))
        self.preset_combo.activated.connect(self._on_preset)
        for signal in self._change_signals():
            signal.connect(self._revalidate)

    def _lay_out(self) -> None:
        form = QFormLayout()
        rows: list[tuple[str, Any, str]] = [
            ("Start &with:", self.preset_combo, "Fill the form with a tried recipe"),
            ("", self.preset_description, "What this recipe shows"),
            (
                "Conv layers:",
                self.conv_editor,
                "The layers of a convolutional network before its Dense layers",
            ),
            (
                "Hidden la&yers:",
                self.hidden_edit,
                "Neurons per hidden layer, e.g. 128, 64",
            ),
            ("A&ctivation:", self.activation_combo, "Activation of the hidden layers"),
            ("Dr&opout:", self.dropout_spin, "Share of neurons dropped while training"),
            ("", self.batch_norm_check, "Normalize each hidden layer's inputs"),
            ("L&2 weight decay:", self.l2_edit, "Penalty on large weights, e.g. 1e-4"),
            ("Lea&rning rate:", self.lr_edit, "Adam's step size, e.g. 0.001"),
            ("Batch si&ze:", self.batch_spin, "Images per training step"),
            ("E&pochs:", self.epochs_spin, "Passes over the training images"),
            ("Val&idation split:", self.val_split_spin, "Share held out to validate"),
        ]
        advanced = QFormLayout()
        more = self._advanced_rows()
        for section, entries in ((form, rows), (advanced, more)):
            for label, widget, tip in entries:
                widget.setToolTip(tip)
                name = label.replace("&", "").rstrip(":") or widget.text()
                widget.setAccessibleName(name.replace("&", ""))
                section.addRow(label, widget)
        self.preset_combo.setAccessibleName("Preset")
        self._advanced = QWidget()
        self._advanced.setLayout(advanced)
        self._advanced.hide()
        self.advanced_button.toggled.connect(self._advanced.setVisible)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.layer_table)
        layout.addWidget(self.keras_button)
        layout.addWidget(self.advanced_button)
        layout.addWidget(self._advanced)
        layout.addWidget(self.error_label)

    def _advanced_rows(self) -> list[tuple[str, Any, str]]:
        """The extra settings: label, field and tip."""
        return [
            (
                "Rotation (°):",
                self.rotation_spin,
                "Random rotation of training images",
            ),
            ("Shift (px):", self.shift_spin, "Random shift of training images"),
            ("Zoom:", self.zoom_spin, "Random zoom, 0.1 means ±10%"),
            ("Learning-rate decay:", self.schedule_combo, "Constant or cosine decay"),
            (
                "Early stopping after:",
                self.patience_spin,
                "Stop when the validation loss has not improved for this many"
                " epochs (off: train every epoch)",
            ),
            (
                "",
                self.restore_check,
                "End with the weights of the epoch with the lowest validation loss",
            ),
            (
                "Non-digits to learn from:",
                self.outliers_spin,
                "Drawings that are not digits (scribbles, shapes, letters), drawn"
                " for the training, so the network learns to say 'not a digit'",
            ),
            (
                "Their weight:",
                self.outlier_weight_spin,
                "Weight of the non-digits' loss (0.5 is usual)",
            ),
            (
                "Train on the first:",
                self.train_samples_spin,
                "Train on only this many images (after the validation split): few"
                " images make a network overfit",
            ),
        ]

    def _change_signals(self) -> list[SignalInstance]:
        spins: tuple[QDoubleSpinBox | QSpinBox, ...] = (
            self.dropout_spin,
            self.batch_spin,
            self.epochs_spin,
        )
        spins += (self.val_split_spin, self.rotation_spin, self.shift_spin)
        combos = (self.activation_combo, self.schedule_combo)
        edits = (self.hidden_edit, self.l2_edit, self.lr_edit)
        spins += (self.patience_spin, self.train_samples_spin, self.outliers_spin)
        spins += (self.outlier_weight_spin,)
        return [
            *(s.valueChanged for s in (*spins, self.zoom_spin)),
            *(c.currentIndexChanged for c in combos),
            *(e.textChanged for e in edits),
            self.batch_norm_check.toggled,
            self.restore_check.toggled,
            self.conv_editor.changed,
        ]

    def recipe(self) -> Recipe:
        """The recipe in the form, validated; raises SpecError (shown) when invalid."""
        try:
            recipe = self._read()
        except SpecError as exc:
            self._set_error(str(exc))
            raise
        self._set_error("")
        return recipe

    def _read(self) -> Recipe:
        augmentation = Augmentation(
            rotation=self.rotation_spin.exact_value(),
            shift=self.shift_spin.exact_value(),
            zoom=self.zoom_spin.exact_value(),
        )
        conv = self.conv_editor.layers()
        model = Architecture(
            conv=conv,
            hidden=parse_hidden(self.hidden_edit.text(), may_be_empty=bool(conv)),
            activation=self.activation_combo.currentText(),
            dropout=self.dropout_spin.exact_value(),
            batch_norm=self.batch_norm_check.isChecked(),
            l2=self.l2_edit.value(),
            augmentation=augmentation,
        )
        train = TrainConfig(
            learning_rate=self.lr_edit.value(),
            lr_schedule=self.schedule_combo.currentText(),
            batch_size=self.batch_spin.value(),
            epochs=self.epochs_spin.value(),
            validation_split=self.val_split_spin.exact_value(),
            seed=self._seed,
            train_samples=self.train_samples_spin.value() or None,
            early_stopping_patience=self.patience_spin.value(),
            restore_best_weights=self.restore_check.isChecked(),
            outliers=self.outliers_spin.value(),
            outlier_exposure=self.outlier_weight_spin.exact_value(),
        )
        return Recipe(model, train).validate()

    def set_recipe(self, recipe: Recipe) -> None:
        """Fill the form from ``recipe``."""
        model, train, aug = (
            recipe.architecture,
            recipe.train,
            recipe.architecture.augmentation,
        )
        self.conv_editor.set_layers(model.conv)
        self.hidden_edit.setText(", ".join(str(n) for n in model.hidden))
        self.activation_combo.setCurrentText(model.activation)
        self.dropout_spin.set_exact(model.dropout)
        self.batch_norm_check.setChecked(model.batch_norm)
        self.l2_edit.set_value(model.l2)
        self.lr_edit.set_value(train.learning_rate)
        self.batch_spin.setValue(train.batch_size)
        self.epochs_spin.setValue(train.epochs)
        self.val_split_spin.set_exact(train.validation_split)
        self.schedule_combo.setCurrentText(train.lr_schedule)
        self.rotation_spin.set_exact(aug.rotation)
        self.shift_spin.set_exact(aug.shift)
        self.zoom_spin.set_exact(aug.zoom)
        self.train_samples_spin.setValue(train.train_samples or 0)
        self.patience_spin.setValue(train.early_stopping_patience)
        self.restore_check.setChecked(train.restore_best_weights)
        self.outliers_spin.setValue(train.outliers)
        self.outlier_weight_spin.set_exact(train.outlier_exposure)
        self._seed = train.seed
        name = next((n for n, make in ALL_PRESETS.items() if make() == recipe), None)
        if name is not None:
            self.preset_combo.setCurrentText(name)
        self.preset_description.setText(
            PRESET_DESCRIPTIONS.get(name, "") if name else "Your own recipe."
        )
        self._revalidate()

    def is_valid(self) -> bool:
        """Whether the form holds a valid recipe."""
        return self._valid

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        self.set_recipe(preset(self.preset_combo.itemText(index)))

    @Slot()
    def _revalidate(self) -> None:
        try:
            recipe = self.recipe()
        except SpecError:
            self.layer_table.setText("")
            self.layer_table.hide()
            return
        self.layer_table.setText(format_table(layer_table(recipe.architecture)))
        self.layer_table.show()

    @Slot()
    def copy_keras_code(self) -> None:
        """Put the recipe on the clipboard as Keras code and show it (if valid)."""
        try:
            recipe = self.recipe()
        except SpecError:
            return  # the form says why
        self._code_dialog = keras_code_dialog.show_keras_code(self, recipe)

    def _set_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if self._valid != (not message):
            self._valid = not message
            self.validity_changed.emit(self._valid)

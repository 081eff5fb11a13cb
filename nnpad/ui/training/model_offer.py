"""A finished training's model on offer: "Use it", "Save…" or "Discard"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from nnpad.core.model import store
from nnpad.core.progress import format_percent
from nnpad.ui.window import dialogs

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from nnpad.core.progress import TrainResult


def button(text: str, name: str, tip: str) -> QPushButton:
    """A push button with a mnemonic, an object name, a tooltip and a spoken name."""
    push = QPushButton(text)
    push.setObjectName(name)
    push.setToolTip(tip)
    push.setAccessibleName(text.replace("&", "").rstrip("…"))
    return push


def _accuracy_line(result: TrainResult, current: float | None) -> str:
    """The new model's validation accuracy beside the one it is compared with.

    A fine-tuning is compared with its starting model on the same MNIST check
    images; a new training with the model in use's recorded figure.
    """
    new = format_percent(result.val_accuracy)
    before = result.val_accuracy_before
    if before is None:
        return (
            f"New model: val accuracy {new} — current model: {format_percent(current)}"
        )
    return (
        f"New model: val accuracy {new} on MNIST check images — the model it"
        f" started from: {format_percent(before)}"
    )


def _held_out_line(result: TrainResult) -> str:
    """For a fine-tuning: my held-out samples, before and after."""
    figures = getattr(result, "figures", None)
    if figures is None:
        return ""
    found = figures()
    before, after = found.get("mine_before"), found.get("mine_after")
    if not (before and after):
        return ""
    was, now = format_percent(before["accuracy"]), format_percent(after["accuracy"])
    return f"<br>your {after['samples']} held-out samples: {was} → {now}"


class ModelOffer(QWidget):
    """The new model's accuracy beside the current one's, and what to do with it.

    Signals
    -------
    use_requested(TrainResult)
        The person wants the new model in the window.
    changed(bool)
        Whether a model is now on offer.
    """

    use_requested = Signal(object)
    changed = Signal(bool)

    def __init__(
        self,
        trained_on: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._result: TrainResult | None = None
        self._current_accuracy: float | None = None
        self._trained_on = trained_on  # what the run trained on, for metadata
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.use_button = button(
            "&Use it", "useButton", "Recognise drawings with the new model"
        )
        self.save_button = button(
            "S&ave…", "saveButton", "Save the new model to a .keras file"
        )
        self.discard_button = button(
            "&Discard", "discardButton", "Forget the new model"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        for push in (self.use_button, self.save_button, self.discard_button):
            layout.addWidget(push)
        self.use_button.clicked.connect(self._on_use)
        self.save_button.clicked.connect(self._on_save)
        self.discard_button.clicked.connect(self.discard)
        self.offer(None)

    def result(self) -> TrainResult | None:
        """The run on offer (or shown, when it has no usable model)."""
        return self._result

    def set_current_accuracy(self, accuracy: float | None) -> None:
        """The model in use's validation accuracy, for comparison."""
        self._current_accuracy = accuracy
        if self._result is not None:
            self.offer(self._result)

    def offer(self, result: TrainResult | None, note: str = "") -> None:
        """Show ``result`` (None: nothing) with an optional note."""
        self._result = result
        usable = (
            result is not None and result.status != "nan" and result.network is not None
        )
        if result is None:
            text = note
        elif result.status == "nan":
            text = f"Training diverged: {result.message}."
        elif not usable:
            text = "Stopped before the first epoch ended: there is no model to keep."
        else:
            text = _accuracy_line(result, self._current_accuracy)
            if result.status == "stopped":
                text += f" (stopped after {len(result.epochs)} epoch(s))"
            text += _held_out_line(result) + note
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.use_button.setVisible(usable)
        self.save_button.setVisible(usable)
        self.discard_button.setVisible(result is not None)
        self.changed.emit(usable)

    @Slot()
    def discard(self) -> None:
        """Forget the new model."""
        self.offer(None)

    @Slot()
    def _on_use(self) -> None:
        if self._result is not None:
            self.use_requested.emit(self._result)
            self.offer(None, "The new model is now in use.")

    @Slot()
    def _on_save(self) -> None:
        if self._result is None:
            return
        path = dialogs.save_model(self, "Save the new model", "model.keras")
        if path is not None:
            self.save(self._result, path)

    def save(self, result: TrainResult, path: str | Path) -> Path | None:
        """Save atomically; on failure explain in a message box and keep the result."""
        try:
            saved = store.save(result, path, self._trained_on())
        except Exception as exc:  # a full disk, no permission, a Keras error...
            QMessageBox.critical(
                self,
                "Could not save the model",
                f"{exc}\n\nThe new model is still here: try another place.",
            )
            return None
        if result is self._result:
            self.offer(result, f" — saved to {saved.name}")
        return saved

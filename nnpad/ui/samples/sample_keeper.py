"""Keep a drawing in "my samples": confirm the reading with a click, or type the digit.

Under the reading sits one line: "Keep in my samples: [✓ It is a 7] or press the
right digit". The digit keys 0-9 work anywhere in the window (a form field that
takes digits keeps them). The drawing is saved with its strokes and the canvas is
cleared for the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from nnpad.core.data.samples.format import SamplesError
from nnpad.ui.session import set_connected
from nnpad.ui.style import QUIET_STYLE

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from nnpad.core.data.samples.store import SampleStore
    from nnpad.core.reading.recognition import Recognition
    from nnpad.ui.drawing.canvas import DrawingCanvas
    from nnpad.ui.session import Session

_ONE_AT_A_TIME = "✓ one digit at a time"


class SampleKeeper(QObject):
    """The "keep it" line (:attr:`bar`) and the digit-key actions.

    ``saved(label)`` says a sample was kept.
    """

    saved = Signal(int)

    def __init__(
        self, window: QMainWindow, canvas: DrawingCanvas, store: SampleStore
    ) -> None:
        super().__init__(window)
        self.window, self.canvas, self.store = window, canvas, store
        self._digit: int | None = None
        self.bar = QWidget()
        self.bar.setObjectName("sampleKeeper")
        self.confirm = QPushButton()
        self.confirm.setObjectName("confirmDigit")
        self.confirm.setToolTip(
            "Keep this drawing in my samples with this label, to teach the network"
            " your handwriting (Train tab)"
        )
        self.hint = QLabel("or press the right digit key (0-9)")
        self.hint.setStyleSheet(QUIET_STYLE)
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Keep in my samples:"))
        layout.addWidget(self.confirm)
        layout.addWidget(self.hint, 1)
        self.confirm.clicked.connect(self._on_confirm)
        # As wide as its widest text from the start: a reading never resizes it.
        widest = 0
        for text in [*(f"✓ It is a {d}" for d in range(10)), _ONE_AT_A_TIME]:
            self.confirm.setText(text)
            widest = max(widest, self.confirm.sizeHint().width())
        self.confirm.setMinimumWidth(widest)
        self.actions = []
        for digit in range(10):
            action = QAction(f"Keep as {digit}", window)
            action.setShortcut(QKeySequence(str(digit)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, d=digit: self.keep(d))
            window.addAction(action)
            self.actions.append(action)
        self.show_recognition(None)

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Offer to keep what ``session`` reads (from now on), or stop."""
        set_connected([(session.recognized, self.show_recognition)], connect)
        if connect:
            self.show_recognition(session.recognition)

    @Slot(object)
    def show_recognition(self, recognition: Recognition | None) -> None:
        """Offer to keep a drawing that was read as one digit (not a number)."""
        count = 0 if recognition is None else len(recognition.digits)
        drawn = count == 1 and not self.canvas.is_empty()
        reading = recognition.current if drawn and recognition is not None else None
        self._digit = None if reading is None else reading.digit
        if self._digit is not None:
            self.confirm.setText(f"✓ It is a {self._digit}")
        else:
            self.confirm.setText(_ONE_AT_A_TIME if count > 1 else "✓")
        self.confirm.setEnabled(drawn and self._digit is not None)
        for action in self.actions:
            action.setEnabled(drawn)

    @Slot()
    def _on_confirm(self) -> None:
        if self._digit is not None:
            self.keep(self._digit)

    def keep(self, label: int) -> bool:
        """Save the drawing as a sample of ``label``, then clear the canvas."""
        drawing = self.canvas.drawing()
        if drawing.is_empty:
            return False
        try:
            self.store.add(drawing, label)
        except (SamplesError, OSError) as exc:
            QMessageBox.warning(
                self.window,
                "Could not keep the drawing",
                f"{exc}\n\nYour drawing is still on the canvas and the samples kept"
                " before are untouched.",
            )
            return False
        count = self.store.count(label)
        self.window.statusBar().showMessage(
            f"Kept as a {label}: {count} of your {label}s in my samples", 6000
        )
        self.canvas.clear()
        self.saved.emit(label)
        return True

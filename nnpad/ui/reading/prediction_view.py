"""The network's answer: the verdict, the ten probabilities, what it saw and why.

Painted with QPainter, not pyqtgraph: this view is on screen from the first frame,
and pyqtgraph costs a quarter of a second to import (it is loaded after the window
is up, for the panels that need it).

The big text, the colours and the bars follow the verdict: a sure digit in blue, an
unsure reading in amber with its two candidates, "not a digit" in grey. A number
shows as a chip per digit (`NumberStrip`) where one digit's big text goes: the
bars, the input and the saliency are those of the digit chosen there. Nothing a
reading shows changes the view's size, so the canvas above never moves.

Under the input, small, the second opinion: the other shipped network's reading of
the same digit, marked when it disagrees; clicking it reads with that network. Its
room is kept while it is hidden, so the canvas above never moves when it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnpad.core.reading.recognition import ordinal
from nnpad.core.reading.verdict import percent
from nnpad.core.recipe.spec import NUM_CLASSES
from nnpad.ui.digit_images import InputPreview, SaliencyPreview
from nnpad.ui.reading.number_strip import NumberStrip
from nnpad.ui.reading.probability_bars import ProbabilityBars
from nnpad.ui.session import set_connected
from nnpad.ui.style import DISAGREES_STYLE, QUIET_STYLE, VERDICT
from nnpad.ui.verdict_text import Headline, TextLines

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtGui import QColor

    from nnpad.core.reading.recognition import DigitReading, Recognition
    from nnpad.core.reading.second_opinion import SecondOpinion
    from nnpad.ui.session import Session

__all__ = ["PredictionView"]


class PredictionView(QWidget):
    """Shows a `Recognition`: the verdict, the bars, the input and the saliency.

    ``against_chosen(int | None)``: the person asks why the digit and not that one
    (None: why the digit at all).
    """

    against_chosen = Signal(object)
    digit_chosen = Signal(int)
    """The person chose which digit of a number to look at."""
    opinion_chosen = Signal(str)
    """The person asked to read with the network of the second opinion (its name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setAccessibleName("Prediction")
        self._text = ""

        # Painted, not QLabels: the words of a reading never change the view's size
        # (nor ask the window to lay itself out again), so the canvas stays put.
        self._digit = Headline()
        self._digit.setObjectName("digit")
        self._digit.setToolTip("What the network reads")
        self._confidence = TextLines(3)
        self._confidence.setObjectName("confidence")
        self.bars = ProbabilityBars()
        self.preview = InputPreview()
        self.why = SaliencyPreview()
        self.against = QComboBox()
        self.against.setObjectName("againstDigit")
        self.against.setAccessibleName("Why against which digit")
        self.against.addItem("why this digit", None)
        for digit in range(NUM_CLASSES):
            self.against.addItem(f"…and not {digit}", digit)
        self.against.setToolTip("Compare with another digit: why this one and not it")

        self.second = self._second_opinion_button()
        self._opinion: SecondOpinion | None = None

        self.number = NumberStrip()
        self.number.chosen.connect(self.digit_chosen)
        self._which = TextLines(2)
        self._which.setObjectName("whichDigit")
        # One digit's big text or a number's chips, in the same reserved place.
        self._top = QStackedWidget()
        self._top.addWidget(self._digit)
        self._top.addWidget(self.number)
        self._top.setFixedHeight(
            max(self._digit.height(), self.number.minimumSizeHint().height())
        )
        verdict = QVBoxLayout()
        verdict.addStretch(1)
        verdict.addWidget(self._top)
        verdict.addWidget(self._confidence)
        verdict.addWidget(self._which)
        verdict.addStretch(1)

        grid = QGridLayout()
        grid.addLayout(verdict, 0, 0, 2, 1)
        grid.addWidget(self.preview, 0, 1, Qt.AlignmentFlag.AlignHCenter)
        grid.addWidget(
            QLabel("what the network sees"), 1, 1, Qt.AlignmentFlag.AlignHCenter
        )
        grid.addWidget(self.why, 0, 2, Qt.AlignmentFlag.AlignHCenter)
        grid.addWidget(self.against, 1, 2)
        grid.addWidget(self.second, 2, 1, 1, 2, Qt.AlignmentFlag.AlignHCenter)
        grid.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.bars, 1)
        self.against.activated.connect(
            lambda index: self.against_chosen.emit(self.against.itemData(index))
        )
        self.bars.clicked.connect(self._on_bar)
        self.second.clicked.connect(self._on_second)
        self.show_recognition(None)

    def _second_opinion_button(self) -> QPushButton:
        button = QPushButton("")
        button.setObjectName("secondOpinion")
        button.setAccessibleName("Second opinion")
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # its room is kept: nothing moves
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)
        button.setSizePolicy(policy)
        button.hide()
        return button

    def text(self) -> str:
        """The reading as read aloud, e.g. ``"7 (98%)"``; empty with no reading."""
        return self._text

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Show ``session``'s readings and ask it for other digits, or stop."""
        links = (
            (session.recognized, self.show_recognition),
            (self.against_chosen, session.set_against),
            (self.digit_chosen, session.select_digit),
            (session.opinion_changed, self.show_opinion),
        )
        set_connected(links, connect)
        if connect:
            self.show_recognition(session.recognition)
            self.show_opinion(session.opinion)

    def opinion_text(self) -> str:
        """The second opinion as shown, e.g. ``CNN: 4 (97%) — disagrees``."""
        return "" if self._opinion is None else self._opinion.text

    @Slot(object)
    def show_opinion(self, opinion: SecondOpinion | None) -> None:
        """Show the other network's reading (None: hide it, keeping its room)."""
        self._opinion = opinion
        self.second.setVisible(opinion is not None)
        if opinion is None:
            return
        self.second.setText(opinion.text)
        self.second.setStyleSheet(QUIET_STYLE if opinion.agrees else DISAGREES_STYLE)
        title = opinion.text.split(":")[0]
        self.second.setToolTip(
            f"What the shipped {title} reads. Click to read with the {title}"
            " and look inside it."
        )
        self.second.setAccessibleDescription(opinion.text)

    @Slot()
    def _on_second(self) -> None:
        if self._opinion is not None:
            self.opinion_chosen.emit(self._opinion.name)

    @Slot(object)
    def show_recognition(self, recognition: Recognition | None) -> None:
        """Show ``recognition``; None clears the view."""
        many = recognition is not None and len(recognition.digits) > 1
        self._top.setCurrentWidget(self.number if many else self._digit)
        if recognition is None:
            self._show_verdict("empty", "", "")
            self._which.set_text("")
            self._text = ""
            self.bars.set_probabilities(None)
            self.preview.set_image(None)
            self.why.set_saliency(None, None)
        else:
            reading = recognition.current
            self._text = recognition.text
            if many:
                self.number.show_recognition(recognition)
                self._show_verdict(recognition.kind, *self._number_words(recognition))
                place = ordinal(recognition.selected + 1)
                which = f"Showing the {place} digit:\n{reading.describe()}"
                self._which.set_text(which)
            else:
                self._show_verdict(reading.verdict.kind, *self._words(reading))
                self._which.set_text("")
            self.bars.set_probabilities(reading.probabilities, self._colours(reading))
            self.preview.set_image(reading.image)
            self.why.set_saliency(reading.image, reading.why)
            index = self.against.findData(reading.against)
            self.against.setCurrentIndex(max(0, index))
            self.against.setItemText(0, f"why {reading.digit}")
        self.setAccessibleDescription(self._text)
        self._digit.setAccessibleDescription(self._text)

    @staticmethod
    def _words(reading: DigitReading) -> tuple[str, str]:
        """The big text and the line under it."""
        verdict = reading.verdict
        first = f"{percent(verdict.confidence)}%"
        if verdict.kind == "digit":
            return str(verdict.digit), f"{first} sure"
        if verdict.kind == "unsure" and verdict.close:
            second = f"{percent(verdict.runner_up_confidence)}%"
            big = f"{verdict.digit} or {verdict.runner_up}?"
            return big, f"unsure: {first} / {second}"
        if verdict.kind == "unsure":
            return f"{verdict.digit}?", f"unsure: {first}"
        return "not a digit", verdict.reason or "it does not look like any digit"

    @staticmethod
    def _number_words(recognition: Recognition) -> tuple[str, str]:
        """The big text and the line under it, for a number."""
        if recognition.text == "not a digit":
            return "not a digit", f"none of the {len(recognition.digits)} marks is one"
        if recognition.notes:
            return recognition.number, "\n".join(recognition.notes)
        sure = percent(recognition.confidence)
        return recognition.number, f"{sure}% sure of all {len(recognition.digits)}"

    @staticmethod
    def _colours(reading: DigitReading) -> dict[int, QColor]:
        verdict = reading.verdict
        if verdict.digit is None:
            return {}
        if verdict.kind == "digit":
            return {verdict.digit: VERDICT["digit"]}
        if verdict.kind == "unsure":
            runner_up = verdict.runner_up
            close = (
                {runner_up: VERDICT["unsure"]}
                if verdict.close and runner_up is not None
                else {}
            )
            return {verdict.digit: VERDICT["unsure"], **close}
        return {}

    def _show_verdict(self, kind: str, big: str, small: str) -> None:
        self._digit.set_text(big, kind)
        self._confidence.set_text(small)

    @Slot(int)
    def _on_bar(self, digit: int) -> None:
        current = self.against.currentData()
        self.against_chosen.emit(None if current == digit else digit)

    def bar_heights(self) -> np.ndarray:
        """The heights of the ten bars (for tests and accessibility tools)."""
        return self.bars.heights()

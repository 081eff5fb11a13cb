"""The Evaluate tab: where the network fails, measured on data it never trained on.

Pick the data, and the current model reads every image in a background thread with
the NumPy forward pass (no TensorFlow). The tab shows the accuracy, a confusion
matrix and a reliability diagram; clicking a cell lists its images, the surest
mistakes first, and clicking an image puts it on the canvas to look inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg

from nnpad.core.data import VALIDATION_PART, load_file, load_sample
from nnpad.core.measure.evaluation import Evaluation, images_to_measure, measure
from nnpad.ui import style
from nnpad.ui.background import JobRunner
from nnpad.ui.evaluate.confusion_view import ConfusionView
from nnpad.ui.session import set_connected
from nnpad.ui.window import dialogs

if TYPE_CHECKING:
    from collections.abc import Callable

    from nnpad.core.model.trained import TrainedModel
    from nnpad.ui.session import Session

STALE = (
    "This evaluation was of the previous model: click Evaluate to measure the one"
    " in use."
)
GALLERY_LIMIT = 300  # images listed for one cell
THUMB = 56

Choice = Literal["sample", "mnist-file", "any-file"]
CHOICES: dict[Choice, str] = {
    "sample": "Shipped sample: 1000 held-out images",
    "mnist-file": "MNIST training file: its validation part (last 10,000)…",
    "any-file": "Any .npz or IDX: its test images, else all…",
}


@dataclass(frozen=True)
class Scored:
    """An evaluation, the images it was made on, and the model it measured."""

    evaluation: Evaluation
    images: np.ndarray  # (n, 28, 28) uint8
    description: str
    seconds: float
    model: TrainedModel


class EvaluationJob:
    """Load the chosen images and read them all (in the evaluation thread)."""

    def __init__(self, model: TrainedModel, choice: Choice, path: str | None) -> None:
        self.model, self.choice, self.path = model, choice, path

    def request_stop(self) -> None:
        """Evaluation takes a second or two: it is not interrupted."""

    def run(self, report: Callable[[object], None]) -> Scored:
        """Return the scored images; DataError reaches the caller as a message."""
        import time

        if self.choice == "sample":
            measured = images_to_measure(load_sample())
        else:
            data = load_file(self.path or "")
            split = VALIDATION_PART if self.choice == "mnist-file" else None
            measured = images_to_measure(data, validation=split)
        started = time.perf_counter()
        evaluation = measure(self.model, measured.x, measured.y, progress=report)
        seconds = time.perf_counter() - started
        return Scored(evaluation, measured.x, measured.describe(), seconds, self.model)


def thumbnail(image: np.ndarray) -> QIcon:
    """A 28x28 uint8 image as an icon, enlarged without blurring."""
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    qimage = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(qimage).scaled(THUMB, THUMB))


class EvaluatePanel(QWidget):
    """Evaluate the session's model on held-out data and browse its mistakes.

    ``image_chosen(image, label)`` carries a uint8 28x28 image the person clicked.
    """

    image_chosen = Signal(object, int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = JobRunner(self, name="nnpad-evaluation", what="Evaluation")
        self._scored: Scored | None = None
        self._path: str | None = None

        self.data_combo = QComboBox()
        self.data_combo.setAccessibleName("Data to evaluate on")
        for key, text in CHOICES.items():
            self.data_combo.addItem(text, key)
        self.evaluate_button = QPushButton("E&valuate")
        self.evaluate_button.setObjectName("evaluateButton")
        self.evaluate_button.setToolTip("Read every image with the model in use")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.summary = QLabel("Pick the data and click Evaluate.")
        self.summary.setObjectName("evaluationSummary")
        self.summary.setWordWrap(True)
        self.confusion = ConfusionView()
        self.reliability = self._reliability_plot()
        self.gallery = QListWidget()
        self.gallery.setObjectName("mistakeGallery")
        self.gallery.setAccessibleName("Images of the selected cell")
        self.gallery.setViewMode(QListWidget.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.gallery.setToolTip(
            "Click an image to put it on the canvas and look inside"
        )
        self.gallery_label = QLabel("Click a cell of the matrix to see its images.")
        self._lay_out()
        self.evaluate_button.clicked.connect(self.start)
        self.runner.reported.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.running_changed.connect(self._on_running)
        self.confusion.cell_clicked.connect(self.show_cell)
        self.gallery.itemClicked.connect(self._on_item)
        self.set_session_connected(session)

    def set_session_connected(self, session: Session, connect: bool = True) -> None:
        """Mark the evaluation shown once ``session`` uses another model, or stop."""
        set_connected([(session.model_changed, self._on_model_changed)], connect)

    def _reliability_plot(self) -> pg.PlotWidget:
        plot = pg.PlotWidget(title="Reliability")
        plot.setObjectName("reliabilityDiagram")
        plot.setToolTip(
            "Each bar: how often the network was right when it was about this sure."
            "\nOn the dashed line it is as sure as it is right; bars below the line"
            " mean it is too sure of itself."
        )
        plot.setMinimumWidth(200)
        plot.setBackground(style.CHART_GROUND)
        plot.setLabel("bottom", "confidence")
        plot.setLabel("left", "accuracy")
        plot.setXRange(0, 1, padding=0.02)
        plot.setYRange(0, 1, padding=0.02)
        plot.setMouseEnabled(x=False, y=False)
        plot.plot(
            [0, 1], [0, 1], pen=pg.mkPen(style.DIAGONAL, style=Qt.PenStyle.DashLine)
        )
        self._bars = pg.BarGraphItem(
            x=[], height=[], width=1 / 15, brush=style.RELIABILITY_BAR
        )
        plot.addItem(self._bars)
        return plot

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Data:"))
        top.addWidget(self.data_combo, 1)
        top.addWidget(self.evaluate_button)
        charts = QWidget()
        charts_layout = QHBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.addWidget(self.confusion, 1)
        charts_layout.addWidget(self.reliability, 1)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.gallery_label)
        below_layout.addWidget(self.gallery, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(charts)
        split.addWidget(below)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QGridLayout(self)
        layout.addLayout(top, 0, 0)
        layout.addWidget(self.progress, 1, 0)
        layout.addWidget(self.summary, 2, 0)
        layout.addWidget(split, 3, 0)
        layout.setRowStretch(3, 1)

    def scored(self) -> Scored | None:
        """The last evaluation and its images."""
        return self._scored

    @Slot()
    def start(self) -> None:
        """Evaluate the model in use on the chosen data (asks for a file if needed)."""
        model = self.session.model
        if model is None or self.runner.is_running():
            return
        choice: Choice = self.data_combo.currentData()
        if choice != "sample":
            path = self._path or dialogs.open_data_file(self)
            if path is None:
                return
            self._path = path
        self.summary.setText("Evaluating…")
        self.progress.setValue(0)
        self.runner.start_job(EvaluationJob(model, choice, self._path))

    def set_file(self, path: str | None) -> None:
        """Use ``path`` for the file choices (None: ask next time)."""
        self._path = path

    @Slot(object)
    def _on_progress(self, fraction: object) -> None:
        self.progress.setValue(round(float(fraction) * 1000))  # type: ignore[arg-type]

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.evaluate_button.setEnabled(not running)
        self.data_combo.setEnabled(not running)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.summary.setText(message)
        self._path = None  # ask again next time

    def is_current(self) -> bool:
        """Whether an evaluation is shown and it measured the model in use."""
        scored = self._scored
        return scored is not None and scored.model is self.session.model

    @Slot(object)
    def _on_model_changed(self, model: TrainedModel) -> None:
        self._show_summary()

    @Slot(object)
    def _on_finished(self, scored: Scored) -> None:
        self._scored = scored
        e = scored.evaluation
        self._show_summary()
        self.progress.setValue(1000)
        self.confusion.set_counts(e.confusion)
        bins = e.reliability()
        filled = bins.counts > 0
        edges = np.linspace(0.0, 1.0, len(bins.counts) + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        self._bars.setOpts(x=centres[filled], height=bins.accuracy[filled])
        mistakes = e.mistakes()
        if len(mistakes):
            first = int(mistakes[0])
            self.confusion.select(int(e.labels[first]), int(e.predictions[first]))
        else:
            self.gallery.clear()

    def _show_summary(self) -> None:
        """The figures of the evaluation shown, marked when its model is gone."""
        scored = self._scored
        if scored is None:
            return
        e = scored.evaluation
        figures = (
            f"<b>{e.accuracy:.2%}</b> right on {e.samples:,} images"
            f" ({scored.description});"
            f" {e.samples - int(np.trace(e.confusion)):,} mistakes; calibration error"
            f" {e.reliability().ece:.2%}; read in {scored.seconds:.2f} s"
        )
        if self.is_current():
            self.summary.setText(figures)
            return
        self.summary.setText(
            f"<b style='{style.STALE_STYLE}'>{STALE}</b><br>"
            f"<i>{scored.model.describe()}: {figures}</i>"
        )

    @Slot(int, int)
    def show_cell(self, true: int, predicted: int) -> None:
        """List the images of one cell, the surest first."""
        self.gallery.clear()
        if self._scored is None:
            return
        e = self._scored.evaluation
        found = e.cell(true, predicted)
        kind = "read right" if true == predicted else f"read as {predicted}"
        images = "image" if len(found) == 1 else "images"
        self.gallery_label.setText(
            f"{len(found):,} {images} of {true} {kind}, the surest first"
            + (f" (the first {GALLERY_LIMIT})" if len(found) > GALLERY_LIMIT else "")
        )
        for index in found[:GALLERY_LIMIT]:
            item = QListWidgetItem(
                thumbnail(self._scored.images[index]),
                f"→ {e.predictions[index]} ({e.confidences[index]:.0%})",
            )
            item.setData(Qt.ItemDataRole.UserRole, int(index))
            item.setToolTip(
                f"image #{index}: a {true}, read as {e.predictions[index]}"
                f" ({e.confidences[index]:.1%} sure)"
            )
            self.gallery.addItem(item)

    @Slot(QListWidgetItem)
    def _on_item(self, item: QListWidgetItem) -> None:
        if self._scored is None:
            return
        index = int(item.data(Qt.ItemDataRole.UserRole))
        label = int(self._scored.evaluation.labels[index])
        self.image_chosen.emit(self._scored.images[index], label)

"""One epoch of the classic spec: nnpad's trainer vs a plain ``model.fit``.

Usage: python tests/benchmarks/bench_training.py [--data FILE.npz] [--epochs N]

Without --data the shipped 6000-image sample is tiled to 60000 images (the timing is
the same; the accuracy is not meaningful). Both runs use the same model, batch size,
data and seed; nnpad's trainer adds steps_per_execution and XLA compilation. The
first epoch includes tracing and compiling; later epochs show the steady speed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad


class EpochTimer:
    """Listener that records when each epoch ends."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.ends: list[float] = []
        self.val: list[float | None] = []

    def started(self, info) -> None:
        self.start = time.perf_counter()

    def batch(self, progress) -> None: ...

    def snapshot(self, network) -> None: ...

    def epoch(self, result) -> None:
        self.ends.append(time.perf_counter())
        self.val.append(result.val_accuracy)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    # After the arguments: TensorFlow takes seconds to import (--help is instant).
    import numpy as np

    from nnpad.core import tf_env
    from nnpad.core.data import Dataset, load_file, load_sample, split_validation
    from nnpad.core.model import keras_bridge
    from nnpad.core.recipe.presets import classic
    from nnpad.core.recipe.spec import with_changes
    from nnpad.core.training.trainer import Trainer

    if args.data:
        data = load_file(args.data)
    else:
        sample = load_sample()
        data = Dataset(
            np.tile(sample.x_train, (10, 1, 1)),
            np.tile(sample.y_train, 10),
            source="x10",
        )
    recipe = with_changes(classic(), epochs=args.epochs, validation_split=1 / 6)
    keras = tf_env.keras()
    described = recipe.architecture.describe()
    print(f"data: {data.source}; {len(data.x_train)} images; {described}")

    # Warm TensorFlow up (thread pools, kernels) so neither run pays for it alone.
    Trainer(
        with_changes(recipe, epochs=1),
        Dataset(data.x_train[:512], data.y_train[:512], source="warm-up"),
    ).run()

    timer = EpochTimer()
    Trainer(recipe, data).run(timer)
    nnpad_epochs = np.diff([timer.start, *timer.ends])

    x_tr, y_tr, x_val, y_val = split_validation(
        data.x_train, data.y_train, recipe.train.validation_split
    )
    model = keras_bridge.build(recipe.architecture, seed=recipe.train.seed)
    model.compile(
        keras.optimizers.Adam(recipe.train.learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    plain_timer = EpochTimer()

    class Callback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            plain_timer.epoch(type("R", (), {"val_accuracy": logs["val_accuracy"]}))

    plain_timer.start = time.perf_counter()
    model.fit(
        x_tr / np.float32(255),
        y_tr,
        batch_size=recipe.train.batch_size,
        epochs=args.epochs,
        validation_data=(x_val / np.float32(255), y_val),
        verbose=0,
        callbacks=[Callback()],
    )
    plain_epochs = np.diff([plain_timer.start, *plain_timer.ends])

    for name, epochs, val in (
        ("plain model.fit", plain_epochs, plain_timer.val),
        ("nnpad Trainer", nnpad_epochs, timer.val),
    ):
        times = ", ".join(f"{t:.1f} s" for t in epochs)
        accs = ", ".join(f"{v:.2%}" for v in val if v is not None)
        print(f"{name:16s} epochs: {times}  (val acc {accs})")
    print(
        f"speed-up: first epoch (with compiling) "
        f"{plain_epochs[0] / nnpad_epochs[0]:.2f}x; whole run of {args.epochs} "
        f"epochs {plain_epochs.sum():.1f} s vs {nnpad_epochs.sum():.1f} s = "
        f"{plain_epochs.sum() / nnpad_epochs.sum():.2f}x"
    )
    if len(plain_epochs) > 1:
        later = np.mean(plain_epochs[1:]) / np.mean(nnpad_epochs[1:])
        print(f"speed-up of the later epochs: {later:.2f}x")


if __name__ == "__main__":
    main()

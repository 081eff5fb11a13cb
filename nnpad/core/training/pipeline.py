"""The tf.data input of a training run: scaled images in whole batches."""

from __future__ import annotations

from typing import Any

import numpy as np


def batches(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    shuffle_seed: int | None = None,
) -> Any:
    """Scaled images in batches; for training (seeded) reshuffled every epoch.

    Training batches are all whole (the last partial one is dropped, and it differs
    each epoch), so the step function has one input shape and XLA compiles it once;
    validation keeps every image.
    """
    import tensorflow as tf

    # Labels are digits, or distillation's rows of targets (float).
    targets = labels if labels.ndim == 2 else labels.astype(np.int32)
    data = tf.data.Dataset.from_tensor_slices(
        (images.astype(np.float32) / np.float32(255.0), targets)
    )
    training = shuffle_seed is not None
    if training:
        data = data.shuffle(
            len(images), seed=shuffle_seed, reshuffle_each_iteration=True
        )
    whole = training and len(images) >= batch_size
    return data.batch(batch_size, drop_remainder=whole).prefetch(tf.data.AUTOTUNE)

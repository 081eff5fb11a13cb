"""A trained network and everything about it, without TensorFlow where possible.

- :mod:`~nnpad.core.model.network`: the NumPy forward pass; :mod:`.conv` its
  convolution, pooling and their gradients, :mod:`.activations` the activations.
- :mod:`~nnpad.core.model.trained`: :class:`TrainedModel`, a network with its recipe
  and metadata, what the window and the commands use.
- :mod:`~nnpad.core.model.archive`: reads ``.keras`` files safely (no code runs);
  :mod:`.archive_layers` checks each layer's config and reads its weights.
- :mod:`~nnpad.core.model.keras_bridge`: builds Keras models, converts, writes files
  (imports Keras lazily).
- :mod:`~nnpad.core.model.store`: the one way to load and the one way to save, and
  where models live.
"""

"""Training with Keras ``fit``: the trainer, its small callbacks and its input pipeline.

Importing this package is cheap; :mod:`.trainer` (and the callbacks) import
TensorFlow, 8-10 s here, so the window imports them only when a person clicks Train.
"""

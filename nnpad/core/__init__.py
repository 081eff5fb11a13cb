"""Qt-free core of nnpad: strokes, preprocessing, specs, models, data, training.

Nothing here imports PySide6 or pyqtgraph, and TensorFlow is only imported inside the
functions that train, evaluate or build Keras models.
"""

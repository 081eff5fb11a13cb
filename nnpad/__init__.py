"""nnpad: draw a digit, watch a neural network recognise it, retrain it, look inside."""

import os

# NumPy's OpenBLAS threads cost far more than they bring for the small matrices of
# the forward pass: a batch of 6 digits took 2.5 ms with two threads and 0.3 ms with
# one on a 2-core machine. It must be set before NumPy loads; a user's setting wins.
# TensorFlow does not use OpenBLAS: training keeps its own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"

"""nnpad: draw a digit, watch a neural network recognise it, retrain it, look inside."""

__version__ = "0.1.0"

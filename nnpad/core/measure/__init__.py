"""Measuring a model: one rule for which images, calibration, rejection."""

"""Helpers shared by tests and benchmarks: synthetic handwriting and canvas input."""

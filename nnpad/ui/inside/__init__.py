"""Look inside: every layer's activations and a neuron's weights."""

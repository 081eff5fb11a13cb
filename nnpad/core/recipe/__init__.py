"""What network to build and how to train it: the spec, its checks, presets."""

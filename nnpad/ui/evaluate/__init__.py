"""The Evaluate tab: where a model fails."""

"""The live reading path: prepare, segment, read, judge and explain."""

"""What a person puts in: pen strokes, undo, and picture files."""

"""My samples: the store, its file format, import and export."""

"""The Train tab: the recipe form, the live charts, the runs."""

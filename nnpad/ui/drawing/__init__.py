"""The canvas a person draws on."""

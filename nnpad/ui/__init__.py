"""The Qt layer: widgets that wire the core to a person."""

"""The main window: layout, actions, menus, tabs and settings."""

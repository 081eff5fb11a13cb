"""The My samples tab: browse, keep, relabel, import and export."""

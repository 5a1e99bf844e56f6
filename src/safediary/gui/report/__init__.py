"""The report dialog: choose, preview, print or save."""

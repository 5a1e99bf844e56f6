"""Offline help pages and the editable list of whom to call."""

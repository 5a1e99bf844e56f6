"""The offline help window and the list of whom to call."""

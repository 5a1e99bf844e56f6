"""The diary on screen: the list of entries, the entry editor, people."""

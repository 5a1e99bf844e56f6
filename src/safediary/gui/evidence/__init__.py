"""Evidence: the panel, the viewer and what they show."""

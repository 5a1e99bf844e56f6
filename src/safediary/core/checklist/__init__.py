"""The stalking risk screening checklist and its dated answers."""

"""The Messages window: imported conversations (issue 17)."""

"""The pattern of incidents over time, shared by the screen and the report."""

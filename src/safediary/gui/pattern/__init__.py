"""The pattern view: incidents over time by kind."""

"""SafeDiary: an offline, encrypted incident diary."""

__version__ = "0.1.0"

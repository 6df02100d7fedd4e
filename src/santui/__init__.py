"""santui (三退): registry and public statistics for withdrawal statements."""

__version__ = "0.1.0"

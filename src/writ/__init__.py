"""writ: open, accountable case management."""

__version__ = "0.1.0"

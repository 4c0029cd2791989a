"""newstag: turn news into structured, citable trade-policy events."""

__version__ = "0.1.0"

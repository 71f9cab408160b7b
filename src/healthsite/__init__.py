"""healthsite: a static-site generator for health publishers."""

__version__ = "0.1.0"

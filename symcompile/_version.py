"""The package version, kept in one place (read by the CLI and pyproject)."""

__version__ = "0.1.0"

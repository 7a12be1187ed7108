"""The package version (single source for hatch and ``detente --version``)."""

__version__ = "0.1.0"

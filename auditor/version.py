"""The version, in a module of its own: any module may read it without importing the package's
check-author API (which would tie the HTTP layer to the checks in an import cycle)."""

__version__ = "0.1.0"

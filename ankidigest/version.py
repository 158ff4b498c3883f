"""The one place the version is set (pyproject.toml reads it from here).

A constant, not importlib.metadata: that import alone took a sixth of the start-up
time. Its own module, so that any layer can read it without importing the package's
public API.
"""

__version__ = "0.1.0"

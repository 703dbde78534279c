"""frnn's version, one home: the package, the command line and config.json read it."""

__version__ = "0.1.0"

"""te-gen: int8 TFLite or netspec -> graph IR -> memory plan -> generated C project."""

__version__ = "0.1.0"

"""tinynas: memory-constrained neural architecture search for microcontrollers."""

__version__ = "0.1.0"

"""mcu-bench: turn a generated project into firmware, run it, report latency and memory."""

__version__ = "0.1.0"

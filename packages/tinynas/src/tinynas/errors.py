"""Errors tinynas reports as one line: bad input (exit 2) or work that failed (exit 1)."""

from tinyengine_codegen.errors import InputError


class WorkError(Exception):
    """The input was fine but the work failed (nothing fits, accuracy lost in export...)."""


__all__ = ["InputError", "WorkError"]

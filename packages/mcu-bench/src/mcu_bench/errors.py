"""Errors that the command line turns into one clear line and an exit code."""

from __future__ import annotations


class BenchError(Exception):
    """A failure with a message for people; `exit_code` 2 = bad input, 1 = the work failed."""

    exit_code = 1


class InputError(BenchError):
    """A bad file, argument or board definition (exit 2)."""

    exit_code = 2


class DoesNotFitError(BenchError):
    """The firmware needs more SRAM or Flash than the board has (exit 1)."""


class RunError(BenchError):
    """Building or running the firmware failed (exit 1)."""

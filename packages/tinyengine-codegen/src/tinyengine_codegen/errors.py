"""Errors te-gen reports to users as one clear line (exit code 2: bad input)."""


class InputError(Exception):
    """Bad input: a file that cannot be read, a format te-gen does not know, a bad option value."""


class UnsupportedModelError(InputError):
    """A well-formed model that te-gen cannot compile (unsupported operator, float model...)."""

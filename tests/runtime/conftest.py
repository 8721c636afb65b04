"""Fixtures of the kernel tests: a build folder per test, the toolchains checked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import toolchains_available


@pytest.fixture(scope="session", autouse=True)
def _toolchains() -> None:
    missing = toolchains_available()
    if missing:
        pytest.fail(f"kernel tests need {', '.join(missing)} on PATH (make setup installs them)")


@pytest.fixture()
def build_dir(tmp_path: Path) -> Path:
    """Where the harness writes the generated program, the host binary and the ELF."""
    return tmp_path

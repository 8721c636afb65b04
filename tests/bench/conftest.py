"""Fixtures of mcu-bench's tests: the hand-made project, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bench_fixture_project import make_project
from typer.testing import CliRunner


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A valid te-project/1 folder with a tiny hand-written int8 model and golden files."""
    return make_project(tmp_path / "tiny")


@pytest.fixture
def cli() -> CliRunner:
    """Runs `mcu-bench` in-process."""
    return CliRunner()


@pytest.fixture(scope="session", autouse=True)
def _object_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the compiler's object cache of these tests out of the user's home."""
    os.environ["MCU_BENCH_CACHE"] = str(tmp_path_factory.mktemp("object-cache"))

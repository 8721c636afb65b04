"""Shared test configuration: where the real models live, markers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_MODELS = REPO_ROOT.parent / "shared" / "models"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "board: needs a physical board attached through a debug probe")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


@pytest.fixture(scope="session")
def shared_models() -> Path:
    """Folder of the real third-party models (never copied into the repo)."""
    if not SHARED_MODELS.is_dir():
        pytest.fail(f"shared models not found at {SHARED_MODELS}")
    return SHARED_MODELS

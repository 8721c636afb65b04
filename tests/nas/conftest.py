"""What the tinynas tests share: one torch thread for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """One torch thread: the suite runs tests in parallel on few cores, and MCU-sized layers gain
    nothing from more (threads would only oversubscribe the machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

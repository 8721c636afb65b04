"""Supernet files (``tinynas-supernet/1``): config, weights, and the state to resume training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinynas.checkpoint import load_torch_file, save_torch_file
from tinynas.errors import InputError
from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.network import Supernet

FORMAT = "tinynas-supernet/1"


def save_checkpoint(path: str | Path, net: Supernet, **state: Any) -> None:
    """Write a supernet file atomically (temp file, then rename); ``state`` adds resume fields."""
    doc = {"format": FORMAT, "config": net.cfg.to_dict(), "state_dict": net.state_dict(), **state}
    save_torch_file(path, doc)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """The raw document of a supernet file; errors name the file."""
    return load_torch_file(path, FORMAT, "supernet file")


def load_supernet(path: str | Path) -> tuple[Supernet, dict[str, Any]]:
    """The supernet stored in ``path`` (eval mode) and the file's document."""
    doc = read_checkpoint(path)
    try:
        net = Supernet(SupernetConfig.from_dict(doc["config"]))
        net.load_state_dict(doc["state_dict"])
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise InputError(f"{path}: damaged supernet file ({str(exc).splitlines()[0]})") from None
    net.eval()
    return net, doc

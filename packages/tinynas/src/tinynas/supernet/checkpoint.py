"""Supernet files (``tinynas-supernet/1``): config, weights, and the state to resume training."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from tinynas.errors import InputError
from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.network import Supernet

FORMAT = "tinynas-supernet/1"


def save_checkpoint(path: str | Path, net: Supernet, **state: Any) -> None:
    """Write a supernet file atomically (temp file, then rename); ``state`` adds resume fields."""
    path = Path(path)
    doc = {"format": FORMAT, "config": net.cfg.to_dict(), "state_dict": net.state_dict(), **state}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(doc, tmp)
    tmp.replace(path)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """The raw document of a supernet file; errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such supernet file")
    try:
        doc = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a bad file
        raise InputError(f"{path}: not a supernet file ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(f"{path}: unknown format {found!r} (expected {FORMAT!r})")
    return doc


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

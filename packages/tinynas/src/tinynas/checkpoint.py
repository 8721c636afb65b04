"""Training checkpoints (``tinynas-ckpt/1``): the netspec, weights, optimizer state, epoch, metrics.

Saved atomically (temp file, then rename) so an interrupted run never leaves half a file;
:func:`load_checkpoint` refuses anything that is not a tinynas checkpoint with one clear line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from tinyengine_codegen.frontend.netspec import NetSpec, netspec_to_dict, parse_netspec
from tinynas.errors import InputError
from tinynas.files import write_atomic

CKPT_FORMAT = "tinynas-ckpt/1"


def save_torch_file(path: str | Path, doc: dict[str, Any]) -> None:
    """``torch.save`` ``doc`` to ``path`` atomically."""
    write_atomic(path, lambda tmp: torch.save(doc, tmp))


def load_torch_file(path: str | Path, fmt: str, what: str) -> dict[str, Any]:
    """The document ``torch.load`` reads from ``path`` (tensors only, on the CPU).

    InputError, one line naming the file, unless it exists and holds a dict with ``"format": fmt``;
    ``what`` names the kind of file in the messages ("checkpoint", "supernet file").
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such {what}")
    try:
        doc = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - torch.load raises many kinds on a foreign file
        raise InputError(f"{path}: not a {what} (torch.load cannot read it as tensors)") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(f"{path}: not a tinynas {what} (format {found!r}, expected {fmt!r})")
    return doc


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` (must hold ``netspec`` as a NetSpec and ``model``) to ``path`` atomically."""
    save_torch_file(path, dict(state, format=CKPT_FORMAT, netspec=netspec_to_dict(state["netspec"])))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint's contents, with ``netspec`` parsed back into a :class:`NetSpec`."""
    doc = load_torch_file(path, CKPT_FORMAT, "checkpoint")
    doc["netspec"] = parse_netspec(doc["netspec"], source=f"{path}: netspec")
    return doc


def check_same_netspec(spec: NetSpec, ckpt: dict[str, Any], ckpt_path: str | Path) -> None:
    """Refuse a checkpoint trained for another architecture than ``spec``."""
    if ckpt["netspec"].with_blocks(ckpt["netspec"].blocks, name=spec.name) != spec:
        raise InputError(f"{ckpt_path}: checkpoint was trained for another architecture "
                         f"({ckpt['netspec'].name!r}) than {spec.name!r}")

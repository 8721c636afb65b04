"""The MCUNet model zoo as netspecs shipped with the package (mcunet-in0..in4, mbv2-w0.35)."""

from __future__ import annotations

from pathlib import Path

from tinyengine_codegen.frontend.netspec import NetSpec, load_netspec
from tinynas.errors import InputError

ZOO_DIR = Path(__file__).resolve().parent


def zoo_names() -> list[str]:
    """Names of the shipped netspecs, sorted."""
    return sorted(p.stem for p in ZOO_DIR.glob("*.json"))


def zoo_path(name: str) -> Path:
    """Path of the zoo netspec ``name``; :class:`InputError` if there is none."""
    path = ZOO_DIR / f"{name}.json"
    if not path.is_file():
        raise InputError(f"{name}: not in the zoo (known: {', '.join(zoo_names())})")
    return path


def load_zoo(name: str) -> NetSpec:
    """The zoo netspec ``name`` (its ``metadata`` holds the published figures)."""
    return load_netspec(zoo_path(name))


def resolve_netspec(ref: str | Path) -> NetSpec:
    """A netspec from a file path, or from a zoo name when no such file exists."""
    path = Path(ref)
    if path.exists() or path.suffix.lower() == ".json":
        return load_netspec(path)
    if str(ref) in zoo_names():
        return load_zoo(str(ref))
    raise InputError(f"{ref}: no such netspec file, nor a zoo name (known: {', '.join(zoo_names())})")

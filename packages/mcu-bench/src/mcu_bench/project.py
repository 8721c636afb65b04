"""Read a generated project (format `te-project/1`, written by `te-gen build`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mcu_bench.errors import InputError

FORMAT = "te-project/1"
MANIFEST = "te-project.json"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Tensor:
    """One model input or output: raw size, dtype and the golden file (None when absent)."""

    name: str
    dtype: str
    bytes: int
    golden: Path | None


@dataclass(frozen=True)
class Project:
    """What mcu-bench needs from a generated project."""

    root: Path
    model_name: str
    api_prefix: str
    target: str
    arena_bytes: int
    sources: tuple[Path, ...]
    include_dirs: tuple[Path, ...]
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]

    def golden_output(self, index: int) -> bytes | None:
        """Expected bytes of output `index`, or None when the project has no golden file."""
        golden = self.outputs[index].golden
        return golden.read_bytes() if golden else None


def load_project(root: Path) -> Project:
    """Read and check `root/te-project.json`; InputError names the file and the problem."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise InputError(f"{root}: not a generated project ({MANIFEST} not found)")
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{manifest}: not valid JSON: {exc}") from None
    try:
        return _parse(data, root.resolve())
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{manifest}: {exc}") from None


def _parse(data: object, root: Path) -> Project:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    prefix = data["api_prefix"]
    if not isinstance(prefix, str) or not _IDENT.match(prefix):
        raise ValueError(f"api_prefix {prefix!r} is not a C identifier")
    inputs = tuple(_tensor(t, root, "inputs") for t in data["inputs"])
    outputs = tuple(_tensor(t, root, "outputs") for t in data["outputs"])
    if not inputs or not outputs:
        raise ValueError("the model needs at least one input and one output")
    return Project(
        root=root,
        model_name=str(data.get("model", {}).get("name", prefix)),
        api_prefix=prefix,
        target=str(data.get("target", "")),
        arena_bytes=int(data.get("arena_bytes", 0)),
        sources=tuple(_existing(root, s, "source") for s in data["sources"]),
        include_dirs=tuple(_existing(root, d, "include dir") for d in data.get("include_dirs", [])),
        inputs=inputs,
        outputs=outputs,
    )


def _tensor(entry: dict, root: Path, key: str) -> Tensor:
    size = entry["bytes"]
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"{key}: bytes must be a positive integer, got {size!r}")
    golden = _existing(root, entry["golden"], "golden file") if entry.get("golden") else None
    if golden is not None and golden.stat().st_size != size:
        raise ValueError(f"{golden.name} has {golden.stat().st_size} bytes, the manifest says {size}")
    return Tensor(name=str(entry.get("name", "")), dtype=str(entry["dtype"]), bytes=size, golden=golden)


def _existing(root: Path, relative: str, what: str) -> Path:
    path = (root / relative).resolve()
    if not path.exists():
        raise ValueError(f"{what} {relative} does not exist")
    return path

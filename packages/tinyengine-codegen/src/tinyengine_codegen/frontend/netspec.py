"""netspec/1: an architecture without weights (see docs/formats.md).

Parsing validates every field and rejects unknown keys with a message that names the
file and the offending field, so a typo never passes silently. tinynas writes netspecs
with :func:`dump_netspec`; te-gen reads them with :func:`load_netspec`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tinyengine_codegen.errors import InputError

FORMAT = "netspec/1"
KERNEL_SIZES = (3, 5, 7)
STRIDES = (1, 2)


class NetspecError(InputError):
    """A netspec that does not follow netspec/1."""


@dataclass(frozen=True)
class Block:
    """One inverted-residual (MBConv) block."""

    expand_ratio: int
    kernel_size: int
    stride: int
    out_channels: int
    type: str = "mbconv"


@dataclass(frozen=True)
class NetSpec:
    """A whole architecture: input, stem, blocks, head."""

    name: str
    resolution: tuple[int, int]
    in_channels: int
    stem_channels: int
    blocks: tuple[Block, ...]
    num_classes: int
    stem_kernel_size: int = 3
    stem_stride: int = 2
    mix_channels: int | None = None
    pool: str = "avg"
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    def block_in_channels(self) -> list[int]:
        """Input channels of each block, in order."""
        channels, result = self.stem_channels, []
        for block in self.blocks:
            result.append(channels)
            channels = block.out_channels
        return result

    def is_residual(self, index: int) -> bool:
        """Whether block ``index`` adds its input to its output."""
        block = self.blocks[index]
        return block.stride == 1 and self.block_in_channels()[index] == block.out_channels

    @property
    def last_channels(self) -> int:
        """Channels entering the pooling layer."""
        if self.mix_channels:
            return self.mix_channels
        return self.blocks[-1].out_channels if self.blocks else self.stem_channels

    def with_blocks(self, blocks: list[Block] | tuple[Block, ...], name: str | None = None) -> NetSpec:
        """A copy with other blocks (and optionally another name)."""
        return replace(self, blocks=tuple(blocks), name=name or self.name)


_TOP_KEYS = {"format", "name", "input", "stem", "blocks", "head", "metadata"}
_INPUT_KEYS = {"resolution", "channels"}
_STEM_KEYS = {"out_channels", "kernel_size", "stride"}
_BLOCK_KEYS = {"type", "expand_ratio", "kernel_size", "stride", "out_channels"}
_HEAD_KEYS = {"mix_channels", "pool", "num_classes"}


def _check_keys(where: str, obj: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise NetspecError(f"{where}: expected an object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise NetspecError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(obj))
    if missing:
        raise NetspecError(f"{where}: missing key {missing[0]!r}")
    return obj


def _positive_int(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise NetspecError(f"{where}: must be a positive integer, got {value!r}")
    return value


def _choice(where: str, value: Any, choices: tuple[int, ...]) -> int:
    if isinstance(value, bool) or value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise NetspecError(f"{where}: must be one of {allowed}, got {value!r}")
    return int(value)


def _resolution(where: str, value: Any) -> tuple[int, int]:
    if isinstance(value, list) and len(value) == 2:
        return (_positive_int(where, value[0]), _positive_int(where, value[1]))
    side = _positive_int(where, value)
    return (side, side)


def parse_netspec(data: Any, source: str = "netspec") -> NetSpec:
    """Validate a decoded netspec document and return it as a :class:`NetSpec`."""
    top = _check_keys(source, data, _TOP_KEYS, {"format", "input", "stem", "blocks", "head"})
    if top["format"] != FORMAT:
        raise NetspecError(f"{source}: unknown format {top['format']!r} (expected {FORMAT!r})")
    inp = _check_keys(f"{source}: input", top["input"], _INPUT_KEYS, _INPUT_KEYS)
    stem = _check_keys(f"{source}: stem", top["stem"], _STEM_KEYS, {"out_channels"})
    head = _check_keys(f"{source}: head", top["head"], _HEAD_KEYS, {"num_classes"})
    if not isinstance(top["blocks"], list):
        raise NetspecError(f"{source}: blocks: expected a list")
    blocks = []
    for i, raw in enumerate(top["blocks"]):
        where = f"{source}: blocks[{i}]"
        b = _check_keys(where, raw, _BLOCK_KEYS, _BLOCK_KEYS - {"type"})
        if b.get("type", "mbconv") != "mbconv":
            raise NetspecError(f"{where}.type: only 'mbconv' is supported, got {b['type']!r}")
        blocks.append(
            Block(
                expand_ratio=_positive_int(f"{where}.expand_ratio", b["expand_ratio"]),
                kernel_size=_choice(f"{where}.kernel_size", b["kernel_size"], KERNEL_SIZES),
                stride=_choice(f"{where}.stride", b["stride"], STRIDES),
                out_channels=_positive_int(f"{where}.out_channels", b["out_channels"]),
            )
        )
    mix = head.get("mix_channels")
    if mix is not None:
        mix = _positive_int(f"{source}: head.mix_channels", mix)
    if head.get("pool", "avg") != "avg":
        raise NetspecError(f"{source}: head.pool: only 'avg' is supported, got {head['pool']!r}")
    name = top.get("name", Path(source).stem)
    if not isinstance(name, str) or not name:
        raise NetspecError(f"{source}: name: must be a non-empty string")
    return NetSpec(
        name=name,
        resolution=_resolution(f"{source}: input.resolution", inp["resolution"]),
        in_channels=_positive_int(f"{source}: input.channels", inp["channels"]),
        stem_channels=_positive_int(f"{source}: stem.out_channels", stem["out_channels"]),
        stem_kernel_size=_choice(f"{source}: stem.kernel_size", stem.get("kernel_size", 3), KERNEL_SIZES),
        stem_stride=_choice(f"{source}: stem.stride", stem.get("stride", 2), STRIDES),
        blocks=tuple(blocks),
        mix_channels=mix,
        num_classes=_positive_int(f"{source}: head.num_classes", head["num_classes"]),
        metadata=dict(top.get("metadata") or {}),
    )


def netspec_to_dict(spec: NetSpec) -> dict[str, Any]:
    """The JSON-ready netspec/1 document of a :class:`NetSpec`."""
    h, w = spec.resolution
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": spec.name,
        "input": {"resolution": h if h == w else [h, w], "channels": spec.in_channels},
        "stem": {
            "out_channels": spec.stem_channels,
            "kernel_size": spec.stem_kernel_size,
            "stride": spec.stem_stride,
        },
        "blocks": [
            {
                "type": b.type,
                "expand_ratio": b.expand_ratio,
                "kernel_size": b.kernel_size,
                "stride": b.stride,
                "out_channels": b.out_channels,
            }
            for b in spec.blocks
        ],
        "head": {"mix_channels": spec.mix_channels, "pool": spec.pool, "num_classes": spec.num_classes},
    }
    if spec.metadata:
        doc["metadata"] = spec.metadata
    return doc


def load_netspec(path: str | Path) -> NetSpec:
    """Read and validate a netspec file; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise NetspecError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NetspecError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_netspec(data, source=str(path))


def dump_netspec(spec: NetSpec, path: str | Path) -> None:
    """Write a netspec file atomically (temp file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(netspec_to_dict(spec), indent=2) + "\n")
    tmp.replace(path)

"""Small networks the tinynas tests build: netspec documents and supernet spaces."""

from __future__ import annotations

from typing import Any

from tinynas.supernet.config import StageConfig, SupernetConfig

Block = tuple[int, int, int, int]
Stage = tuple[int, int, tuple[int, ...]]


def mbconv_doc(name: str, resolution: int, channels: int, blocks: list[Block], num_classes: int = 10,
               mix_channels: int | None = None, stem_channels: int = 8) -> dict[str, Any]:
    """A netspec/1 document: 3x3 stride-2 stem, then mbconv ``blocks`` as (expand, kernel, stride, out)."""
    return {
        "format": "netspec/1", "name": name, "input": {"resolution": resolution, "channels": channels},
        "stem": {"out_channels": stem_channels, "kernel_size": 3, "stride": 2},
        "blocks": [{"expand_ratio": e, "kernel_size": k, "stride": s, "out_channels": c}
                   for e, k, s, c in blocks],
        "head": {"mix_channels": mix_channels, "pool": "avg", "num_classes": num_classes},
    }


def tiny_space(resolution: int, stages: list[Stage], name: str = "tiny") -> SupernetConfig:
    """A grey-scale, 10-class supernet space with 8-channel stem and first block; ``stages`` as
    (out channels, stride, depths)."""
    return SupernetConfig(resolution=resolution, in_channels=1, num_classes=10, stem_channels=8,
                          first_block_channels=8, stages=tuple(StageConfig(*s) for s in stages), name=name)

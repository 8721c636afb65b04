"""Latency tables (``tinynas-latency/1``): per-layer latency on one board, summed per candidate.

A table measured on the emulator holds instruction counts (QEMU -icount), never board time; its
``latency_ms`` converts them at one instruction per cycle at the board's clock, and every report
that uses it says so (``kind``: ``emulated-instructions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.errors import InputError
from tinynas.latency.layers import netspec_layers
from tinynas.supernet.jsonfile import read_format_json

FORMAT = "tinynas-latency/1"


@dataclass
class LatencyTable:
    """Latency of every measured layer configuration on one board, in ``unit``."""

    board: str
    runner: str
    emulated: bool
    unit: str  # "emulated_instructions" or "cycles"
    clock_hz: int
    entries: dict[str, float] = field(default_factory=dict)
    source: str = "table"

    @property
    def kind(self) -> str:
        """``emulated-instructions`` or ``board-cycles``: what the milliseconds stand for."""
        return "emulated-instructions" if self.emulated else "board-cycles"

    def missing(self, spec: NetSpec) -> list[str]:
        """Keys of ``spec``'s layers that the table does not hold."""
        return sorted({layer.key for layer in netspec_layers(spec)} - set(self.entries))

    def units(self, spec: NetSpec) -> float:
        """Sum of the layers' latencies in the table's unit; InputError when a layer is missing."""
        total = 0.0
        for layer in netspec_layers(spec):
            if layer.key not in self.entries:
                raise InputError(f"{self.source}: no entry for layer {layer.key} (rebuild the table "
                                 "with `tinynas latency build` for this space)")
            total += self.entries[layer.key]
        return total

    def latency_ms(self, spec: NetSpec) -> float:
        """Milliseconds at the board clock (for emulated tables: one instruction per cycle)."""
        return self.units(spec) * 1e3 / self.clock_hz

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "board": self.board, "runner": self.runner, "emulated": self.emulated,
                "unit": self.unit, "clock_hz": self.clock_hz, "kind": self.kind,
                "entries": dict(sorted(self.entries.items()))}


def load_table(path: str | Path) -> LatencyTable:
    """Read a latency table; errors name the file."""
    doc = read_format_json(path, FORMAT)
    try:
        return LatencyTable(str(doc["board"]), str(doc["runner"]), bool(doc["emulated"]), str(doc["unit"]),
                            int(doc["clock_hz"]), {str(k): float(v) for k, v in doc["entries"].items()},
                            source=str(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: bad latency table ({exc!r})") from None

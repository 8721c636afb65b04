"""Choosing the patch-based split: the stage and the grid with the lowest arena under a MAC bound.

For every stage that starts before the first multiply-accumulate operator (the network's first
stage, after an input conversion such as QUANTIZE) and every near-square grid ``R x C`` (2..8,
``|R - C| <= 1``) -- or only the grid asked for -- the halo's extra MACs are computed from the
regions alone; candidates within ``max_extra_macs`` are rewritten (``passes/patch.py``) and
planned (unless a lower bound shows they cannot win), and the smallest arena wins.
In ``auto`` mode patches are kept only when they beat the layer-by-layer plan; a grid asked for
is kept whenever a stage fits the MAC bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tinyengine_codegen.analysis import MAC_OPS, op_macs
from tinyengine_codegen.errors import InputError
from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.memory import MemoryPlan, plan_memory
from tinyengine_codegen.passes.patch import (
    PatchedGraph,
    fits_grid,
    patch_graph,
    stage_input,
    stage_macs,
    stages,
)

DEFAULT_MAX_EXTRA_MACS = 0.20
GRIDS = tuple((r, c) for r in range(2, 9) for c in range(2, 9) if abs(r - c) <= 1)  # near-square tiles


@dataclass
class PatchChoice:
    """What the chooser decided, with the plans with and without patches."""

    mode: str  # what was asked: "auto", "off" or "RxC"
    base_plan: MemoryPlan
    patched: PatchedGraph | None = None
    plan: MemoryPlan | None = None
    candidates: int = 0

    @property
    def graph_plan(self) -> MemoryPlan:
        return self.plan if self.plan is not None else self.base_plan

    @property
    def reason(self) -> str:
        """Why patches are off (empty when they are on)."""
        if self.patched is not None:
            return ""
        if self.mode == "off":
            return "not asked for"
        if self.candidates == 0:
            return "no first stage fits the extra-MAC bound (or none can run patch by patch)"
        return "layer by layer is smaller"

    def summary(self) -> dict:
        """JSON-ready description (the profile report's ``patch`` field)."""
        data: dict = {"mode": self.mode, "enabled": self.patched is not None,
                      "arena_without_patches": self.base_plan.arena_bytes,
                      "arena_with_patches": self.plan.arena_bytes if self.plan else None,
                      "candidates_planned": self.candidates, "why_off": self.reason or None}  # fmt: skip
        if self.patched is not None:
            first, last = self.patched.stage
            data.update({
                "grid": list(self.patched.grid),
                "stage": [first, last],
                "split_after": self.patched.split_after,
                "split_tensor": self.patched.graph.tensors[self.patched.split_tensor].name,
                "macs_without_patches": self.patched.macs_before,
                "macs_with_patches": self.patched.macs_after,
                "extra_macs_percent": round(100 * self.patched.extra_macs, 2),
            })  # fmt: skip
        return data


def parse_patch_mode(text: str) -> str | tuple[int, int]:
    """``auto``, ``off`` or a grid ``RxC`` (1..16 each); InputError otherwise."""
    value = text.strip().lower()
    if value in ("auto", "off"):
        return value
    match = re.fullmatch(r"(\d+)x(\d+)", value)
    if not match or not all(1 <= int(g) <= 16 for g in match.groups()) or value == "1x1":
        raise InputError(f"--patch {text!r}: expected auto, off or a grid RxC such as 4x4")
    return int(match.group(1)), int(match.group(2))


def parse_extra_macs(text: str) -> float:
    """``20%`` or ``0.2`` -> 0.2; InputError for anything else or a negative value."""
    value = text.strip()
    try:
        fraction = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        fraction = -1.0
    if not fraction >= 0:
        raise InputError(f"--max-extra-macs {text!r}: expected a percentage such as 20% (or 0.2)")
    return fraction


def first_stages(graph: Graph) -> list[tuple[int, int]]:
    """Stages starting before the first MAC operator (the network's first stage)."""
    first_mac = next((i for i, op in enumerate(graph.operators) if op.kind in MAC_OPS), len(graph.operators))
    return stages(graph, first_mac)


def choose_patches(
    graph: Graph,
    mode: str | tuple[int, int] = "auto",
    max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS,
    overlap: bool = True,
) -> PatchChoice:
    """The best patch-based rewrite of ``graph`` (after the passes), or none."""
    base = plan_memory(graph, overlap=overlap)
    label = mode if isinstance(mode, str) else f"{mode[0]}x{mode[1]}"
    choice = PatchChoice(label, base)
    if mode == "off":
        return choice
    grids = GRIDS if mode == "auto" else (mode,)
    total = sum(op_macs(graph, op) for op in graph.operators)
    best: tuple[int, float] | None = None
    for stage in first_stages(graph):
        for grid in grids:
            if not fits_grid(graph, stage, grid):  # type: ignore[arg-type]
                continue
            before, after = stage_macs(graph, stage, grid)  # type: ignore[arg-type]
            extra = (after - before) / total if total else 0.0
            if extra > max_extra_macs:
                continue
            bound = _lower_bound(graph, base, stage)
            if (best is not None and bound > best[0]) or (mode == "auto" and bound >= base.arena_bytes):
                continue  # cannot beat what we have: skip the planning
            patched = patch_graph(graph, stage, grid)  # type: ignore[arg-type]
            plan = plan_memory(
                patched.graph, schedule=list(range(len(patched.graph.operators))), overlap=overlap
            )
            choice.candidates += 1
            key = (plan.arena_bytes, patched.extra_macs)
            better = mode != "auto" or plan.arena_bytes < base.arena_bytes  # a grid asked for is kept
            if better and (best is None or key < best):
                best = key
                choice.patched, choice.plan = patched, plan
    return choice


def _lower_bound(graph: Graph, base: MemoryPlan, stage: tuple[int, int]) -> int:
    """Bytes any patch-based plan of ``stage`` needs: the stage's input and output held together
    while the patches run, and the layer-by-layer peak after the stage (same operators)."""
    image = graph.tensors[stage_input(graph, stage)].nbytes
    split = graph.tensors[graph.operators[stage[1]].outputs[0]].nbytes
    after = 0
    if base.schedule == list(range(len(graph.operators))):
        after = max(base.live_bytes[stage[1] + 1 :], default=0)
    return max(image + split, after)

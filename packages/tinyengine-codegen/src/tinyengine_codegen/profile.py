"""Profile a model or a netspec: the memory plan and the Flash, MACs and parameters it implies.

The library entry point used by tinynas's search loop (the memory a search prices is the
memory the generated code uses)::

    report = profile_netspec(spec, sram=320 * 1024, flash=1024 * 1024)
    report.fits, report.arena_bytes, report.flash_bytes, report.macs

:class:`ProfileReport` fields (a stable interface: tinynas depends on them):

- ``name``: the model's name.
- ``arena_bytes``: peak SRAM of the activations, scratch included: the static arena size.
- ``weight_bytes``: Flash for constants (weights, biases, requantization constants).
- ``code_bytes_estimate``: estimated Flash for the generated code and the kernels it uses.
- ``flash_bytes``: ``weight_bytes + code_bytes_estimate``.
- ``macs``, ``params``: multiply-accumulates and weight/bias elements (see ``analysis``).
- ``peak_op``: index of the operator where live bytes peak; ``peak_kind``: its kind.
- ``lower_bound``: the largest live bytes at one step (no placement can use less).
- ``sram_budget``, ``flash_budget``: the budgets asked for (``None``: unlimited).
- ``fits_sram``, ``fits_flash``, ``fits``: whether the arena and Flash fit the budgets.
- ``ops``: per-operator :class:`OpRow` in schedule order (index after the passes, name --
  ``"<TFLite index>:<kind>"`` for a .tflite, the layer name for a netspec --, kind, kernel, output shape,
  live bytes, scratch bytes, in place, MACs, params, weight bytes); built on first access.
- ``plan``: the :class:`~tinyengine_codegen.memory.MemoryPlan` itself (for a netspec, planned on
  first access: pricing a candidate needs only the figures above).
- ``patch``: with ``patch`` other than ``off``, what patch-based inference chose (mode, whether
  enabled, grid, stage, split tensor, arena with and without patches, extra MACs in percent);
  ``macs`` then counts the MACs actually executed (halos included). None when off.

``report.to_dict()`` is the ``--json`` output of ``te-gen profile``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tinyengine_codegen.analysis import graph_code_bytes_estimate, op_macs, op_params, op_weight_bytes
from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.memory import MemoryPlan, plan_memory
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.passes.patch_choice import DEFAULT_MAX_EXTRA_MACS, choose_patches, parse_patch_mode


@dataclass
class OpRow:
    """One operator's line in the profile."""

    index: int
    name: str
    kind: str
    kernel: str | None
    output_shape: tuple[int, ...]
    live_bytes: int
    scratch_bytes: int
    inplace: bool
    macs: int
    params: int
    weight_bytes: int


@dataclass
class ProfileReport:
    """Memory, Flash and compute of one model under optional budgets (fields: module docstring)."""

    name: str
    arena_bytes: int
    weight_bytes: int
    code_bytes_estimate: int
    flash_bytes: int
    macs: int
    params: int
    peak_op: int | None
    peak_kind: str | None
    lower_bound: int
    sram_budget: int | None
    flash_budget: int | None
    fits_sram: bool
    fits_flash: bool
    fits: bool
    plan_source: MemoryPlan | Callable[[], MemoryPlan] | None = field(default=None, repr=False, compare=False)
    rows: Callable[[], list[OpRow]] | None = field(default=None, repr=False, compare=False)
    patch: dict[str, Any] | None = None

    @property
    def plan(self) -> MemoryPlan | None:
        """The memory plan (the netspec fast path plans it on first access)."""
        if callable(self.plan_source):
            self.plan_source = self.plan_source()
        return self.plan_source

    @property
    def ops(self) -> list[OpRow]:
        """Per-operator rows in schedule order (computed once, on first access)."""
        if not isinstance(self.rows, list):
            self.rows = self.rows() if self.rows is not None else []
        return self.rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (everything but the plan object)."""
        data = {k: v for k, v in vars(self).items() if k not in ("rows", "plan_source")}
        data["ops"] = [{**vars(row), "output_shape": list(row.output_shape)} for row in self.ops]
        return data


class PlanFigures(Protocol):
    """The figures of a plan the report needs (a :class:`MemoryPlan` has them)."""

    arena_bytes: int
    lower_bound: int

    @property
    def peak_op(self) -> int | None: ...


@dataclass
class Totals:
    """Whole-model sums."""

    macs: int
    params: int
    weight_bytes: int
    code_bytes: int


def build_report(
    name: str,
    plan: MemoryPlan | Callable[[], MemoryPlan],
    totals: Totals,
    peak_kind: str | None,
    rows: Callable[[], list[OpRow]] | list[OpRow],
    sram: int | None,
    flash: int | None,
    figures: PlanFigures | None = None,
) -> ProfileReport:
    """Compare with the budgets and assemble the report.

    ``plan`` may be a function that plans on first access; ``figures`` then gives the arena,
    lower bound and peak operator (by default the plan's own).
    """
    if figures is None:
        assert isinstance(plan, MemoryPlan), "a deferred plan needs its figures"
        figures = plan
    weights, code_bytes = totals.weight_bytes, totals.code_bytes
    fits_sram = sram is None or figures.arena_bytes <= sram
    fits_flash = flash is None or weights + code_bytes <= flash
    return ProfileReport(
        name=name,
        arena_bytes=figures.arena_bytes,
        weight_bytes=weights,
        code_bytes_estimate=code_bytes,
        flash_bytes=weights + code_bytes,
        macs=totals.macs,
        params=totals.params,
        peak_op=figures.peak_op,
        peak_kind=peak_kind,
        lower_bound=figures.lower_bound,
        sram_budget=sram,
        flash_budget=flash,
        fits_sram=fits_sram,
        fits_flash=fits_flash,
        fits=fits_sram and fits_flash,
        plan_source=plan,
        rows=rows,
    )


def profile_graph(
    graph: Graph,
    sram: int | None = None,
    flash: int | None = None,
    passes: bool = True,
    patch: str = "off",
    max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS,
) -> ProfileReport:
    """Run the passes (unless ``passes=False``: already run), plan memory, and report.

    ``patch``: ``off``, ``auto`` or ``RxC``: patch-based inference of the first stage
    (``passes/patch_choice.py``), kept when it lowers the arena within ``max_extra_macs``.
    """
    mode = parse_patch_mode(patch)
    if passes:
        run_passes(graph)
    choice = None
    original = graph
    if mode == "off":
        plan = plan_memory(graph)
    else:
        choice = choose_patches(graph, mode, max_extra_macs)
        plan = choice.graph_plan
        if choice.patched is not None:
            graph = choice.patched.graph
    seen: set[int] = set()
    rows = []
    for p, oi in enumerate(plan.schedule):
        op = graph.operators[oi]
        rows.append(
            OpRow(
                index=oi,
                name=op.name,
                kind=op.kind,
                kernel=op.kernel,
                output_shape=tuple(graph.tensors[op.outputs[0]].shape) if op.outputs else (),
                live_bytes=plan.live_bytes[p],
                scratch_bytes=op.scratch_bytes,
                inplace=oi in plan.inplace,
                macs=op_macs(graph, op),
                params=op_params(graph, op),
                weight_bytes=op_weight_bytes(graph, op, seen),
            )
        )
    seen = set()  # patches share the stage's weights: count them on the original graph
    totals = Totals(
        macs=sum(row.macs for row in rows),
        params=sum(op_params(original, op) for op in original.operators),
        weight_bytes=sum(op_weight_bytes(original, op, seen) for op in original.operators),
        code_bytes=graph_code_bytes_estimate(graph),
    )
    peak_kind = graph.operators[plan.peak_op].kind if plan.peak_op is not None else None
    report = build_report(graph.name, plan, totals, peak_kind, rows, sram, flash)
    report.patch = choice.summary() if choice is not None else None
    return report


def profile_netspec(
    spec: NetSpec,
    sram: int | None = None,
    flash: int | None = None,
    patch: str = "off",
    max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS,
) -> ProfileReport:
    """Profile a netspec candidate (shapes only) against optional SRAM / Flash budgets in bytes.

    Equal to ``profile_graph(netspec_to_graph(spec), ...)`` (tests check it), computed by the
    fast paths of :mod:`tinyengine_codegen.netspec_fast` and, for patch modes,
    :mod:`tinyengine_codegen.netspec_patch` (the report's ``patch.candidates_planned`` counts
    the fast path's own planning).
    """
    from tinyengine_codegen.netspec_fast import fast_profile

    if parse_patch_mode(patch) != "off":
        from tinyengine_codegen.netspec_patch import patch_profile

        return patch_profile(spec, sram, flash, patch, max_extra_macs)

    return fast_profile(spec, sram, flash)

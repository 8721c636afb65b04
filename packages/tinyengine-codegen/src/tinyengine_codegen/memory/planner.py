"""The memory planner: one static arena for every activation and scratch buffer.

:func:`plan_memory` picks an execution order (the graph's own, or for branched graphs the
one with the lowest peak among a bounded search), groups buffers that share memory
(views; in-place operators whose input dies there, as ``Operator.inplace`` allows), and
places them with several heuristics, keeping the smallest arena. The backend emits the
operators in ``plan.schedule`` order, reads tensors at ``plan.offsets`` and scratch at
``plan.scratch_offsets``, and uses an in-place kernel exactly for the operators in
``plan.inplace`` (an ``Operator.inplace`` candidate whose input is still needed is not in it).
Operators in ``plan.overlaps`` write their output over part of their dying first input
(``memory.overlap``): nothing changes in the call, the kernels' raster order makes it safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.memory.lifetimes import Liveness, liveness
from tinyengine_codegen.memory.placement import best_placement
from tinyengine_codegen.memory.problem import Problem, problem_from_graph
from tinyengine_codegen.memory.schedule import candidate_orders

DEFAULT_ALIGNMENT = 4


@dataclass
class MemoryPlan:
    """Where every buffer lives in the arena, and when.

    - ``schedule``: operator indices in execution order.
    - ``offsets``: tensor index -> byte offset in the arena (every activation tensor).
    - ``scratch_offsets``: operator index -> offset of its scratch (``scratch_bytes > 0``).
    - ``inplace``: operator index -> the input tensor whose memory its output reuses
      (in-place operators and views).
    - ``overlaps``: operator index -> the input tensor its output partly overlaps (the
      output starting at least ``memory.overlap.op_overlap`` bytes below it).
    - ``lifetimes``: tensor index -> (first, last) position in ``schedule``.
    - ``live_bytes``: bytes in use at each position of ``schedule``.
    - ``arena_bytes``: the arena size; ``lower_bound``: the largest ``live_bytes`` (no
      placement can do better); ``heuristic``: the placement that won.
    """

    schedule: list[int]
    offsets: dict[int, int]
    scratch_offsets: dict[int, int]
    inplace: dict[int, int]
    lifetimes: dict[int, tuple[int, int]]
    live_bytes: list[int]
    arena_bytes: int
    lower_bound: int
    heuristic: str
    alignment: int = DEFAULT_ALIGNMENT
    overlaps: dict[int, int] = field(default_factory=dict)

    @property
    def peak_position(self) -> int:
        """Schedule position with the most live bytes."""
        return max(range(len(self.live_bytes)), key=self.live_bytes.__getitem__) if self.live_bytes else 0

    @property
    def peak_op(self) -> int | None:
        """Operator index where the live bytes peak."""
        return self.schedule[self.peak_position] if self.schedule else None


def plan_memory(
    graph: Graph,
    schedule: list[int] | None = None,
    alignment: int = DEFAULT_ALIGNMENT,
    max_orders: int = 256,
    overlap: bool = True,
) -> MemoryPlan:
    """Plan the arena of ``graph`` (after the passes); ``schedule`` fixes the order.

    ``overlap=False`` turns overlapped buffers off (layer-by-layer with in-place operators only).
    """
    orders = [schedule] if schedule is not None else candidate_orders(graph, max_orders)
    return plan_problem(problem_from_graph(graph), orders, alignment, overlap)


def plan_problem(
    problem: Problem, orders: list[list[int]], alignment: int = DEFAULT_ALIGNMENT, overlap: bool = True
) -> MemoryPlan:
    """Plan for the best of the candidate ``orders`` (scored by peak live bytes, top 3 placed)."""
    scored = sorted(
        ((liveness(problem, order, alignment, overlap), order) for order in orders),
        key=lambda pair: max(pair[0].live_bytes, default=0),
    )
    best: MemoryPlan | None = None
    for live, order in scored[:3]:
        plan = _place(order, live, alignment)
        if best is None or plan.arena_bytes < best.arena_bytes:
            best = plan
    assert best is not None
    return best


def _place(order: list[int], live: Liveness, alignment: int) -> MemoryPlan:
    lower = max(live.live_bytes, default=0)
    placement = best_placement(live.items, alignment, lower, live.overlap_pairs)
    offsets: dict[int, int] = {t: 0 for t in live.lifetimes}
    scratch: dict[int, int] = {}
    for item, base in zip(live.items, placement.offsets, strict=True):
        for m in item.members:
            if m.key >= 0:
                offsets[m.key] = base
            else:
                scratch[-m.key - 1] = base
    return MemoryPlan(
        schedule=list(order),
        offsets=offsets,
        scratch_offsets=scratch,
        inplace=live.inplace,
        lifetimes=live.lifetimes,
        live_bytes=live.live_bytes,
        arena_bytes=placement.arena_bytes,
        lower_bound=lower,
        heuristic=placement.heuristic,
        alignment=alignment,
        overlaps={op: src for op, src in live.overlaps.items() if _intersect(op, src, live, offsets)},
    )


def _intersect(op: int, src: int, live: Liveness, offsets: dict[int, int]) -> bool:
    """Whether the placement really put operator ``op``'s output over its input ``src``."""
    dst = live.output_of[op]
    a, b = offsets[src], offsets[dst]
    return a < b + live.sizes[dst] and b < a + live.sizes[src]

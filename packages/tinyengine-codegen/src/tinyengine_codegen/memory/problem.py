"""The planner's view of a graph: tensor sizes and, per operator, what it reads and writes.

Both frontends end here: :func:`problem_from_graph` for any graph after the passes, and the
netspec fast path (``tinyengine_codegen.netspec_fast``) directly from a netspec, so the
lifetimes and placement code is shared and a search prices exactly what the compiler plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.memory.overlap import op_overlap

VIEW_KINDS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})


@dataclass
class Problem:
    """Sizes and uses of the activation tensors (constants excluded from the op lists).

    - ``nbytes[t]``: size of tensor ``t`` in bytes.
    - ``op_inputs[i]`` / ``op_outputs[i]``: activation tensors operator ``i`` reads / writes.
    - ``scratch[i]``: its scratch bytes; ``inplace[i]``: its kernel may overwrite an input;
      ``view[i]``: its output is its input's bytes under another shape.
    - ``inputs`` / ``outputs``: the graph's inputs and outputs.
    - ``overlap[i]``: for an operator whose output may overlap its dying first input, how far
      below the input it must start at least (``memory.overlap``); None otherwise. Empty: none.
    """

    nbytes: list[int]
    op_inputs: list[tuple[int, ...]]
    op_outputs: list[tuple[int, ...]]
    scratch: list[int]
    inplace: list[bool]
    view: list[bool]
    inputs: list[int]
    outputs: list[int]
    overlap: list[int | None] = field(default_factory=list)


def is_view(graph: Graph, op_index: int) -> bool:
    """A reshape-like operator whose output can alias its input's bytes."""
    op = graph.operators[op_index]
    if op.kind not in VIEW_KINDS or len(op.outputs) != 1 or not op.inputs:
        return False
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    return src.nbytes == dst.nbytes and not src.is_const


def problem_from_graph(graph: Graph) -> Problem:
    """The planner's problem for ``graph`` (run the passes first)."""
    tensors = graph.tensors
    const = [t.is_const for t in tensors]
    ops = graph.operators
    return Problem(
        nbytes=[t.nbytes for t in tensors],
        op_inputs=[tuple(t for t in op.inputs if t >= 0 and not const[t]) for op in ops],
        op_outputs=[tuple(op.outputs) for op in ops],
        scratch=[op.scratch_bytes for op in ops],
        inplace=[op.inplace for op in ops],
        view=[is_view(graph, i) for i in range(len(ops))],
        inputs=[t for t in graph.inputs if not const[t]],
        outputs=[t for t in graph.outputs if not const[t]],
        overlap=[op_overlap(graph, i) for i in range(len(ops))],
    )

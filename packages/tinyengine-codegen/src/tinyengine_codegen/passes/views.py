"""Reshapes as views: RESHAPE and SQUEEZE outputs alias their input's memory (no code runs)."""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Graph

VIEW_OPS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})


def is_view(graph: Graph, op_index: int) -> bool:
    """Whether an operator only reinterprets its input's bytes with another shape."""
    op = graph.operators[op_index]
    if op.kind not in VIEW_OPS or len(op.outputs) != 1 or not op.inputs:
        return False
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    return src.nbytes == dst.nbytes and src.dtype == dst.dtype


def mark_views(graph: Graph) -> int:
    """Set ``options["view"] = True`` on every view operator; returns how many."""
    count = 0
    for i, op in enumerate(graph.operators):
        if is_view(graph, i):
            op.options["view"] = True
            count += 1
    return count

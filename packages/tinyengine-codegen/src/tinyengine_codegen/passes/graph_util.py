"""Small graph queries shared by the passes (built once per pass, not per operator)."""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Graph


def consumer_map(graph: Graph) -> dict[int, list[int]]:
    """Tensor index -> indices of the operators reading it, in schedule order."""
    consumers: dict[int, list[int]] = {}
    for i, op in enumerate(graph.operators):
        for t in op.inputs:
            if t >= 0:
                consumers.setdefault(t, []).append(i)
    return consumers


def producer_map(graph: Graph) -> dict[int, int]:
    """Tensor index -> index of the operator writing it."""
    return {t: i for i, op in enumerate(graph.operators) for t in op.outputs}


def replace_input(graph: Graph, old: int, new: int) -> None:
    """Make every operator (and the graph outputs) read ``new`` instead of ``old``."""
    for op in graph.operators:
        op.inputs = [new if t == old else t for t in op.inputs]
    graph.outputs = [new if t == old else t for t in graph.outputs]


def remove_operators(graph: Graph, indices: set[int]) -> None:
    """Drop operators from the schedule (their tensors stay, unused)."""
    if indices:
        graph.operators = [op for i, op in enumerate(graph.operators) if i not in indices]

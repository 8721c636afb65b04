"""Dead-operator removal: operators whose outputs nobody reads and that are not graph outputs."""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.passes.graph_util import consumer_map, remove_operators


def remove_dead_ops(graph: Graph) -> int:
    """Remove dead operators until none is left; returns how many were removed."""
    removed = 0
    while True:
        consumers = consumer_map(graph)
        outputs = set(graph.outputs)
        dead = {
            i
            for i, op in enumerate(graph.operators)
            if not any(t in outputs or consumers.get(t) for t in op.outputs)
        }
        if not dead:
            return removed
        remove_operators(graph, dead)
        removed += len(dead)

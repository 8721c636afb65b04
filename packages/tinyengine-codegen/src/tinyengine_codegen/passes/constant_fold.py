"""Constant folding of the trivial cases: data-movement operators on constants.

RESHAPE, SQUEEZE and TRANSPOSE whose data input is a constant become a constant output
tensor (no code, the values go to Flash); the operator is removed.
"""

from __future__ import annotations

import numpy as np

from tinyengine_codegen.ir.graph import Graph, Operator
from tinyengine_codegen.passes.graph_util import remove_operators

FOLDABLE = frozenset({"RESHAPE", "SQUEEZE", "TRANSPOSE"})


def fold_constants(graph: Graph) -> int:
    """Fold every foldable operator whose inputs are all constants; returns how many."""
    folded = set()
    for i, op in enumerate(graph.operators):
        if op.kind not in FOLDABLE or len(op.outputs) != 1 or op.outputs[0] in graph.outputs:
            continue
        inputs = [graph.tensors[t] for t in op.inputs if t >= 0]
        if not inputs or any(t.data is None for t in inputs):
            continue
        out = graph.tensors[op.outputs[0]]
        out.data = _evaluate(graph, op).reshape(out.shape)
        out.is_const = True
        folded.add(i)
    remove_operators(graph, folded)
    return len(folded)


def _evaluate(graph: Graph, op: Operator) -> np.ndarray:
    data = graph.tensors[op.inputs[0]].data
    if op.kind == "TRANSPOSE":
        return np.transpose(data, [int(p) for p in graph.tensors[op.inputs[1]].data])
    return data.copy()

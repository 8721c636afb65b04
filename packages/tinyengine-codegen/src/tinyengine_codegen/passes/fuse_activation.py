"""Fuse standalone activation operators (RELU, RELU6, RELU_N1_TO_1) into their producer.

Possible when the producer has a fused-activation option still at ``NONE``, the activation is
its only reader, and the activation keeps the quantization (a pure clamp): the producer then
writes the activation's output tensor directly with the clamp fused.
"""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.passes.graph_util import consumer_map, producer_map, remove_operators

ACTIVATION_OPS = {"RELU": "RELU", "RELU6": "RELU6", "RELU_N1_TO_1": "RELU_N1_TO_1"}
FUSE_TARGETS = frozenset(
    {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D"}
)


def fusable_activation(
    graph: Graph,
    op_index: int,
    consumers: dict[int, list[int]] | None = None,
    producers: dict[int, int] | None = None,
) -> int | None:
    """Index of the producer an activation operator can be fused into, or None."""
    op = graph.operators[op_index]
    if op.kind not in ACTIVATION_OPS or len(op.inputs) != 1 or len(op.outputs) != 1:
        return None
    consumers = consumer_map(graph) if consumers is None else consumers
    producers = producer_map(graph) if producers is None else producers
    src, dst = op.inputs[0], op.outputs[0]
    p = producers.get(src)
    if p is None or consumers.get(src) != [op_index] or src in graph.outputs:
        return None
    producer = graph.operators[p]
    if producer.kind not in FUSE_TARGETS or producer.options.get("fused_activation", "NONE") != "NONE":
        return None
    a, b = graph.tensors[src], graph.tensors[dst]
    if a.dtype != b.dtype or a.shape != b.shape or a.quant != b.quant:
        return None
    return p


def fuse_activations(graph: Graph) -> int:
    """Fuse every fusable standalone activation; returns how many."""
    consumers, producers = consumer_map(graph), producer_map(graph)
    fused = set()
    for i, op in enumerate(graph.operators):
        p = fusable_activation(graph, i, consumers, producers)
        if p is None:
            continue
        producer = graph.operators[p]
        producer.options["fused_activation"] = ACTIVATION_OPS[op.kind]
        producer.outputs = [op.outputs[0]]
        fused.add(i)
    remove_operators(graph, fused)
    return len(fused)

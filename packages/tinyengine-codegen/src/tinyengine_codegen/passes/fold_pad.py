"""Fold PAD / PADV2 into the convolution that reads it.

Allowed when the padding value is the input's zero point (the real value 0, what the
convolution's own padding adds), only the spatial axes are padded, and the convolution is
the PAD's only reader. The convolution then reads the PAD's input and pads by explicit
amounts: ``padding = "EXPLICIT"`` and ``pad_top/bottom/left/right`` options.
"""

from __future__ import annotations

import numpy as np

from tinyengine_codegen.geometry import PAD_KEYS, explicit_padding, window_hw
from tinyengine_codegen.ir.graph import Graph, Operator
from tinyengine_codegen.passes.graph_util import consumer_map, remove_operators

PAD_OPS = frozenset({"PAD", "PADV2"})
CONV_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D"})


def spatial_pads(graph: Graph, pad: Operator) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of an NHWC PAD that pads H and W only with the zero point."""
    if len(pad.inputs) < 2 or pad.inputs[1] < 0:
        return None
    src, paddings = graph.tensors[pad.inputs[0]], graph.tensors[pad.inputs[1]].data
    if paddings is None or len(src.shape) != 4 or paddings.shape != (4, 2):
        return None
    p = np.asarray(paddings, dtype=np.int64)
    if p[0].any() or p[3].any() or (p < 0).any():
        return None
    zero_point = src.quant.zero_point[0] if src.quant else 0
    out = graph.tensors[pad.outputs[0]]
    if out.quant != src.quant:
        return None
    if pad.kind == "PADV2" and len(pad.inputs) > 2 and pad.inputs[2] >= 0:
        value = graph.tensors[pad.inputs[2]].data
        if value is None or int(np.asarray(value).reshape(-1)[0]) != zero_point:
            return None
    return int(p[1, 0]), int(p[1, 1]), int(p[2, 0]), int(p[2, 1])


def fold_pads(graph: Graph) -> int:
    """Fold every foldable PAD into its convolution; returns how many."""
    consumers = consumer_map(graph)
    folded = set()
    for i, pad in enumerate(graph.operators):
        if pad.kind not in PAD_OPS or pad.outputs[0] in graph.outputs:
            continue
        readers = consumers.get(pad.outputs[0], [])
        if len(readers) != 1 or graph.operators[readers[0]].kind not in CONV_OPS:
            continue
        conv = graph.operators[readers[0]]
        if conv.inputs[0] != pad.outputs[0]:
            continue
        pads = spatial_pads(graph, pad)
        if pads is None:
            continue
        padded = graph.tensors[pad.outputs[0]].shape
        kh, kw = window_hw(graph.tensors, conv)
        own = explicit_padding(conv, int(padded[1]), int(padded[2]), kh, kw)
        conv.options.update(zip(PAD_KEYS, (a + b for a, b in zip(pads, own, strict=True)), strict=True))
        conv.options["padding"] = "EXPLICIT"
        conv.inputs[0] = pad.inputs[0]
        folded.add(i)
    remove_operators(graph, folded)
    return len(folded)

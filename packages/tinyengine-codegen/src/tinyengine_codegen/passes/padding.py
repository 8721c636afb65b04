"""Explicit padding: every convolution and pool gets ``pad_top/bottom/left/right`` options.

TFLite's ``SAME`` is turned into the amounts its kernels use (the extra pixel after), so
the backend and the kernel selection read one representation; ``padding`` keeps its
TFLite value (``"EXPLICIT"`` after a PAD was folded in).
"""

from __future__ import annotations

from tinyengine_codegen.geometry import PAD_KEYS, WINDOW_OPS, explicit_padding, window_hw
from tinyengine_codegen.ir.graph import Graph


def make_padding_explicit(graph: Graph) -> None:
    """Set the four ``pad_*`` options on every window operator (idempotent)."""
    for op in graph.operators:
        if op.kind not in WINDOW_OPS:
            continue
        shape = graph.tensors[op.inputs[0]].shape
        kh, kw = window_hw(graph.tensors, op)
        pads = explicit_padding(op, int(shape[1]), int(shape[2]), kh, kw)
        op.options.update(zip(PAD_KEYS, pads, strict=True))

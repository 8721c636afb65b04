"""Kernel selection: which runtime kernel each operator gets, its scratch and in-place flag."""

from __future__ import annotations

import numpy as np
import pytest

from tinyengine_codegen.errors import UnsupportedModelError
from tinyengine_codegen.ir.graph import Graph, Operator, Tensor
from tinyengine_codegen.passes.select_kernels import select_kernels


def _const(name: str, shape: tuple[int, ...]) -> Tensor:
    return Tensor(name, shape, data=np.zeros(shape, np.int8), is_const=True)


def _chain(ops_spec: list[tuple[str, tuple[int, ...], dict]], in_shape: tuple[int, ...]) -> Graph:
    """A linear graph: each spec is (kind, weight shape or (), options); the output shape follows."""
    tensors = [Tensor("in", in_shape)]
    ops = []
    current = 0
    for i, (kind, wshape, options) in enumerate(ops_spec):
        inputs = [current]
        if wshape:
            tensors.append(_const(f"w{i}", wshape))
            inputs.append(len(tensors) - 1)
        out_shape = options.pop("out_shape")
        tensors.append(Tensor(f"t{i}", out_shape))
        current = len(tensors) - 1
        ops.append(Operator(kind, inputs, [current], options))
    return Graph(tensors, ops, inputs=[0], outputs=[current])


def test_conv_variants_and_inplace_depthwise():
    graph = _chain(
        [
            ("CONV_2D", (16, 3, 3, 3), {"stride_h": 2, "stride_w": 2, "padding": "SAME",
                                        "out_shape": (1, 8, 8, 16)}),
            ("DEPTHWISE_CONV_2D", (1, 3, 3, 16), {"padding": "SAME", "out_shape": (1, 8, 8, 16)}),
            ("CONV_2D", (8, 1, 1, 16), {"padding": "SAME", "out_shape": (1, 8, 8, 8)}),
            ("CONV_2D", (8, 3, 3, 8), {"padding": "VALID", "out_shape": (1, 6, 6, 8)}),
            ("DEPTHWISE_CONV_2D", (1, 3, 3, 8), {"padding": "VALID", "out_shape": (1, 4, 4, 8)}),
        ],
        (1, 16, 16, 3),
    )
    select_kernels(graph)
    kernels = [op.kernel for op in graph.operators]
    assert kernels == [
        "te_conv_3x3_c3_s8",
        "te_depthwise_conv_inplace_s8",
        "te_conv_1x1_s8",
        "te_conv_s8",
        "te_depthwise_conv_inplace_s8",  # stride 1 VALID: its input still dies here
    ]
    assert graph.operators[1].inplace and not graph.operators[0].inplace
    assert graph.operators[3].scratch_bytes > 0


def test_depthwise_not_inplace_when_input_is_graph_input_or_multiplies_channels():
    graph = _chain(
        [("DEPTHWISE_CONV_2D", (1, 3, 3, 8), {"padding": "SAME", "out_shape": (1, 8, 8, 8)})], (1, 8, 8, 1)
    )
    select_kernels(graph)
    assert graph.operators[0].kernel == "te_depthwise_conv_s8"
    assert not graph.operators[0].inplace


def test_unsupported_operators_are_all_named():
    graph = _chain(
        [
            ("TANH", (), {"out_shape": (1, 4)}),
            ("FULLY_CONNECTED", (4, 4), {"out_shape": (1, 4)}),
            ("GATHER", (), {"out_shape": (1, 4)}),
        ],
        (1, 4),
    )
    with pytest.raises(UnsupportedModelError, match=r"#0 TANH.*#2 GATHER"):
        select_kernels(graph)

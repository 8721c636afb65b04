"""Graph passes: PAD folding, explicit padding, activation fusion, views, constant folding, dead ops."""

from __future__ import annotations

import numpy as np
import pytest

from tinyengine_codegen.frontend.tflite_reader import load_tflite, unsupported_operators
from tinyengine_codegen.geometry import PAD_KEYS, WINDOW_OPS, window_hw
from tinyengine_codegen.ir.graph import Graph, Operator, Quantization, Tensor
from tinyengine_codegen.memory import plan_memory
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.passes.constant_fold import fold_constants
from tinyengine_codegen.passes.dead_ops import remove_dead_ops
from tinyengine_codegen.passes.fold_pad import fold_pads
from tinyengine_codegen.passes.fuse_activation import fuse_activations

MODELS = ["mcunet_vww", "person_detect", "micro_speech", "hello_world_int8", "mnist_lenet_300_100"]
Q = Quantization([0.05], [-3])


@pytest.mark.parametrize("name", MODELS)
def test_window_geometry_is_explicit_and_consistent(shared_models, name):
    graph = run_passes(load_tflite(shared_models / f"{name}.tflite"), kernels=False)
    for op in graph.operators:
        if op.kind not in WINDOW_OPS:
            continue
        top, bottom, left, right = (op.options[k] for k in PAD_KEYS)
        _, h, w, _ = graph.tensors[op.inputs[0]].shape
        _, oh, ow, _ = graph.tensors[op.outputs[0]].shape
        kh, kw = window_hw(graph.tensors, op)
        assert (h + top + bottom - kh) // op.options["stride_h"] + 1 == oh
        assert (w + left + right - kw) // op.options["stride_w"] + 1 == ow


def test_mcunet_vww_pads_fold_into_the_convolutions(shared_models):
    raw = load_tflite(shared_models / "mcunet_vww.tflite")
    pads = [i for i, op in enumerate(raw.operators) if op.kind == "PAD"]
    assert len(pads) == 4
    graph = run_passes(raw, kernels=False)
    assert "PAD" not in [op.kind for op in graph.operators]
    assert len(graph.operators) == 63 - 4
    stem = graph.operators[1]
    assert stem.kind == "CONV_2D" and stem.options["padding"] == "EXPLICIT"
    assert [stem.options[k] for k in PAD_KEYS] == [1, 1, 1, 1]
    assert stem.inputs[0] == graph.operators[0].outputs[0]  # reads the QUANTIZE output directly


def _pad_graph(kind: str, value: int | None) -> Graph:
    tensors = [
        Tensor("x", (1, 6, 6, 2), quant=Q),
        Tensor(
            "paddings",
            (4, 2),
            "int32",
            data=np.array([[0, 0], [1, 1], [2, 0], [0, 0]], np.int32),
            is_const=True,
        ),
        Tensor("padded", (1, 8, 8, 2), quant=Q),
        Tensor("w", (1, 3, 3, 2), data=np.ones((1, 3, 3, 2), np.int8), is_const=True),
        Tensor("y", (1, 6, 6, 2), quant=Q),
    ]
    pad_inputs = [0, 1]
    if value is not None:
        tensors.append(Tensor("value", (1,), "int8", data=np.array([value], np.int8), is_const=True))
        pad_inputs.append(len(tensors) - 1)
    ops = [
        Operator(kind, pad_inputs, [2]),
        Operator("DEPTHWISE_CONV_2D", [2, 3], [4], {"padding": "VALID", "stride_h": 1, "stride_w": 1}),
    ]
    return Graph(tensors, ops, inputs=[0], outputs=[4])


def test_pad_folds_only_when_it_pads_with_the_zero_point():
    graph = _pad_graph("PAD", None)
    assert fold_pads(graph) == 1
    conv = graph.operators[0]
    assert conv.inputs[0] == 0 and [conv.options[k] for k in PAD_KEYS] == [1, 1, 2, 0]
    assert fold_pads(folded := _pad_graph("PADV2", -3)) == 1 and len(folded.operators) == 1
    kept = _pad_graph("PADV2", 5)  # pads with a real value that is not 0
    assert fold_pads(kept) == 0 and [op.kind for op in kept.operators] == ["PADV2", "DEPTHWISE_CONV_2D"]


def _relu_graph(relu_quant: Quantization) -> Graph:
    tensors = [
        Tensor("x", (1, 4), quant=Q),
        Tensor("w", (4, 4), data=np.ones((4, 4), np.int8), is_const=True),
        Tensor("fc", (1, 4), quant=Q),
        Tensor("relu", (1, 4), quant=relu_quant),
    ]
    ops = [
        Operator("FULLY_CONNECTED", [0, 1, -1], [2], {"fused_activation": "NONE"}),
        Operator("RELU", [2], [3]),
    ]
    return Graph(tensors, ops, inputs=[0], outputs=[3])


def test_standalone_activation_fuses_into_its_producer():
    graph = _relu_graph(Q)
    assert unsupported_operators(graph) == []
    assert fuse_activations(graph) == 1
    assert [op.kind for op in graph.operators] == ["FULLY_CONNECTED"]
    assert graph.operators[0].options["fused_activation"] == "RELU" and graph.operators[0].outputs == [3]
    other = _relu_graph(Quantization([0.1], [0]))  # a requantizing RELU is not a clamp
    assert fuse_activations(other) == 0
    assert unsupported_operators(other) == [(1, "RELU", "no runtime kernel")]


def test_views_alias_their_input(shared_models):
    graph = run_passes(load_tflite(shared_models / "micro_speech.tflite"))
    reshape = graph.operators[0]
    assert reshape.kind == "RESHAPE" and reshape.options["view"]
    plan = plan_memory(graph)
    assert (
        plan.offsets[reshape.outputs[0]] == plan.offsets[reshape.inputs[0]]
        and plan.inplace[0] == reshape.inputs[0]
    )


def test_constant_folding_and_dead_operators():
    tensors = [
        Tensor("x", (1, 4), quant=Q),
        Tensor("w_flat", (16,), "int8", data=np.arange(16, dtype=np.int8), is_const=True),
        Tensor("shape", (2,), "int32", data=np.array([4, 4], np.int32), is_const=True),
        Tensor("w", (4, 4)),
        Tensor("y", (1, 4), quant=Q),
        Tensor("unused", (1, 4), quant=Q),
    ]
    ops = [
        Operator("RESHAPE", [1, 2], [3]),
        Operator("FULLY_CONNECTED", [0, 3, -1], [4]),
        Operator("FULLY_CONNECTED", [0, 3, -1], [5]),  # nobody reads its output
    ]
    graph = Graph(tensors, ops, inputs=[0], outputs=[4])
    assert fold_constants(graph) == 1
    assert graph.tensors[3].is_const and graph.tensors[3].data.shape == (4, 4)
    assert graph.tensors[3].data[1, 0] == 4
    assert remove_dead_ops(graph) == 1
    assert [op.outputs for op in graph.operators] == [[4]]

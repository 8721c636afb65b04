"""Overlapped buffers: an operator's output placed over its dying input, offset by the minimal
safe distance of its kernel's raster order; the independent validator checks each overlap pixel
by pixel, and the generated code stays bit-exact with TFLite on a zoo-like int8 export."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.frontend.netspec import parse_netspec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.ir.graph import Graph, Operator, Quantization, Tensor
from tinyengine_codegen.memory import check_plan, plan_memory, validate_plan
from tinyengine_codegen.memory.overlap import op_overlap
from tinyengine_codegen.memory.validate import overlap_problem
from tinyengine_codegen.passes import run_passes

# A small MCUNet-like network: stem, expand-1 block, stride-2 blocks, a residual 5x5 block.
TINY = {
    "format": "netspec/1",
    "name": "tiny-zoo",
    "input": {"resolution": 40, "channels": 3},
    "stem": {"out_channels": 8, "kernel_size": 3, "stride": 2},
    "blocks": [
        {"expand_ratio": 1, "kernel_size": 3, "stride": 1, "out_channels": 8},
        {"expand_ratio": 4, "kernel_size": 3, "stride": 2, "out_channels": 16},
        {"expand_ratio": 3, "kernel_size": 5, "stride": 1, "out_channels": 16},
        {"expand_ratio": 4, "kernel_size": 7, "stride": 2, "out_channels": 24},
    ],
    "head": {"num_classes": 10},
}


def export_tiny(folder: Path) -> Path:
    """tinynas's int8 export (torch -> Keras -> TFLite) of the TINY netspec, random weights."""
    pytest.importorskip("tensorflow")
    import torch

    from tinynas.export import build_keras, convert_int8
    from tinynas.model import build_model

    path = folder / "tiny-zoo.tflite"
    if not path.is_file():
        torch.manual_seed(0)
        model = build_model(parse_netspec(TINY)).eval()
        calibration = np.random.default_rng(0).standard_normal((8, 40, 40, 3)).astype(np.float32)
        path.write_bytes(convert_int8(build_keras(model), calibration))
    return path


@pytest.fixture(scope="module")
def tiny_tflite(tmp_path_factory) -> Path:
    return export_tiny(tmp_path_factory.mktemp("tiny"))


def _window_graph(kind: str, kernel: str, geometry: dict) -> Graph:
    """One window operator on a batch-1 NHWC tensor."""
    g = geometry
    q = Quantization([0.1], [0])
    src = Tensor("in", (1, g["h"], g["w"], g["c"]), quant=q)
    tensors = [src]
    inputs = [0]
    if kind == "CONV_2D":
        tensors.append(Tensor("w", (g["co"], g["k"], g["k"], g["c"]), is_const=True))
        inputs.append(1)
    elif kind == "DEPTHWISE_CONV_2D":
        tensors.append(Tensor("w", (1, g["k"], g["k"], g["c"]), is_const=True))
        inputs.append(1)
    options = {"stride_h": g["s"], "stride_w": g["s"], "filter_height": g["k"], "filter_width": g["k"]}
    options.update(pad_top=g["pad"], pad_left=g["pad"], pad_bottom=g["pad"], pad_right=g["pad"])
    oh = (g["h"] + 2 * g["pad"] - g["k"]) // g["s"] + 1
    ow = (g["w"] + 2 * g["pad"] - g["k"]) // g["s"] + 1
    out_c = g["co"] if kind == "CONV_2D" else g["c"]
    tensors.append(Tensor("out", (1, oh, ow, out_c), quant=q))
    op = Operator(kind, inputs, [len(tensors) - 1], options, kernel=kernel)
    return Graph(tensors, [op], [0], [len(tensors) - 1])


KERNELS = [
    ("CONV_2D", "te_conv_s8"),
    ("DEPTHWISE_CONV_2D", "te_depthwise_conv_s8"),
    ("AVERAGE_POOL_2D", "te_avgpool_s8"),
    ("MAX_POOL_2D", "te_maxpool_s8"),
]


def test_overlap_distance_is_the_smallest_offset_the_validator_accepts():
    rng = random.Random(7)
    for _ in range(60):
        kind, kernel = rng.choice(KERNELS)
        k = rng.choice([1, 2, 3, 5, 7])
        h, w, c, co = rng.randint(k, 14), rng.randint(k, 14), rng.randint(1, 9), rng.randint(1, 40)
        geometry = {
            "h": h,
            "w": w,
            "c": c,
            "co": co,
            "k": k,
            "s": rng.choice([1, 2]),
            "pad": rng.randint(0, k // 2),
        }
        graph = _window_graph(kind, kernel, geometry)
        d = op_overlap(graph, 0)
        assert d is not None
        base = 4096
        assert overlap_problem(graph, 0, base, base - d) is None, geometry
        assert overlap_problem(graph, 0, base, base - d - 7) is None, geometry
        assert overlap_problem(graph, 0, base, base - d + 1) is not None, geometry


def test_an_expansion_overlaps_almost_all_of_its_input():
    graph = _window_graph(
        "CONV_2D", "te_conv_1x1_s8", {"h": 10, "w": 10, "c": 8, "co": 48, "k": 1, "s": 1, "pad": 0}
    )
    # the output (4800 B) may start 8 B + (input - its last pixel) below the 800 B input
    assert op_overlap(graph, 0) == 4800 - 800 + 8


@pytest.mark.parametrize("name", ["mcunet_vww", "person_detect", "micro_speech"])
def test_overlapped_plans_of_shared_models_pass_the_validator_and_save_memory(shared_models, name):
    graph = run_passes(load_tflite(shared_models / f"{name}.tflite"))
    plain, overlapped = plan_memory(graph, overlap=False), plan_memory(graph)
    check_plan(graph, overlapped)
    assert overlapped.overlaps
    assert overlapped.lower_bound <= overlapped.arena_bytes < plain.arena_bytes
    for op_index, src in overlapped.overlaps.items():  # the output really overlaps the input
        dst = graph.operators[op_index].outputs[0]
        out, inp = overlapped.offsets[dst], overlapped.offsets[src]
        assert out < inp + graph.tensors[src].nbytes and inp < out + graph.tensors[dst].nbytes


def test_zoo_netspecs_plan_below_the_layer_by_layer_bound():
    from tinynas.zoo import load_zoo

    for name, before_kb in [("mcunet-in0", 45.1), ("mcunet-in1", 90.1), ("mcunet-in4", 400.1)]:
        graph = run_passes(netspec_to_graph(load_zoo(name)))
        plan = plan_memory(graph)
        check_plan(graph, plan)
        assert plan.arena_bytes < 0.85 * before_kb * 1024, name


def test_the_validator_catches_an_output_placed_too_close_above_its_input(shared_models):
    graph = run_passes(load_tflite(shared_models / "person_detect.tflite"))
    plan = plan_memory(graph)
    op_index, src = next(iter(plan.overlaps.items()))
    dst = graph.operators[op_index].outputs[0]
    plan.offsets[dst] = plan.offsets[src] - op_overlap(graph, op_index) + 4
    problems = validate_plan(graph, plan)
    assert any(f"overlapped operator {op_index}" in p and "before its last read" in p for p in problems)


def test_overlaps_are_bit_exact_on_a_zoo_like_export(tiny_tflite):
    from tinyengine_codegen.backend.verify import verify_model

    graph = run_passes(load_tflite(tiny_tflite))
    plan = plan_memory(graph)
    kinds = {graph.operators[i].kind for i in plan.overlaps}
    assert "CONV_2D" in kinds and len(plan.overlaps) >= 2
    report = verify_model(tiny_tflite, cases=2, intermediates=True)
    assert report.passed and report.arena_bytes == plan.arena_bytes


def _window_model(path: Path) -> Path:
    """An int8 export whose generic convolution and pools each read a dying input."""
    pytest.importorskip("tensorflow")
    import keras

    from tinynas.export import convert_int8

    keras.utils.set_random_seed(0)
    inp = keras.Input((20, 20, 3), batch_size=1)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(12, 3, strides=2, padding="valid", activation="relu")(x)  # te_conv_s8 (144 taps)
    x = keras.layers.MaxPooling2D(3, strides=1, padding="same")(x)
    x = keras.layers.AveragePooling2D(2, strides=2)(x)
    x = keras.layers.Conv2D(4, 1)(x)
    out = keras.layers.Dense(3)(keras.layers.Flatten()(x))
    calibration = np.random.default_rng(1).standard_normal((8, 20, 20, 3)).astype(np.float32)
    path.write_bytes(convert_int8(keras.Model(inp, out), calibration))
    return path


def test_overlaps_of_generic_convolution_and_pools_are_bit_exact_also_in_patches(tmp_path):
    from tinyengine_codegen.backend.verify import verify_model

    model = _window_model(tmp_path / "windows.tflite")
    graph = run_passes(load_tflite(model))
    plan = plan_memory(graph)
    kernels = {graph.operators[i].kernel for i in plan.overlaps}
    assert {"te_conv_s8", "te_maxpool_s8", "te_avgpool_s8"} <= kernels
    assert verify_model(model, cases=3, intermediates=True).passed
    # the same window operators run patch by patch (SAME and VALID padding at the image border)
    patched = verify_model(model, cases=2, intermediates=True, patch="3x2", max_extra_macs=2.0)
    assert patched.passed and patched.arena_bytes < plan.arena_bytes

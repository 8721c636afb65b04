"""Kernel selection: which runtime kernel each operator gets, its scratch and in-place flag."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import tinyengine_runtime
from tinyengine_codegen.errors import UnsupportedModelError
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.ir.graph import Graph, Operator, Quantization, Tensor
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.passes.select_kernels import conv_padding, depthwise_inplace_scratch, select_kernels


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
        "te_conv_im2col_s8",
        "te_depthwise_conv_inplace_s8",
        "te_conv_1x1_s8",
        "te_conv_im2col_rows_s8",  # 72 taps, kernel rows of 24 bytes
        "te_depthwise_conv_inplace_s8",  # stride 1 VALID: its input still dies here
    ]
    assert graph.operators[1].inplace and not graph.operators[0].inplace
    assert graph.operators[3].scratch_bytes > 0


def test_depthwise_not_inplace_when_input_is_graph_input_or_multiplies_channels():
    graph = _chain(
        [("DEPTHWISE_CONV_2D", (1, 3, 3, 8), {"padding": "SAME", "out_shape": (1, 8, 8, 8)})], (1, 8, 8, 2)
    )
    select_kernels(graph)
    assert graph.operators[0].kernel == "te_depthwise_conv_s8"
    assert not graph.operators[0].inplace


def test_im2col_takes_small_windows_and_one_channel_depthwise():
    """CONV_2D up to 128 taps and DEPTHWISE_CONV_2D on one input channel run te_conv_im2col_s8."""
    graph = _chain(
        [
            ("DEPTHWISE_CONV_2D", (1, 10, 8, 8), {"stride_h": 2, "stride_w": 2, "padding": "SAME",
                                                  "out_shape": (1, 8, 8, 8)}),
            ("CONV_2D", (16, 4, 4, 8), {"padding": "SAME", "out_shape": (1, 8, 8, 16)}),  # 128 taps
            ("CONV_2D", (4, 3, 3, 16), {"padding": "SAME", "out_shape": (1, 8, 8, 4)}),  # 144 taps
        ],
        (1, 16, 16, 1),
    )
    select_kernels(graph)
    rows = "te_conv_im2col_rows_s8"  # kernel rows of whole words (10x8 on one channel, 4x4 on 8)
    assert [op.kernel for op in graph.operators] == [rows, rows, "te_conv_s8"]
    assert [op.scratch_bytes for op in graph.operators] == [9 * 80 + 12, 9 * 128 + 12, 2 * 144]
    assert not any(op.inplace for op in graph.operators)


def test_im2col_bound_holds_the_input_offset_part_of_the_bias():
    """te_conv_im2col_s8's packed bias, bias + (input offset - 128) * weight sum, under 2^29 or te_conv_s8."""
    graph = _chain([("CONV_2D", (2, 3, 3, 3), {"padding": "SAME", "out_shape": (1, 8, 8, 2)})], (1, 8, 8, 3))
    graph.tensors[0].quant = Quantization([0.5], [-128])
    weights = graph.tensors[graph.operators[0].inputs[1]]
    weights.data = np.full(weights.shape, 127, np.int8)
    assert select_kernels(graph).operators[0].kernel == "te_conv_im2col_s8"  # offset 128: bias unchanged
    graph.tensors[0].quant = Quantization([0.5], [127])  # offset -127: -255 * 27 * 127
    assert select_kernels(graph).operators[0].kernel == "te_conv_im2col_s8"
    graph.operators[0].inputs.append(len(graph.tensors))
    graph.tensors.append(Tensor("b", (2,), dtype="int32", is_const=True, data=np.full(2, -(2**29) + 800000)))
    assert select_kernels(graph).operators[0].kernel == "te_conv_s8"


def _stream_layer(out_c: int, out_scale: float, activation: str = "RELU6", bias: int = 0) -> Graph:
    """person_detect op 0's kind of layer: 3x3 s2 depthwise on one channel, quantized."""
    options = {"stride_h": 2, "stride_w": 2, "padding": "SAME", "fused_activation": activation,
               "out_shape": (1, 8, 8, out_c)}  # fmt: skip
    graph = _chain([("DEPTHWISE_CONV_2D", (1, 3, 3, out_c), options)], (1, 16, 16, 1))
    graph.tensors[0].quant = Quantization([0.0078], [-1])
    graph.tensors[1].quant = Quantization([0.01] * out_c, [0] * out_c)
    graph.tensors[2].quant = Quantization([out_scale], [-128])
    graph.operators[0].inputs.append(len(graph.tensors))
    graph.tensors.append(Tensor("b", (out_c,), dtype="int32", is_const=True, data=np.full(out_c, bias)))
    return graph


def test_stream_takes_small_windows_of_eight_or_more_channels_else_im2col():
    """te_conv_im2col_stream_s8 (no scratch) for <= 12 taps, an even count of >= 8 channels, the whole
    int8 range and te_requant2's scales; else the im2col kernels as before."""
    rows = "te_conv_im2col_rows_s8"
    assert select_kernels(_stream_layer(8, 6 / 255)).operators[0].kernel == "te_conv_im2col_stream_s8"
    assert select_kernels(_stream_layer(8, 6 / 255)).operators[0].scratch_bytes == 0
    assert select_kernels(_stream_layer(16, 0.05, "NONE")).operators[0].kernel == "te_conv_im2col_stream_s8"
    assert select_kernels(_stream_layer(6, 6 / 255)).operators[0].kernel == rows  # fewer than 8 channels
    assert select_kernels(_stream_layer(8, 0.1)).operators[0].kernel == rows  # RELU6 clamps at -68
    assert select_kernels(_stream_layer(8, 1e-6, "NONE")).operators[0].kernel == rows  # shift >= 0
    assert select_kernels(_stream_layer(8, 1e3, "NONE")).operators[0].kernel == rows  # right shift over 22
    big_bias = select_kernels(_stream_layer(8, 0.05, "NONE", 2**29)).operators[0].kernel  # |bias| >= 2^29
    assert big_bias == "te_depthwise_conv_s8"  # past im2col's bound too


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


SCRATCH_CALLS = {
    "te_conv_s8": "te_conv_s8_scratch_bytes(&filter)",
    "te_conv_1x1_s8": "te_conv_1x1_s8_scratch_bytes(&input)",
    "te_conv_im2col_s8": "te_conv_im2col_s8_scratch_bytes(&filter)",
    "te_conv_im2col_rows_s8": "te_conv_im2col_rows_s8_scratch_bytes(&filter)",
    "te_conv_im2col_stream_s8": "te_conv_im2col_stream_s8_scratch_bytes(&filter)",
    "te_depthwise_conv_inplace_s8": (
        "te_depthwise_conv_inplace_s8_scratch_bytes(&params, &input, &filter, &output)"
    ),
}


def test_scratch_bytes_equal_the_runtime_companions(shared_models, tmp_path):
    """op.scratch_bytes == te_<kernel>_scratch_bytes() of the C runtime, for every op of every model."""
    checks = []
    for model in sorted(shared_models.glob("*.tflite")):
        graph = run_passes(load_tflite(model))
        for i, op in enumerate(graph.operators):
            if op.kernel in SCRATCH_CALLS:
                inp = graph.tensors[op.inputs[0]].shape
                filt = graph.tensors[op.inputs[1]].shape
                if op.kind == "DEPTHWISE_CONV_2D" and "im2col" in op.kernel:  # lowered to CONV_2D
                    filt = (filt[3], filt[1], filt[2], filt[0])
                out = graph.tensors[op.outputs[0]].shape
                geometry = [op.options.get(k, 1) for k in ("stride_h", "stride_w", "dilation_h_factor",
                                                           "dilation_w_factor")]  # fmt: skip
                geometry[2:2] = conv_padding(graph, op)  # the 3x3 s2 in-place depthwise's bound uses them
                params = "{{0, 0, {}, {}, {}, {}, {}, {}, 1, {{-128, 127}}}}".format(*geometry)
                checks.append(
                    f"{{ te_dims input = {{{', '.join(map(str, inp))}}}; te_dims filter = "
                    f"{{{', '.join(map(str, filt))}}}; te_dims output = {{{', '.join(map(str, out))}}};\n"
                    f"  te_depthwise_params params = {params};\n"
                    "  (void)input; (void)filter; (void)output; (void)params;\n"
                    f"  if ({SCRATCH_CALLS[op.kernel]} != {op.scratch_bytes}u) {{\n"
                    f'    printf("{model.stem} op {i} {op.kernel}\\n"); return 1; }} }}'

                )
    assert checks
    program = tmp_path / "scratch.c"
    program.write_text(
        '#include <stdio.h>\n#include "tinyengine/te_conv.h"\n#include "tinyengine/te_depthwise.h"\n'
        "int main(void) {\n" + "\n".join(checks) + "\nreturn 0; }\n"
    )
    runtime = tinyengine_runtime.source_dir()
    sources = [str(runtime / f) for f in ("te_conv_s8.c", "te_conv_1x1_s8.c", "te_conv_im2col_s8.c",
                                          "te_im2col.c", "te_conv_im2col_rows_s8.c", "te_pair.c",
                                          "te_conv_im2col_stream_s8.c",
                                          "te_depthwise_conv_inplace_s8.c")]  # fmt: skip
    exe = tmp_path / "scratch"
    cc = ["gcc", "-std=c99", f"-I{tinyengine_runtime.include_dir()}", str(program), *sources, "-o", str(exe)]
    subprocess.run(cc, check=True, capture_output=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_depthwise_inplace_scratch_mirrors_the_runtime_by_shape(tmp_path):
    """depthwise_inplace_scratch == the C companion over maps, kernels and strides (each path's size)."""
    configs = []  # (hw, out, kh, kw, stride, pads)
    for hw in (1, 2, 3, 4, 5, 6, 9, 12, 24, 25, 31):
        for kh, kw in ((3, 3), (5, 5), (7, 7), (1, 3), (3, 5)):
            for stride in (1, 2):
                out = max(1, (hw + stride - 1) // stride)  # SAME, TFLite's padding
                pads = tuple(max((out - 1) * stride + k - hw, 0) // 2 for k in (kh, kw))
                configs.append((hw, out, kh, kw, stride, pads))
    # patch-local padding (explicit, not TFLite's for the shapes): the 3x3 stride-2 bound depends on it
    for hw, pads in ((24, (1, 0)), (25, (0, 1)), (26, (1, 1)), (24, (0, 0))):
        configs.append((hw, 12, 3, 3, 2, pads))
    checks = []
    for hw, out, kh, kw, stride, (pt, pl) in configs:
        want = depthwise_inplace_scratch(
            (1, hw, hw, 8), (1, out, out, 8), (kh, kw), (stride, stride), pads=(pt, pl)
        )
        checks.append(
            f"{{ te_dims i = {{1, {hw}, {hw}, 8}}, f = {{1, {kh}, {kw}, 8}}, o = {{1, {out}, {out}, 8}};\n"
            f"  te_depthwise_params p = {{0, 0, {stride}, {stride}, {pt}, {pl}, 1, 1, 1, {{-128, 127}}}};\n"
            f"  if (te_depthwise_conv_inplace_s8_scratch_bytes(&p, &i, &f, &o) != {want}u) {{\n"
            f'    printf("{hw}x{hw} k{kh}x{kw} s{stride} pads {pt} {pl}\\n"); return 1; }} }}'
        )
    # the three paths: four channels of a small map and their windows, the padded plane, one plain channel
    assert depthwise_inplace_scratch((1, 3, 3, 8), (1, 3, 3, 8), (3, 3), (1, 1)) == 4 * 3 * 3 + 8 * 9
    assert depthwise_inplace_scratch((1, 24, 24, 8), (1, 24, 24, 8), (3, 3), (1, 1)) == 26 * 26
    assert depthwise_inplace_scratch((1, 24, 24, 8), (1, 12, 12, 8), (5, 5), (2, 2)) == 27 * 27
    # 3x3 stride 2 from the buffer: the top plane (output row 0) and the bottom one (row 23), 3 rows each
    assert depthwise_inplace_scratch((1, 48, 48, 8), (1, 24, 24, 8), (3, 3), (2, 2)) == (3 + 3) * 49
    assert depthwise_inplace_scratch((1, 24, 24, 8), (1, 24, 24, 8), (1, 3), (1, 1)) == 24 * 24
    program = tmp_path / "dw_scratch.c"
    program.write_text(
        '#include <stdio.h>\n#include "tinyengine/te_depthwise.h"\nint main(void) {\n'
        + "\n".join(checks)
        + "\nreturn 0; }\n"
    )
    source = tinyengine_runtime.source_dir() / "te_depthwise_conv_inplace_s8.c"
    exe = tmp_path / "dw_scratch"
    include = f"-I{tinyengine_runtime.include_dir()}"
    cc = ["gcc", "-std=c99", include, str(program), str(source), "-o", str(exe)]
    subprocess.run(cc, check=True, capture_output=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout

"""te_conv_im2col_s8 and te_conv_im2col_rows_s8 vs TFLite's reference interpreter, host (portable)
and QEMU Cortex-M7 (DSP).

CONV_2D on small windows (kh * kw * in_c <= 128: kernel sizes 1..10, strides 1..3, dilation, SAME
and VALID, odd widths, input zero point -128 (the Cortex-M path's own conversion) and others), and
DEPTHWISE_CONV_2D on one input channel run as a CONV_2D (te-gen's lowering: filter [1, kh, kw, M]
transposed to [M, kh, kw, 1]): micro_speech's 10x8 stride-2 layer and person_detect's 3x3 stride-2
multiplier-8 layer among them. Windows of whole-word kernel rows (kw * in_c a multiple of four:
both kernels; the rows kernel's bands of three windows, of one window when stride_w > kw or
blocks span output rows, patches on rows under four bytes) and of the patch path, borders, a
short last block, output rows of one pixel, odd channel counts.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.backend.ops_conv import im2col_filter
from tinyengine_codegen.memory.overlap import Window, overlap_distance
from tinyengine_codegen.oracle import patch_quantized_dimension
from tinyengine_codegen.passes.select_kernels import im2col_kernel

from .convcases import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    build_models,
    conv_call,
    describe,
    geometry,
    one_channel_depthwise_models,
    random_spec,
)
from .harness import assert_cases_match, run_cases
from .oracle import TFLiteModel

SOURCES = ["te_conv_im2col_s8.c", "te_conv_im2col_rows_s8.c", "te_im2col.c", "te_pair.c"]
ROWS = "te_conv_im2col_rows_s8"
HEADERS = ["tinyengine/te_conv.h"]

# (kernel, stride, dilation, padding, in_c, (h, w), out_c, input from 0: zero point -128)
CONV_SHAPES = [
    ((3, 3), 2, 1, "SAME", 3, (11, 13), 16, True),  # a stem
    ((3, 3), 1, 1, "SAME", 3, (7, 9), 8, False),
    ((3, 3), 2, 1, "VALID", 3, (9, 8), 5, True),  # odd channel count
    ((2, 2), 1, 1, "VALID", 4, (6, 7), 6, True),  # kw * in_c = 8: direct
    ((2, 2), 2, 1, "SAME", 8, (8, 9), 4, False),  # direct, any offset
    ((5, 5), 1, 1, "SAME", 1, (9, 10), 12, True),
    ((3, 1), 1, 1, "SAME", 2, (6, 5), 10, True),  # kw * in_c = 2
    ((1, 3), 3, 1, "VALID", 5, (7, 11), 7, False),
    ((3, 3), 1, 2, "SAME", 3, (9, 9), 6, True),  # dilation
    ((4, 4), 2, 1, "SAME", 8, (9, 9), 2, True),  # K = 128
    ((7, 3), 2, 1, "SAME", 1, (15, 7), 3, False),
    ((1, 1), 1, 1, "SAME", 3, (5, 5), 4, True),  # one tap per channel
    ((2, 2), 3, 1, "SAME", 4, (7, 8), 4, True),  # stride_w > kw: a band per border window
    ((3, 3), 1, 1, "SAME", 4, (4, 4), 6, False),  # every window at the border
]
# (kernel, stride, padding, multiplier, (h, w), activation, input from 0)
DEPTHWISE_SHAPES = [
    ((10, 8), 2, "SAME", 8, (49, 40), ACT_NONE, True),  # micro_speech
    ((3, 3), 2, "SAME", 8, (19, 21), ACT_RELU6, True),  # person_detect's first layer
    ((10, 8), 2, "SAME", 8, (17, 13), ACT_RELU, False),
    ((3, 3), 1, "VALID", 8, (7, 9), ACT_NONE, False),
    ((3, 4), 2, "SAME", 6, (9, 11), ACT_RELU, True),  # kw = 4: direct
    ((5, 4), 1, "SAME", 3, (8, 7), ACT_NONE, True),
    ((2, 3), 1, "SAME", 2, (6, 8), ACT_RELU6, False),
    ((3, 4), 1, "SAME", 2, (5, 3), ACT_NONE, True),  # rows of 3 bytes: patches
    ((3, 4), 2, "SAME", 4, (7, 2), ACT_NONE, False),  # one output pixel a row: blocks over three rows
    ((5, 8), 3, "SAME", 2, (11, 17), ACT_RELU, True),
]


@pytest.fixture(scope="module")
def conv_models():
    rng = np.random.default_rng(77)
    specs = []
    for kernel, stride, dilation, padding, in_c, (h, w), out_c, from_zero in CONV_SHAPES:
        spec = random_spec(rng, kernel=kernel, in_c=in_c, stride=stride, dilation=dilation)
        weights = rng.normal(size=(*kernel, in_c, out_c)).astype(np.float32)
        bias = rng.normal(scale=0.5, size=out_c).astype(np.float32) if spec.bias is not None else None
        spec = replace(spec, in_h=h, in_w=w, padding=padding, out_c=out_c, weights=weights, bias=bias)
        specs.append(replace(spec, low=0.0, high=spec.high - spec.low) if from_zero else spec)
    return build_models(specs, seed=77, op_name="CONV_2D")


@pytest.fixture(scope="module")
def depthwise_models():
    return one_channel_depthwise_models(DEPTHWISE_SHAPES, seed=78)


def _check(cases, expected, build_dir: Path) -> None:
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert result.qemu is not None, "the QEMU run is part of this test"
    assert_cases_match(cases, result, expected)


def test_im2col_conv_matches_tflite(conv_models, build_dir: Path) -> None:
    rng = np.random.default_rng(3)
    cases, expected, offsets = [], [], set()
    for model, op, spec in conv_models:
        x = model.random_inputs(rng)
        g = geometry(op)
        offsets.add(g.input_offset)
        x_op, want = x[model.input_position(op.inputs[0])], model.run(x)[op.outputs[0].index]
        cases.append(conv_call(describe(spec), g, x_op, "te_conv_im2col_s8"))
        expected.append(want)
        if im2col_kernel(*g.filter.shape[1:], g.dilation_h > 1 or g.dilation_w > 1) == ROWS:
            cases.append(conv_call("rows " + describe(spec), g, x_op, ROWS))
            expected.append(want)
    assert 128 in offsets and len(offsets) > 1  # both conversions of the Cortex-M path
    _check(cases, expected, build_dir)


def test_depthwise_one_channel_as_conv_matches_tflite(depthwise_models, build_dir: Path) -> None:
    rng = np.random.default_rng(4)
    cases, expected = [], []
    for model, op, spec in depthwise_models:
        x = model.random_inputs(rng)
        g = geometry(op)
        # te-gen's lowering: DEPTHWISE [1, kh, kw, M] on one channel = CONV_2D [M, kh, kw, 1]
        g = replace(g, filter=np.ascontiguousarray(g.filter.transpose(3, 1, 2, 0)))
        x_op, want = x[model.input_position(op.inputs[0])], model.run(x)[op.outputs[0].index]
        cases.append(conv_call("depthwise " + describe(spec), g, x_op, "te_conv_im2col_s8"))
        expected.append(want)
        wide = im2col_filter(g.filter)  # te-gen's rows widened to whole words (3x3 -> 3x4)
        if wide.shape != g.filter.shape:
            wide_g = replace(g, filter=wide)
            cases.append(conv_call("depthwise wide " + describe(spec), wide_g, x_op, "te_conv_im2col_s8"))
            expected.append(want)
        if im2col_kernel(*g.filter.shape[1:], False) == ROWS:  # as te-gen runs it
            cases.append(conv_call("depthwise rows " + describe(spec), replace(g, filter=wide), x_op, ROWS))
            expected.append(want)
    _check(cases, expected, build_dir)


@pytest.mark.parametrize("model_name", ["person_detect", "micro_speech"])
def test_real_one_channel_depthwise_as_conv(model_name: str, shared_models: Path, build_dir: Path) -> None:
    """The real models' one-channel depthwise layers as te-gen emits them (rows widened to whole words
    where that adds no tap group, then te_conv_im2col_rows_s8), on their real inputs."""
    content, _ = patch_quantized_dimension((shared_models / f"{model_name}.tflite").read_bytes())
    model = TFLiteModel(content)
    model.run(model.random_inputs(np.random.default_rng(6)))
    cases, expected = [], []
    for op in model.ops:
        if op.name == "DEPTHWISE_CONV_2D" and op.inputs[0].shape[-1] == 1:
            g = geometry(op)
            g = replace(g, filter=im2col_filter(np.ascontiguousarray(g.filter.transpose(3, 1, 2, 0))))
            x = np.array(model.interpreter.get_tensor(op.inputs[0].index))
            kernel = im2col_kernel(*g.filter.shape[1:], False)  # te-gen's choice
            case = conv_call(f"op {op.index} {op.inputs[0].shape} {kernel}", g, x, kernel)
            want = np.array(model.interpreter.get_tensor(op.outputs[0].index))
            cases += [case, _overlapped(case, g, x)]
            expected += [want, want]
    assert cases
    _check(cases, expected, build_dir)


def _overlapped(case, g, x: np.ndarray) -> object:
    """The case on one buffer: the output at its start, the input the planner's distance above it."""
    _, in_h, in_w, in_c = g.input_shape
    _, out_h, out_w, out_c = g.output_shape
    window = Window(in_h, in_w, in_c, out_h, out_w, out_c, g.stride_h, g.stride_w, g.pad_top, g.pad_left)
    d = max(overlap_distance(window), 0)
    buffer = np.zeros(max(d + x.size, int(np.prod(g.output_shape))), np.int8)
    buffer[d : d + x.size] = x.reshape(-1)
    arrays = {k: v for k, v in case.arrays.items() if k not in ("input", "output")}
    call = case.call.replace("input,", f"buffer + {d},").replace("output, scratch", "buffer, scratch")
    return replace(case, name=case.name + " overlapped", arrays={**arrays, "buffer": buffer}, call=call,
                   out="buffer", out_bytes=int(np.prod(g.output_shape)))  # fmt: skip


# (kernel, in_c, (h, w), stride, depthwise multiplier: 0 for CONV_2D)
EXTREME_SHAPES = [
    ((3, 3), 3, (9, 11), 2, 0),  # a stem: spliced interior windows and border patches
    ((10, 8), 1, (14, 13), 2, 8),  # micro_speech's window: kernel rows of two groups
    ((3, 3), 1, (9, 10), 2, 8),  # widened to 3x4: rows of one group
    ((2, 2), 8, (6, 7), 1, 0),  # rows of 16 bytes: a patch per window
]


@pytest.fixture(scope="module")
def extreme_models():
    rng = np.random.default_rng(79)
    specs: dict[bool, list] = {False: [], True: []}
    for kernel, in_c, (h, w), stride, multiplier in EXTREME_SHAPES:
        spec = random_spec(rng, depthwise=multiplier > 0, kernel=kernel, in_c=in_c, stride=stride, dilation=1,
                           multiplier=max(multiplier, 1), batch=1)  # fmt: skip
        spec = replace(spec, in_h=h, in_w=w, padding="SAME")
        span = spec.high - spec.low
        # zero points -128 and 127
        specs[spec.depthwise] += [replace(spec, low=0.0, high=span), replace(spec, low=-span, high=0.0)]
    return build_models(specs[False], seed=79, op_name="CONV_2D") + build_models(
        specs[True], seed=80, op_name="DEPTHWISE_CONV_2D"
    )


def test_extreme_inputs_and_offsets_are_exact(extreme_models, build_dir: Path) -> None:
    """The gathered column sums at their limits: inputs -128 / 127 (a quarter of the image all 127, a
    quarter all -128) with input offsets 128 and -127 (padding the byte -128 / 127), every window kind:
    stem interior, border, kernel rows of one or two groups from the input or a band, patches."""
    rng = np.random.default_rng(5)
    cases, expected, offsets = [], [], set()
    for model, op, spec in extreme_models:
        g = geometry(op)
        offsets.add(g.input_offset)
        x = model.random_inputs(rng)
        at = model.input_position(op.inputs[0])
        x_op = np.where(rng.random(x[at].shape) < 0.5, -128, 127).astype(np.int8)
        h, w = x_op.shape[1] // 2, x_op.shape[2] // 2
        x_op[:, :h, :w] = 127
        x_op[:, h:, w:] = -128
        x[at] = x_op
        want = model.run(x)[op.outputs[0].index]
        if spec.depthwise:
            g = replace(g, filter=np.ascontiguousarray(g.filter.transpose(3, 1, 2, 0)))
        name = describe(spec) + f" offset {g.input_offset}"
        cases.append(conv_call("extreme " + name, g, x_op, "te_conv_im2col_s8"))
        expected.append(want)
        wide = im2col_filter(g.filter) if spec.depthwise else g.filter
        if im2col_kernel(*wide.shape[1:], False) == ROWS:
            cases.append(conv_call("extreme rows " + name, replace(g, filter=wide), x_op, ROWS))
            expected.append(want)
    assert offsets == {128, -127}
    assert sum(ROWS in c.call for c in cases) == 6
    _check(cases, expected, build_dir)

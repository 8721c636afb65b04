"""te_conv_im2col_stream_s8 (windows of at most 12 taps, per-pixel stream of channel records) vs
TFLite's reference interpreter, host (portable) and QEMU Cortex-M7 (DSP: word gathers for rows of
at most four bytes inside the input, tap-by-tap gathers at the border, te_stream5 / te_stream6).

One-channel DEPTHWISE_CONV_2D as te-gen lowers it (person_detect op 0's shape and its real layer),
K = 9 / 12 / 4 / 6 / 10, strides 1 and 2, SAME (borders on every side) and VALID, odd widths, a clamped
activation (the exact C loop), odd channel counts, CONV_2D windows with in_c > 1 (rows over four
bytes), batch 2; records refused (TE_ERROR_ARGUMENT) when made for another output offset; packing
refuses degenerate scales (te-gen then keeps the im2col kernels).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.backend.ops_conv import pack_conv_stream, stream_pairs
from tinyengine_codegen.oracle import patch_quantized_dimension

from .convcases import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    ConvGeometry,
    build_models,
    describe,
    geometry,
    one_channel_depthwise_models,
    random_spec,
)
from .harness import CCase, assert_cases_match, run_cases
from .oracle import TFLiteModel

SOURCES = ["te_conv_im2col_stream_s8.c"]
HEADERS = ["tinyengine/te_conv.h"]
KERNEL = "te_conv_im2col_stream_s8"

# (kernel, stride, padding, multiplier, (h, w), activation, input from 0)
DEPTHWISE_SHAPES = [
    ((3, 3), 2, "SAME", 8, (96, 96), ACT_NONE, True),  # person_detect op 0's shape
    ((3, 3), 2, "SAME", 8, (19, 21), ACT_RELU6, True),  # clamped: the C loop
    ((3, 3), 1, "SAME", 8, (7, 9), ACT_NONE, False),  # borders on every side
    ((3, 3), 2, "VALID", 8, (9, 10), ACT_NONE, False),
    ((3, 3), 2, "SAME", 10, (9, 8), ACT_NONE, False),  # two channels a pass (te_stream_run3)
    ((3, 4), 2, "SAME", 10, (9, 11), ACT_NONE, True),  # K = 12
    ((4, 3), 1, "SAME", 8, (8, 7), ACT_NONE, False),  # K = 12, row pairs of 3
    ((2, 2), 1, "SAME", 8, (6, 7), ACT_NONE, True),  # K = 4
    ((2, 2), 2, "VALID", 12, (7, 5), ACT_RELU, False),
    ((5, 2), 1, "SAME", 8, (9, 6), ACT_NONE, True),  # K = 10, span 2, odd last row
    ((3, 2), 2, "SAME", 6, (5, 8), ACT_NONE, False),  # K = 6
    ((3, 3), 1, "SAME", 7, (5, 5), ACT_NONE, False),  # odd channel count: the C loop
]
# (kernel, stride, padding, in_c, (h, w), out_c, batch)
CONV_SHAPES = [
    ((2, 2), 1, "SAME", 3, (6, 7), 8, 1),  # K = 12, rows of 6 bytes: tap by tap
    ((3, 1), 2, "SAME", 2, (7, 5), 10, 2),  # K = 6, rows of 2 bytes, batch 2
    ((1, 3), 1, "VALID", 4, (4, 6), 8, 1),  # K = 12, one row of 12 bytes
    ((3, 1), 1, "SAME", 3, (6, 5), 8, 1),  # K = 9, kernel rows of 3 bytes on three channels: run3, patches
]


def stream_call(name: str, g: ConvGeometry, x: np.ndarray, output_offset: int | None = None) -> CCase:
    """A CCase calling te_conv_im2col_stream_s8 on x with te-gen's records (filter OHWI)."""
    packed = pack_conv_stream(g.filter, g.bias, g.multiplier, g.shift, g.output_offset)
    offset = g.output_offset if output_offset is None else output_offset
    f_shape = ", ".join(str(int(d)) for d in g.filter.shape)
    setup = (
        f"te_conv_params p = {{{g.input_offset}, {offset}, {g.stride_h}, {g.stride_w}, {g.pad_top}, "
        f"{g.pad_left}, {g.dilation_h}, {g.dilation_w}, {{{g.act_min}, {g.act_max}}}}};\n"
        f"        te_dims in_d = {{{', '.join(str(int(d)) for d in g.input_shape)}}};\n"
        f"        te_dims f_d = {{{f_shape}}};\n"
        f"        te_dims out_d = {{{', '.join(str(int(d)) for d in g.output_shape)}}};"
    )
    call = (f"te_conv_im2col_stream_s8_scratch_bytes(&f_d) != 0u ? -100 : "
            f"{KERNEL}(&p, &in_d, input, &f_d, (const int8_t *)filter, &out_d, output, NULL)")  # fmt: skip
    arrays = {
        "input": x,
        "filter": packed.view("<i4"),
        "output": np.zeros(int(np.prod(g.output_shape)), np.int8),
    }
    return CCase(name=name, arrays=arrays, setup=setup, call=call, out="output", scratch_bytes=0)


@pytest.fixture(scope="module")
def depthwise_models():
    return one_channel_depthwise_models(DEPTHWISE_SHAPES, seed=91, patch_output=False)


@pytest.fixture(scope="module")
def conv_models():
    rng = np.random.default_rng(92)
    specs = []
    for kernel, stride, padding, in_c, (h, w), out_c, batch in CONV_SHAPES:
        spec = random_spec(rng, kernel=kernel, in_c=in_c, stride=stride, dilation=1, batch=batch)
        weights = rng.normal(size=(*kernel, in_c, out_c)).astype(np.float32)
        bias = rng.normal(scale=0.5, size=out_c).astype(np.float32)
        specs.append(replace(spec, in_h=h, in_w=w, padding=padding, out_c=out_c, weights=weights, bias=bias,
                             activation=ACT_NONE, patch_output=False))  # fmt: skip
    return build_models(specs, seed=92, op_name="CONV_2D")


def _check(cases, expected, build_dir: Path) -> None:
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert result.qemu is not None, "the QEMU run is part of this test"
    assert_cases_match(cases, result, expected)


def _lowered(g: ConvGeometry) -> ConvGeometry:
    """te-gen's lowering: DEPTHWISE [1, kh, kw, M] on one channel = CONV_2D [M, kh, kw, 1]."""
    return replace(g, filter=np.ascontiguousarray(g.filter.transpose(3, 1, 2, 0)))


def test_stream_matches_tflite(depthwise_models, conv_models, build_dir: Path) -> None:
    rng = np.random.default_rng(5)
    cases, expected, full = [], [], 0
    for models, lower in ((depthwise_models, _lowered), (conv_models, lambda g: g)):
        for model, op, spec in models:
            x = model.random_inputs(rng)
            g = lower(geometry(op))
            full += (g.act_min, g.act_max) == (-128, 127)
            x_op, want = x[model.input_position(op.inputs[0])], model.run(x)[op.outputs[0].index]
            cases.append(stream_call(describe(spec), g, x_op))
            expected.append(want)
    assert full >= 10  # most cases on the Cortex-M stream, not the clamped C loop
    _check(cases, expected, build_dir)


def test_real_person_detect_op0(shared_models: Path, build_dir: Path) -> None:
    """person_detect's 96x96x1 -> 48x48x8 layer with te-gen's records, on its real input."""
    content, _ = patch_quantized_dimension((shared_models / "person_detect.tflite").read_bytes())
    model = TFLiteModel(content)
    model.run(model.random_inputs(np.random.default_rng(8)))
    op = model.ops[0]
    assert op.name == "DEPTHWISE_CONV_2D" and op.inputs[0].shape[-1] == 1
    g = _lowered(geometry(op))
    assert (g.act_min, g.act_max) == (-128, 127)
    x = np.array(model.interpreter.get_tensor(op.inputs[0].index))
    want = np.array(model.interpreter.get_tensor(op.outputs[0].index))
    _check([stream_call("person_detect op 0", g, x)], [want], build_dir)


def test_records_for_another_output_offset_are_refused(depthwise_models, build_dir: Path) -> None:
    model, op, _ = depthwise_models[2]
    g = _lowered(geometry(op))
    x = model.random_inputs(np.random.default_rng(1))[0]
    case = stream_call("wrong output offset", g, x, output_offset=g.output_offset + 1)
    result = run_cases([case], SOURCES, headers=HEADERS, workdir=build_dir)
    assert result.qemu is not None
    assert result.host[0].status == -1 and result.qemu[0].status == -1


def test_pair_order_and_packing_limits() -> None:
    assert stream_pairs(3, 3, 1) == [(0, 3), (1, 4), (2, 5), (6, 7), (8, -1)]
    assert stream_pairs(2, 2, 1) == [(0, 2), (1, 3)]
    assert stream_pairs(1, 3, 4) == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11)]
    w = np.arange(-4, 5, dtype=np.int8).reshape(1, 3, 3, 1)
    words = pack_conv_stream(w, np.array([7]), np.array([1 << 30]), np.array([-3]), -5).view("<i4")
    assert list(words) == [14, (-8 & 0xFFFF) | (-2 << 16), (-6 & 0xFFFF), (-4 & 0xFFFF) | (2 << 16),
                           (4 & 0xFFFF) | (6 << 16), 8, 1 << 30, -9 << 2, 3]  # fmt: skip
    refused = ((1 << 30, 0, 0), (1 << 30, 1, 0), (1 << 30, -23, 0), (-1, -3, 0), (1, -3, 1 << 29))
    for mult, shift, bias in refused:
        with pytest.raises(ValueError):
            pack_conv_stream(w, np.array([bias]), np.array([mult]), np.array([shift]), 0)

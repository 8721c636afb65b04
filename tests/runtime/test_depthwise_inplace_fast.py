"""The in-place depthwise kernel's DSP fast path (k 3/5/7, stride 1/2), host and QEMU Cortex-M7.

Against TFLite's reference interpreter: every kernel size and stride on maps with odd and even
output widths, one wider than a run of 64 outputs (the multiply pass splits long rows), with the
activation clamp at [-128, 127] (SSAT) and at [min, 127] (USAT + UQADD8; 3x3 stride-1 row pairs with
min < 0: SSAT + QADD8). Against TFLite's integer
requantization written out in numpy (the interpreter cannot be fed arbitrary multipliers): the
edges of the fast requantization on the padded-plane and small-map paths (right shift 1 and 22,
multiplier 2^31 - 1, accumulators near +-2^28, output offsets +-128) and the channels it hands to
the general requantization or the plain loop (left shift, shift 0, right shift 23, accumulators
past 2^28).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.passes.select_kernels import depthwise_inplace_scratch, depthwise_s2_direct_rows

from .convcases import (
    ACT_NONE,
    ACT_RELU,
    build_models,
    depthwise_call,
    describe,
    geometry,
    inplace_expected,
    random_spec,
)
from .harness import CCase, assert_cases_match, c_dims, run_cases
from .test_depthwise import HEADERS, SOURCES


@pytest.fixture(scope="module")
def fast_models():
    """k x stride x activation, with output widths odd and even; one row longer than 64 outputs;
    3x3 row pairs; 3x3 maps."""
    rng = np.random.default_rng(11)
    specs = []
    shapes = {1: ((5, 9), (4, 12)), 2: ((6, 13), (5, 10))}
    for k in (3, 5, 7):
        for stride in (1, 2):
            for (h, w), act in zip(shapes[stride], (ACT_NONE, ACT_RELU), strict=True):
                spec = random_spec(rng, depthwise=True, kernel=(k, k), stride=stride, batch=1)
                specs.append(replace(spec, in_h=h + k, in_w=w + k, padding="SAME", activation=act))
    wide = random_spec(rng, depthwise=True, kernel=(3, 3), stride=1, batch=1, in_c=3)
    specs.append(replace(wide, in_h=4, in_w=67, padding="SAME", activation=ACT_NONE))
    wide2 = random_spec(rng, depthwise=True, kernel=(5, 5), stride=2, batch=1, in_c=2)
    specs.append(replace(wide2, in_h=7, in_w=141, padding="VALID", activation=ACT_RELU))
    # small maps, four channels at a time: 36 output pixels (three runs of windows), and a row
    # wider than 63 (byte-sized window steps do not reach: the plain loop)
    small = random_spec(rng, depthwise=True, kernel=(7, 7), stride=1, batch=1, in_c=8)
    specs.append(replace(small, in_h=6, in_w=6, padding="SAME", activation=ACT_NONE))
    row = random_spec(rng, depthwise=True, kernel=(7, 7), stride=1, batch=1, in_c=4)
    specs.append(replace(row, in_h=1, in_w=70, padding="SAME", activation=ACT_RELU))
    # 3x3 stride 1 and 2 with the whole int8 range: output rows in pairs (even / odd heights and
    # widths, two rows only)
    for h, w, stride in ((6, 8, 1), (7, 10, 1), (5, 5, 1), (2, 21, 1), (8, 21, 2), (3, 18, 2), (10, 10, 2)):
        pair = random_spec(rng, depthwise=True, kernel=(3, 3), stride=stride, dilation=1, batch=1)
        specs.append(replace(pair, in_h=h, in_w=w, padding="SAME", activation=ACT_NONE))
    # the same with a clamped ReLU ([zero point, 127]: the _min row-pair steps when the zero point is
    # negative, the run path when not)
    for h, w, stride in ((6, 9, 1), (7, 8, 1), (2, 7, 1), (8, 21, 2), (5, 10, 2)):
        pair = random_spec(rng, depthwise=True, kernel=(3, 3), stride=stride, dilation=1, batch=1)
        specs.append(replace(pair, in_h=h, in_w=w, padding="SAME", activation=ACT_RELU, patch_output=True))
    # tiny maps (3x3 kernel: 3x3 stride 1 and 2, 2x2; 5x5 kernel on 2x2): a channel at a time in registers
    for n, k, stride, act in (
        (3, 3, 1, ACT_NONE),
        (3, 3, 1, ACT_RELU),
        (3, 3, 2, ACT_NONE),
        (2, 3, 1, ACT_NONE),
        (2, 5, 1, ACT_NONE),
    ):
        tiny = random_spec(rng, depthwise=True, kernel=(k, k), stride=stride, dilation=1, batch=1, in_c=13)
        specs.append(replace(tiny, in_h=n, in_w=n, padding="SAME", activation=act))
    # stride-2 small maps (up to 6x6) through the four-channel group path: k7, k5, k3 (a last group
    # of fewer than four channels: the plain loop) and a 1 x 36 row
    for (h, w), k, act, c in (
        ((6, 6), 7, ACT_NONE, 8),
        ((5, 5), 5, ACT_RELU, 8),
        ((6, 6), 3, ACT_NONE, 6),
        ((1, 36), 3, ACT_RELU, 4),
    ):
        s2 = random_spec(rng, depthwise=True, kernel=(k, k), stride=2, dilation=1, batch=1, in_c=c)
        specs.append(replace(s2, in_h=h, in_w=w, padding="SAME", activation=act))
    # a group-path map of more than 36 output pixels (2 x 30 under 7x7): windows recomputed per run
    long = random_spec(rng, depthwise=True, kernel=(7, 7), stride=1, dilation=1, batch=1, in_c=4)
    specs.append(replace(long, in_h=2, in_w=30, padding="SAME", activation=ACT_RELU))
    specs += _s2_direct_specs(rng)
    return build_models(specs, seed=11, op_name="DEPTHWISE_CONV_2D")


# 3x3 stride 2 read straight from the buffer (te_dw_s2_direct: top / bottom rows from plane copies):
# (in_h, in_w, padding, activation, channels); even sizes (no top / left padding, one right column),
# odd sizes (padding on every side: the middle's pad columns are the neighbour rows' bytes), VALID,
# channels not a multiple of 4, odd output widths and middle row counts, a clamped ReLU, low maps
# (three and two middle rows)
S2_DIRECT = [
    (24, 24, "SAME", ACT_NONE, 5),
    (23, 25, "SAME", ACT_NONE, 6),
    (25, 27, "VALID", ACT_NONE, 3),
    (16, 26, "SAME", ACT_RELU, 4),
    (14, 23, "SAME", ACT_NONE, 7),
    (11, 24, "SAME", ACT_NONE, 2),
    (10, 30, "SAME", ACT_NONE, 9),
]


def _s2_direct_specs(rng):
    specs = []
    for h, w, padding, act, c in S2_DIRECT:
        spec = random_spec(rng, depthwise=True, kernel=(3, 3), stride=2, dilation=1, batch=1, in_c=c)
        relu = act == ACT_RELU
        specs.append(replace(spec, in_h=h, in_w=w, padding=padding, activation=act, patch_output=relu))
    return specs


def test_s2_direct_specs_take_the_direct_path() -> None:
    """Every S2_DIRECT shape reads its middle rows from the buffer (te-gen's mirror of the C choice)."""
    for h, w, padding, _, _ in S2_DIRECT:
        oh, ow = ((h + 1) // 2, (w + 1) // 2) if padding == "SAME" else ((h - 1) // 2, (w - 1) // 2)
        assert depthwise_s2_direct_rows((1, h, w, 1), (1, oh, ow, 1), 3, (2, 2)) is not None, (h, w)


def test_fast_path_matches_tflite(fast_models, build_dir: Path) -> None:
    rng = np.random.default_rng(3)
    cases, expected = [], []
    for model, op, spec in fast_models:
        x = model.random_inputs(rng)
        outputs = model.run(x)
        x_op = x[model.input_position(op.inputs[0])]
        g = geometry(op)
        cases.append(depthwise_call(describe(spec), g, 1, x_op, True))
        expected.append(inplace_expected(x_op, outputs[op.outputs[0].index]))
    acts = {(geometry(op).act_min, geometry(op).act_max) for _, op, _ in fast_models}
    assert (-128, 127) in acts and any(lo > -128 and hi == 127 for lo, hi in acts)
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)


def _srdhm(a: np.ndarray, b: int) -> np.ndarray:
    return (a.astype(object) * b + (1 << 30)) >> 31


def _mbqm(acc: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """tflite::MultiplyByQuantizedMultiplier on int64 values (the left shift wraps in int32)."""
    if shift > 0:
        wrapped = ((acc.astype(np.int64) << shift) + (1 << 31)) % (1 << 32) - (1 << 31)
        return np.array([int(v) for v in _srdhm(wrapped, multiplier)], np.int64)
    h = np.array([int(v) for v in _srdhm(acc, multiplier)], np.int64)
    e = -shift
    mask = (1 << e) - 1
    threshold = (mask >> 1) + (h < 0)
    return (h >> e) + ((h & mask) > threshold)


def _reference(x, w, bias, mult, shift, in_off, out_off, act, stride, pad):
    """Integer DEPTHWISE_CONV_2D as TFLite's reference kernel computes it (HWC, multiplier 1)."""
    h, wd, c = x.shape
    k = w.shape[0]
    oh, ow = (h + stride - 1) // stride, (wd + stride - 1) // stride
    xp = np.zeros((h + 2 * k, wd + 2 * k, c), np.int64) - in_off  # padding: x + in_off = 0
    xp[pad : pad + h, pad : pad + wd] = x
    out = np.zeros((oh, ow, c), np.int8)
    for ch in range(c):
        acc = np.full((oh, ow), bias[ch], np.int64)
        for ky in range(k):
            for kx in range(k):
                tap = xp[ky : ky + stride * oh : stride, kx : kx + stride * ow : stride, ch]
                acc += (tap + in_off) * int(w[ky, kx, ch])
        v = _mbqm(acc.ravel(), int(mult[ch]), int(shift[ch])).reshape(oh, ow) + out_off
        out[:, :, ch] = np.clip(v, act[0], act[1])
    return out


def _edge_case(
    name, k, stride, mult, shift, bias, in_off, out_off, act, seed, hw
) -> tuple[CCase, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = len(mult)
    h, wd = hw
    x = rng.integers(-128, 128, size=(h, wd, c), dtype=np.int8)
    w = rng.integers(-128, 128, size=(k, k, c), dtype=np.int8)
    w[:, :, 0] = 127  # the largest |sum(w)|: the input offset moves the accumulator far
    pad = (((h + stride - 1) // stride - 1) * stride + k - h) // 2
    want = _reference(x, w, bias, mult, shift, in_off, out_off, act, stride, pad)
    oh, ow = want.shape[:2]
    setup = (
        f"te_depthwise_params p = {{{in_off}, {out_off}, {stride}, {stride}, {pad}, {pad}, 1, 1, 1, "
        f"{{{act[0]}, {act[1]}}}}};\n"
        "        te_per_channel_quant q = {mult, shift};\n"
        f"        te_dims in_d = {c_dims((1, h, wd, c))};\n"
        f"        te_dims f_d = {c_dims((1, k, k, c))};\n"
        f"        te_dims out_d = {c_dims((1, oh, ow, c))};"
    )
    scratch = depthwise_inplace_scratch((1, h, wd, c), (1, oh, ow, c), (k, k), (stride, stride))
    arrays = {
        "buffer": x.reshape(-1).copy(),
        "filter": w.reshape(-1).copy(),
        "bias": np.asarray(bias, np.int32),
        "mult": np.asarray(mult, np.int32),
        "shift": np.asarray(shift, np.int32),
    }
    call = "te_depthwise_conv_inplace_s8(&p, &q, &in_d, buffer, &f_d, filter, bias, &out_d, scratch)"
    case = CCase(name, arrays, call, out="buffer", setup=setup, scratch_bytes=scratch)
    return case, inplace_expected(x.reshape(1, h, wd, c), want.reshape(1, oh, ow, c))


def test_fast_requantization_edges_match_tflite_arithmetic(build_dir: Path) -> None:
    big = (1 << 28) - 1
    # per channel: (multiplier, shift, bias); in_off 128 and w[.., 0] = 127 move channel 0 by up to
    # 128 * 127 * k * k, so its bias is set to land near (or past) the 2^28 limit on purpose
    # channels 0-3 all within te_requant2's range (the small-map path's four-channel loop), 2 and 3
    # with outputs that do not saturate; 4-7 not all; 8-11, 12 a last group of one (10: a bias past
    # 2^30, whose doubling wraps in the tiny maps' general path; 4, 11, 12: right shifts past 22, the
    # 3x3 stride-1 row pairs' offset after the shift)
    quant = [
        (2**31 - 1, -1, big - 128 * 127 * 9 - 40000),
        ((1 << 30) + 12345, -22, -big + 30000),
        (1518500250, -9, 1234),
        (1073742601, -8, -5000),
        (1 << 30, -23, 1000),
        (1518500250, 0, -700),
        (1518500250, 1, 333),
        (0, -5, 77),
        (2**31 - 1, -12, big + 5),
        (1073741824, -2, -(1 << 27)),
        (1518500250, -20, (1 << 30) + 12345),
        (2**31 - 1, -31, big - 128 * 127 * 9 - 40000),
        ((1 << 30) + 777, -26, -(1 << 27)),
    ]
    mult, shift, bias = (list(t) for t in zip(*quant, strict=True))
    cases, expected = [], []
    # padded-plane maps (5 x 7), then small maps (four channels at a time; the last two stride 2)
    configs = [
        (3, 1, 128, -128, (-128, 127), (5, 7)),
        (3, 2, -127, 127, (-128, 127), (5, 7)),
        (5, 1, 0, 5, (-7, 127), (5, 7)),
        (5, 2, 128, -128, (-128, 127), (5, 7)),
        (7, 1, 77, 127, (-128, 127), (5, 7)),
        (7, 2, -5, -100, (-100, 127), (5, 7)),
        (5, 1, 128, -128, (-128, 127), (3, 3)),
        (3, 1, -100, 20, (-30, 127), (2, 2)),
        (3, 1, 128, -128, (-128, 127), (3, 3)),
        (7, 2, 128, -128, (-128, 127), (6, 6)),
        (5, 2, -3, 9, (-20, 127), (5, 5)),
        # 3x3 row pairs clamped at [min, 127]: min < 0 (the _min steps; offset - min - 128 at -255
        # and at 126), min 0 (the run path)
        (3, 1, 128, -128, (-1, 127), (6, 7)),
        (3, 2, -127, 127, (-127, 127), (7, 9)),
        (3, 1, 5, -60, (-40, 127), (5, 7)),
        (3, 1, 0, 5, (0, 127), (6, 6)),
        # 3x3 stride 2 from the buffer (te_dw_s2_direct), odd and even sizes
        (3, 2, 128, -128, (-128, 127), (12, 24)),
        (3, 2, -127, 127, (-128, 127), (13, 25)),
    ]
    for i, (k, stride, in_off, out_off, act, hw) in enumerate(configs):
        case, want = _edge_case(
            f"edge k{k} s{stride} {hw}", k, stride, mult, shift, bias, in_off, out_off, act, 40 + i, hw
        )
        cases.append(case)
        expected.append(want)
    # tiny maps whose channels all allow te_requant2 (the in-register path; above, channel 4 on
    # sends the (3, 3) map to the small-map path)
    # (then the four-output shapes clamped at [min, 127], min < 0: SSAT + QADD8 in the routine; min
    # at -1 and -127, output offsets at the ends)
    tiny = [(3, 1, (3, 3)), (3, 2, (3, 3)), (3, 1, (2, 2)), (5, 1, (2, 2)), (7, 1, (2, 2))]
    tiny_acts = [(-128, (-128, 127))] * 5 + [(-1, (-1, 127)), (-128, (-127, 127)), (127, (-3, 127))]
    tiny += [(3, 2, (3, 3)), (3, 1, (2, 2)), (5, 1, (2, 2))]
    for i, ((k, stride, hw), (out_off, act)) in enumerate(zip(tiny, tiny_acts, strict=True)):
        case, want = _edge_case(
            f"edge tiny k{k} s{stride} {hw} {act}",
            k,
            stride,
            mult[:4],
            shift[:4],
            bias[:4],
            128,
            out_off,
            act,
            60 + i,
            hw,
        )
        cases.append(case)
        expected.append(want)
    # tiny maps whose channels shift right by 23..31 (te_requant2 without the offset, added after)
    pick = [4, 11, 12, 2]
    for i, (k, stride, hw) in enumerate(((3, 1, (3, 3)), (3, 2, (3, 3)), (3, 1, (2, 2)))):
        case, want = _edge_case(
            f"edge tiny big shifts k{k} s{stride} {hw}",
            k,
            stride,
            [mult[j] for j in pick],
            [shift[j] for j in pick],
            [bias[j] for j in pick],
            -5,
            20 * i - 128 + 9,
            (-128, 127),
            80 + i,
            hw,
        )
        cases.append(case)
        expected.append(want)
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)

"""te_conv_1x1_s8 on its packed filter: the layout, MCUNet-like shapes vs TFLite, every requantization path.

The Cortex-M path blocks three pixels x two channels (up to four such sub-blocks per call for small
input channel counts, a short last block repeats a pixel, an odd channel count leaves one channel to
C), needs the doubled-accumulator requantization to apply (else the exact general form runs) and
|bias| < 2^29 (else the exact per-pixel loop): the cases cover each of those on the host (portable)
and on QEMU Cortex-M7.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.backend.conv_layout import (
    pack_conv_1x1_filter,
    pack_conv_1x1_small,
    pack_conv_filter,
    packed_filter_bytes,
    small_1x1_fast,
)
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.passes.select_kernels import choose_kernel

from .convcases import build_models, conv_1x1_scratch, conv_call, dead_relu, describe, geometry, random_spec
from .harness import CCase, assert_cases_match, c_dims, run_cases
from .test_requantize_fast import _reference

SOURCES = ["te_conv_1x1_s8.c", "te_pair.c"]


def test_packed_layout_puts_each_weight_and_constant_where_the_kernel_reads_it() -> None:
    rng = np.random.default_rng(3)
    for n, c, with_bias in [(1, 1, True), (2, 4, False), (3, 5, True), (16, 24, True), (7, 13, False)]:
        w = rng.integers(-128, 128, (n, 1, 1, c)).astype(np.int8)
        bias = rng.integers(-(2**30) + 1, 2**30, n).astype(np.int32) if with_bias else None
        mult = rng.integers(2**30, 2**31, n).astype(np.int32)
        shift = rng.integers(-31, 2, n).astype(np.int32)
        packed = pack_conv_filter(w, bias, mult, shift)
        c4 = (c + 3) // 4 * 4
        stride = 24 + 2 * c4
        assert packed.dtype == np.int8 and packed.size == (n + 1) // 2 * stride
        for oc in range(n):
            block, half = (oc // 2) * stride, (oc % 2) * 4

            def word(at: int, packed=packed, block=block, half=half) -> int:
                return int(packed[block + at + half : block + at + half + 4].view("<i4")[0])

            doubled = [2 * int(bias[o]) if with_bias and o < n else 0 for o in (oc - oc % 2, oc - oc % 2 + 1)]
            mixed = doubled[0] + 256 * doubled[1] - 2**30  # lo's doubled bias + 256 * hi's, less 2^30
            assert word(0) == (doubled[1] if oc % 2 else (mixed + 2**31) % 2**32 - 2**31)
            for k in range(c):  # halfwords k0 k2 k1 k3: bytes w[lo] ^ 0x80, w[hi]
                at = block + 8 + (k // 4) * 8 + ((k % 2) * 2 + (k % 4) // 2) * 2 + oc % 2
                assert packed[at] == (w[oc, 0, 0, k] if oc % 2 else w[oc, 0, 0, k] ^ np.int8(-128))
            assert word(8 + 2 * c4) == mult[oc]
            assert word(16 + 2 * c4) == -shift[oc]
        if n % 2:  # the phantom channel: zero weights and constants
            block = (n // 2) * stride
            assert not packed[block + 4 : block + 8].any() and not packed[block + 8 + 2 * c4 + 4 :: 8].any()
            assert not packed[block + 9 : block + 8 + 2 * c4 : 2].any()


def test_a_bias_past_2_30_runs_the_generic_kernel(shared_models) -> None:
    """The packed filter holds biases doubled: te-gen keeps such a layer on te_conv_s8."""
    w = np.zeros((2, 1, 1, 4), np.int8)
    with pytest.raises(ValueError, match="2\\^30"):
        pack_conv_filter(w, np.array([2**30, 0]), np.array([2**30, 2**30]), np.array([-1, -1]))
    graph = load_tflite(shared_models / "person_detect.tflite")
    index = next(i for i in range(len(graph.operators)) if choose_kernel(graph, i).kernel == "te_conv_1x1_s8")
    bias = graph.tensors[graph.operators[index].inputs[2]]
    bias.data = bias.data.copy()
    bias.data[-1] = -(2**30) + 1
    assert choose_kernel(graph, index).kernel == "te_conv_1x1_s8"
    bias.data[-1] = -(2**30)
    assert choose_kernel(graph, index).kernel == "te_conv_s8"


def _spec(rng: np.random.Generator, h: int, w: int, c_in: int, c_out: int, stride: int = 1, **kw):
    """A 1x1 spec of the given shape (weights drawn again for the channel counts)."""
    base = random_spec(rng, kernel=(1, 1), dilation=1, stride=stride, in_c=c_in, batch=kw.pop("batch", 1))
    scale = np.exp(rng.uniform(np.log(0.02), np.log(2.0), size=c_out)).astype(np.float32)
    weights = rng.normal(size=(1, 1, c_in, c_out)).astype(np.float32) * scale
    bias = rng.normal(scale=0.5, size=c_out).astype(np.float32)
    return replace(base, in_h=h, in_w=w, out_c=c_out, weights=weights, bias=bias, padding="VALID", **kw)


@pytest.fixture(scope="module")
def shaped_models():
    rng = np.random.default_rng(71)
    specs = [
        _spec(rng, 6, 6, 16, 48),  # MCUNet expansion, small K
        _spec(rng, 2, 2, 96, 24),  # 4 pixels: a block of 3 and a repeated one
        _spec(rng, 5, 5, 24, 120, patch_output=True),  # 25 pixels, narrowed clamp
        _spec(rng, 3, 3, 160, 40),  # large K
        _spec(rng, 1, 1, 67, 33),  # one pixel, K % 4 = 3, odd channel count
        _spec(rng, 1, 2, 8, 1),  # one channel
        _spec(rng, 7, 5, 13, 6, stride=2),  # strided, cropped
        _spec(rng, 4, 1, 4, 3, batch=2),  # batch 2
        dead_relu(_spec(rng, 3, 4, 12, 10)),  # multiplier > 1: the general requantization
        _spec(rng, 3, 3, 32, 16, patch_output=True, activation=1),
        _spec(rng, 5, 5, 8, 16),  # K = 8: two blocks of four three-pixel sub-blocks, one pixel left
        _spec(rng, 9, 9, 24, 12, stride=2, patch_output=True),  # 25 pixels in sub-blocks, strided, clamped
    ]
    return build_models(specs, seed=71, op_name="CONV_2D")


def test_mcunet_like_shapes_match_tflite(shaped_models, build_dir: Path) -> None:
    rng = np.random.default_rng(72)
    cases, expected = [], []
    for model, op, spec in shaped_models:
        x = model.random_inputs(rng)
        outputs = model.run(x)
        g = geometry(op)
        cases.append(conv_call(describe(spec), g, x[model.input_position(op.inputs[0])], "te_conv_1x1_s8"))
        expected.append(outputs[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=["tinyengine/te_conv.h"], workdir=build_dir)
    assert_cases_match(cases, result, expected)


def _expected(x, w, bias, mult, shift, in_off, out_off, lo, hi) -> np.ndarray:
    """The exact integer 1x1 convolution (TFLite's arithmetic) of x (pixels, c) with w (n, c)."""
    acc = (x.astype(np.int64) + in_off) @ w.astype(np.int64).T + bias
    scales = list(zip(mult.tolist(), shift.tolist(), strict=True))
    out = np.array([[_reference(int(a), m, s) for a, (m, s) in zip(row, scales, strict=True)] for row in acc])
    out += out_off
    return np.clip(out, lo, hi).astype(np.int8)


def _raw_case(rng, name: str, pixels: int, c: int, n: int, bias: np.ndarray, shift: np.ndarray, mult=None,
              x=None, w=None, in_off=None):  # fmt: skip
    """A case with drawn integers instead of a converted model (scales TFLite would not produce)."""
    x = rng.integers(-128, 128, (pixels, c)).astype(np.int8) if x is None else x
    w = rng.integers(-127, 128, (n, c)).astype(np.int8) if w is None else w
    mult = rng.integers(2**30, 2**31 - 1, n).astype(np.int32) if mult is None else mult
    out_off = int(rng.integers(-128, 128))
    in_off = int(rng.integers(-128, 128)) if in_off is None else in_off
    lo, hi = -128, int(rng.integers(0, 128))
    want = _expected(x, w, bias, mult, shift, in_off, out_off, lo, hi)
    setup = (
        f"te_conv_params p = {{{in_off}, {out_off}, 1, 1, 0, 0, 1, 1, {{{lo}, {hi}}}}};\n"
        f"        te_dims in_d = {c_dims((1, 1, pixels, c))};\n"
        f"        te_dims f_d = {c_dims((n, 1, 1, c))};\n"
        f"        te_dims out_d = {c_dims((1, 1, pixels, n))};"
    )
    case = CCase(
        name=name,
        arrays={
            "x": x.reshape(-1),
            "w": pack_conv_filter(w.reshape(n, 1, 1, c), bias, mult, shift),
            "y": np.zeros(pixels * n, np.int8),
        },
        setup=setup,
        call="te_conv_1x1_s8(&p, &in_d, x, &f_d, w, &out_d, y, scratch)",
        out="y",
        scratch_bytes=conv_1x1_scratch(c),
    )
    return case, want.reshape(-1)


def test_every_requantization_path_is_exact(build_dir: Path) -> None:
    rng = np.random.default_rng(73)
    n, c = 6, 20
    small = rng.integers(-1000, 1000, n)
    edge = np.array([2**29 - 1, -(2**29) + 1, 0, 5, -5, 2**29 - 2])
    unshifted = np.array([2**21, 2**22 + 3, 2**20, 2**30, 2**21 + 9, 2**23], np.int32)
    raw = [
        ("every shift 0: one SMMLAR, blocks of two", small, np.zeros(n, np.int64), unshifted),
        ("fast form, shifts -1 and -22", small, np.array([-1, -22, -8, -9, -1, -22]), None),
        ("biases at the fast bound", edge, np.full(n, -9), None),
        ("a bias past the bound: per-pixel loop", np.array([2**29, 0, 0, 0, 0, -(2**29)]), np.full(n, -9),
         None),
        ("shifts -23 .. -31: the offset added after the shift", small, np.array([-23, -31, -8, -24, -30, -1]),
         None),
        ("shifts -31 and 0: general form", small, np.array([0, -31, 0, -23, -30, -2]),
         np.array([2**21, 2**30, 2**21 + 5, 2**30, 2**30, 2**30], np.int32)),
        ("a left shift and a zero multiplier", small, np.array([1, -8, -8, 2, -8, -8]),
         np.array([2**30, 0, 2**31 - 1, 2**30 + 7, 1, 2**30], np.int32)),
        ("every shift 0: one SMMLAR, blocks of three", small, np.zeros(n, np.int64), unshifted),
    ]  # fmt: skip
    cases, expected = [], []
    for i, (name, bias, shift, mult) in enumerate(raw):
        case, want = _raw_case(rng, name, 4 + i, c, n, bias, shift, mult)
        cases.append(case)
        expected.append(want)
    result = run_cases(cases, SOURCES, headers=["tinyengine/te_conv.h"], workdir=build_dir)
    assert_cases_match(cases, result, expected)


def test_extreme_weights_and_inputs_are_exact(build_dir: Path) -> None:
    """The shared halfwords (256 * w[hi] + w[lo] + 128) and the column sums at their limits: every
    weight -128 or 127 (-128 included, which TFLite never writes), inputs -128 / 127 with offsets 128
    and -127 (column lanes +-510), long rows, biases at the bound."""
    rng = np.random.default_rng(74)
    cases, expected = [], []
    for i, (c, n, in_off) in enumerate([(200, 6, 128), (203, 5, -127), (24, 8, 128), (8, 4, -127)]):
        pixels = 5 + i
        w = np.where(rng.random((n, c)) < 0.5, -128, 127).astype(np.int8)
        w[0] = -128
        w[1 % n] = 127
        x = np.where(rng.random((pixels, c)) < 0.5, -128, 127).astype(np.int8)
        x[0] = 127 if in_off > 0 else -128  # every lane at +-510
        bias = np.resize(np.array([2**22 + 12345, -(2**22) - 999, 0, 2**29 - 1]), n)  # 512 * bias[hi] wraps
        case, want = _raw_case(rng, f"extreme K {c}", pixels, c, n, bias, np.full(n, -19), None, x, w, in_off)
        assert np.count_nonzero(np.abs(want.astype(int)) < 120) > want.size // 2  # mostly unsaturated
        cases.append(case)
        expected.append(want)
    result = run_cases(cases, SOURCES, headers=["tinyengine/te_conv.h"], workdir=build_dir)
    assert_cases_match(cases, result, expected)


@pytest.fixture(scope="module")
def small_k_models():
    rng = np.random.default_rng(81)
    specs = [
        _spec(rng, 5, 5, 4, 8, activation=0),  # K = 4: te-gen keeps the pair layout; the stream runs in C
        _spec(rng, 7, 7, 8, 16, activation=0),  # K = 8, 49 pixels
        _spec(rng, 3, 5, 12, 10, activation=0),  # K = 12
        _spec(rng, 5, 3, 16, 24, activation=0),  # K = 16, 15 pixels
        _spec(rng, 3, 3, 24, 16, activation=0),  # K = 24
        _spec(rng, 9, 9, 8, 16, stride=2, activation=0),  # strided: one run per output row
        _spec(rng, 7, 5, 16, 8, stride=2, activation=0),  # strided, cropped
        _spec(rng, 5, 5, 8, 16, patch_output=True, activation=1),  # clamped: the C loop
        _spec(rng, 3, 1, 16, 6, batch=2, activation=0),  # batch 2
        _spec(rng, 5, 5, 8, 7, activation=0),  # odd output channel count: the C loop
        dead_relu(_spec(rng, 3, 4, 16, 10)),  # multiplier > 1: degenerate, the C loop
        _spec(rng, 1, 1, 16, 2, activation=0),  # one pixel, one channel pair
        _spec(rng, 1, 3, 8, 2, activation=0),
    ]
    return build_models(specs, seed=81, op_name="CONV_2D")


def test_small_k_stream_matches_tflite(small_k_models, build_dir: Path) -> None:
    """Each layer twice: the filter te-gen writes (pack_conv_1x1_filter) and the small-K stream forced."""
    rng = np.random.default_rng(82)
    cases, expected = [], []
    chosen = []
    for model, op, spec in small_k_models:
        x = model.random_inputs(rng)
        want = model.run(x)[op.outputs[0].index]
        g = geometry(op)
        base = conv_call(describe(spec), g, x[model.input_position(op.inputs[0])], "te_conv_1x1_s8")
        act = (g.act_min, g.act_max)
        picked = pack_conv_1x1_filter(g.filter, g.bias, g.multiplier, g.shift, g.output_offset, act)
        chosen.append(bool(picked[0] & 1))
        forced = pack_conv_1x1_small(g.filter, g.bias, g.multiplier, g.shift, g.output_offset)
        for label, packed in (("te-gen", picked), ("small stream", forced)):
            cases.append(replace(base, name=f"{base.name} {label}", arrays={**base.arrays, "filter": packed}))
            expected.append(want)
    # te-gen's choice: the stream for K = 8 / 16, whole range, even channels, fast scales only
    assert chosen == [False, True, False, True, False, True, True, False, True, False, False, True, True]
    # an unaligned input: the C loop on Cortex-M too
    model, op, spec = small_k_models[1]
    x = model.random_inputs(rng)
    g = geometry(op)
    xin = x[model.input_position(op.inputs[0])]
    base = conv_call("unaligned " + describe(spec), g, xin, "te_conv_1x1_s8")
    shifted = np.concatenate([np.zeros(1, np.int8), base.arrays["input"].reshape(-1)])
    packed = pack_conv_1x1_small(g.filter, g.bias, g.multiplier, g.shift, g.output_offset)
    cases.append(replace(base, arrays={**base.arrays, "input": shifted, "filter": packed},
                         call=base.call.replace("input,", "input + 1,")))  # fmt: skip
    expected.append(model.run(x)[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=["tinyengine/te_conv.h"], workdir=build_dir)
    assert_cases_match(cases, result, expected)


def test_small_k_stream_layout() -> None:
    rng = np.random.default_rng(83)
    n, c = 4, 12
    w = rng.integers(-128, 128, (n, 1, 1, c)).astype(np.int8)
    bias = np.array([5, -7, 2**29 - 1, 0])
    mult = rng.integers(2**30, 2**31, n).astype(np.int32)
    shift = np.array([-1, -22, -9, -5])
    words = pack_conv_1x1_small(w, bias, mult, shift, -3).view("<i4")
    record = 4 + c // 2
    assert words.size == 1 + n * record and words[0] == 1 | 2 | (0xFD << 8)
    for oc in range(n):
        r = words[1 + oc * record : 1 + (oc + 1) * record]
        halves = r[1:-3].view("<i2")
        assert r[0] == 2 * bias[oc]
        for k in range(c):
            assert halves[(k // 4) * 4 + (k % 2) * 2 + (k // 2) % 2] == 2 * int(w[oc, 0, 0, k])
        assert r[-3] == mult[oc] and r[-2] & 0xFFFF == -shift[oc] and (r[-2] >> 16) == (oc == n - 1)
        assert r[-1] == (2 * -3 + 1) * 2 ** (-shift[oc] - 1)
    # outside the fast range: header bit 1 clear, no rounding terms; a negative shift kept in 16 bits
    words = pack_conv_1x1_small(w, bias, mult, np.array([-1, 0, 2, -23]), 7).view("<i4")
    assert words[0] == 1 | (7 << 8) and not words[record::record].any()
    assert [int(np.int16(words[1 + oc * record + record - 2] & 0xFFFF)) for oc in range(n)] == [1, 0, -2, 23]
    assert not small_1x1_fast(np.array([2**29]), np.array([2**30]), np.array([-5]))


@pytest.mark.parametrize(("n", "c"), [(1, 3), (5, 27), (6, 8), (7, 16), (16, 16), (24, 144), (10, 12)])
def test_flash_estimate_is_the_size_te_gen_writes(n: int, c: int) -> None:
    """te-gen's Flash estimate (analysis / netspec_fast) counts the packed filters byte for byte;
    where the 1x1 layout depends on the quantization, the larger one."""
    rng = np.random.default_rng(n * 100 + c)
    w = rng.integers(-128, 128, (n, 1, 1, c)).astype(np.int8)
    bias, mult, shift = np.arange(n), np.full(n, 2**30), np.full(n, -5)
    pair = pack_conv_filter(w, bias, mult, shift).size
    small = pack_conv_1x1_small(w, bias, mult, shift, 0).size
    assert packed_filter_bytes("te_conv_im2col_s8", n, c) == pair
    either = c in (8, 16) and n % 2 == 0
    assert packed_filter_bytes("te_conv_1x1_s8", n, c) == (max(pair, small) if either else pair)
    assert packed_filter_bytes("te_conv_s8", n, c) is None

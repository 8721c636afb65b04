"""te_multiply_by_quantized_multiplier (one-SMLAL form for right shifts >= 2) vs TFLite's two-step form.

The fast form folds SaturatingRoundingDoublingHighMul and RoundingDivideByPOT into one 64-bit
multiply-add; this checks it on the host (portable C) and on QEMU Cortex-M7 (DSP build) against
the two-step definition computed exactly in Python, on random and extreme values of every shift.
"""

from __future__ import annotations

import numpy as np

from .harness import CCase, assert_cases_match, run_cases

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def _wrap32(v: int) -> int:
    return (v + 2**31) % 2**32 - 2**31


def _reference(x: int, m: int, shift: int) -> int:
    """tflite::MultiplyByQuantizedMultiplier: wrapped left shift, SRDHM, then RDBP."""
    x = _wrap32(x << shift) if shift > 0 else x
    high = INT32_MAX if x == m == INT32_MIN else (x * m + (1 << 30)) >> 31
    exponent = max(-shift, 0)
    mask = (1 << exponent) - 1
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    return (high >> exponent) + (1 if (high & mask) > threshold else 0)


def _values(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    extremes = [INT32_MIN, INT32_MIN + 1, -(2**30) - 1, -(2**30), -2, -1, 0, 1, 2**30, INT32_MAX]
    x = np.concatenate([
        rng.integers(INT32_MIN, INT32_MAX, n // 2, endpoint=True),
        rng.integers(-(2**20), 2**20, n // 4),
        rng.choice(extremes, n - n // 2 - n // 4),
    ])  # fmt: skip
    special = rng.choice([0, 1, 2**30, INT32_MAX], n)
    m = np.where(rng.random(n) < 0.2, special, rng.integers(2**30, INT32_MAX, n))
    shift = rng.integers(-31, 4, n)
    return x.astype(np.int32), m.astype(np.int32), shift.astype(np.int32)


def test_fast_requantization_matches_two_step_form(build_dir):
    rng = np.random.default_rng(7)
    x, m, shift = _values(rng, 4000)
    triples = zip(x.tolist(), m.tolist(), shift.tolist(), strict=True)
    expected = np.array([_reference(a, b, c) for a, b, c in triples], np.int32)
    case = CCase(
        name="te_multiply_by_quantized_multiplier, 4000 values",
        arrays={"x": x, "m": m, "shift": shift, "out": np.zeros_like(x)},
        setup=(
            "int i; for (i = 0; i < 4000; ++i) {"
            " out[i] = te_multiply_by_quantized_multiplier(x[i], m[i], shift[i]); }"
        ),
        call="TE_OK",
        out="out",
    )
    result = run_cases([case], sources=[], headers=("tinyengine/te_requantize.h",), workdir=build_dir)
    assert_cases_match([case], result, [expected])


def test_doubled_accumulator_form_matches_two_step_form(build_dir):
    """te_requant2 (acc held doubled, output offset folded into the rounding term) on |x| < 2^30."""
    rng = np.random.default_rng(11)
    n = 4000
    bound = 2**30 - 1
    x = np.concatenate([
        rng.integers(-bound, bound, n // 2, endpoint=True),
        rng.integers(-(2**20), 2**20, n // 4),
        rng.choice([-bound, -(2**29), -2, -1, 0, 1, 2, 2**29, bound], n - n // 2 - n // 4),
    ]).astype(np.int32)  # fmt: skip
    special = rng.choice([0, 1, 2**30, INT32_MAX], n)
    m = np.where(rng.random(n) < 0.1, special, rng.integers(2**30, INT32_MAX, n))
    shift = rng.integers(-22, 0, n)  # -22 .. -1
    offset = rng.integers(-128, 128, n)
    rows = zip(x.tolist(), m.tolist(), shift.tolist(), offset.tolist(), strict=True)
    expected = np.array([_reference(a, b, c) + d for a, b, c, d in rows], np.int32)
    case = CCase(
        name="te_requant2, 4000 values",
        arrays={
            "x": x,
            "m": m.astype(np.int32),
            "shift": shift.astype(np.int32),
            "offset": offset.astype(np.int32),
            "out": np.zeros_like(x),
        },  # fmt: skip
        setup=(
            "int i; for (i = 0; i < 4000; ++i) {"
            " if (!te_requant2_applies(m[i], shift[i])) { out[i] = -7; continue; }"
            " out[i] = te_requant2(2 * x[i], m[i], te_requant2_round(shift[i], offset[i]), -shift[i]); }"
        ),
        call="TE_OK",
        out="out",
    )
    result = run_cases([case], sources=[], headers=("tinyengine/te_requantize.h",), workdir=build_dir)
    assert_cases_match([case], result, [expected])


def test_store_s8x2_clamps_both_bytes(build_dir):
    """te_store_s8x2: two values (far outside int8 too) clamped to full and narrowed activation ranges."""
    rng = np.random.default_rng(12)
    n = 2000
    wide = rng.integers(-(2**31), 2**31 - 1, n // 4)
    v = np.concatenate([rng.integers(-300, 300, n), wide]).astype(np.int32)
    v = v[: 2 * (len(v) // 2)]
    pairs = len(v) // 2
    lo = rng.integers(-128, 0, pairs).astype(np.int32)
    hi = rng.integers(0, 128, pairs).astype(np.int32)
    full = rng.random(pairs) < 0.3
    lo[full], hi[full] = -128, 127
    expected = np.clip(v.astype(np.int64), np.repeat(lo, 2), np.repeat(hi, 2)).astype(np.int8)
    case = CCase(
        name="te_store_s8x2",
        arrays={"v": v, "lo": lo, "hi": hi, "out": np.zeros(len(v), np.int8)},
        setup=(
            f"int i; for (i = 0; i < {pairs}; ++i) {{"
            " te_store_s8x2(out + 2 * i, v[2 * i], v[2 * i + 1], te_pack_s8x2(lo[i]), te_pack_s8x2(hi[i]),"
            " lo[i] != -128 || hi[i] != 127); }"
        ),
        call="TE_OK",
        out="out",
    )
    result = run_cases([case], sources=[], headers=("tinyengine/te_requantize.h",), workdir=build_dir)
    assert_cases_match([case], result, [expected])

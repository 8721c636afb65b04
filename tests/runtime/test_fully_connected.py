"""FULLY_CONNECTED kernels vs TFLite's reference interpreter, host (portable) and QEMU Cortex-M7 (DSP).

Per-tensor weights (the converter's default) and per-channel weights, batch 1..4, with and
without bias, activations NONE/RELU/RELU6, output quantization moved so that clamps bite.
te_fully_connected_packed_s8 runs on the same models where the inputs are a multiple of four,
with te-gen's packed filter and folded bias (backend/ops_fully_connected.py): rows in pairs, the
low row's weights stored + 128, so that every row count (1..7 modulo blocks of four) and input
count (a multiple of 8 or not) takes its own path; extreme weights (-128 next to negative
weights) are checked against the row-major kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tinyengine_codegen.backend.ops_fully_connected import fold_fc_bias, pack_fc_filter

from .convcases import bias_and_activation, build_op_models, fully_connected_call
from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    CCase,
    activation_range,
    assert_cases_match,
    fully_connected_multiplier,
    per_channel_multipliers,
    run_cases,
)
from .oracle import InputSpec, OpInfo, TFLiteModel

SOURCES = ["te_fully_connected_s8.c"]
HEADERS = ["tinyengine/te_fully_connected.h"]


@dataclass(frozen=True)
class FcSpec:
    batch: int
    in_features: int
    out_features: int
    activation: int
    low: float
    high: float
    weights: np.ndarray
    bias: np.ndarray | None
    patch_output: bool


def _spec(rng: np.random.Generator, multiple_of_4: bool = False) -> FcSpec:
    n_in = int(rng.choice([int(rng.integers(1, 16)), int(rng.integers(16, 300))]))
    if multiple_of_4:
        n_in = 4 * max(1, n_in // 4)
    n_out = int(rng.integers(1, 40))
    low = float(rng.uniform(-4.0, 0.5))
    scale = np.exp(rng.uniform(np.log(0.02), np.log(1.0), size=n_out)).astype(np.float32)
    return FcSpec(
        batch=int(rng.choice([1, 1, 2, 4])),
        in_features=n_in,
        out_features=n_out,
        activation=int(rng.choice([ACT_NONE, ACT_RELU, ACT_RELU6])),
        low=low,
        high=low + float(rng.uniform(0.2, 6.0)),
        weights=(rng.normal(size=(n_in, n_out)) * scale).astype(np.float32),
        bias=rng.normal(scale=0.5, size=n_out).astype(np.float32) if rng.random() < 0.7 else None,
        patch_output=bool(rng.random() < 0.4),
    )


def _tf_op(spec: FcSpec, x: tf.Tensor) -> tf.Tensor:
    return bias_and_activation(tf.matmul(x, spec.weights), spec.bias, spec.activation)


def _models(specs: list[FcSpec], seed: int, per_channel: bool) -> list[tuple[TFLiteModel, OpInfo, FcSpec]]:
    def input_of(s: FcSpec) -> InputSpec:
        return InputSpec((s.batch, s.in_features), s.low, s.high)

    return build_op_models(specs, _tf_op, input_of, "FULLY_CONNECTED", seed, per_channel_dense=per_channel)


def _packed_call(name: str, op: OpInfo, x: np.ndarray) -> CCase:
    """te_fully_connected_packed_s8 on te-gen's packed filter and folded bias."""
    inp, flt, out = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    out_features, in_features = flt.shape
    batches = int(np.prod(inp.shape)) // in_features
    act_min, act_max = activation_range(op.options["FusedActivationFunction"], out.scale, out.zero_point)
    per_channel = len(flt.scales) > 1
    if per_channel:
        mult, shift = per_channel_multipliers(inp.scale, flt.scales, out.scale)
    else:
        m, s = fully_connected_multiplier(inp.scale, flt.scale, out.scale)
        mult, shift = np.array([m], np.int32), np.array([s], np.int32)
    arrays = {
        "input": x,
        "filter": pack_fc_filter(flt.data).view("<i4"),
        "bias": fold_fc_bias(None if bias is None else bias.data, flt.data, -inp.zero_point),
        "mult": np.asarray(mult, np.int32),
        "shift": np.asarray(shift, np.int32),
        "output": np.zeros(batches * out_features, np.int8),
    }
    setup = (
        f"te_fully_connected_params p = {{{-inp.zero_point}, 0, {out.zero_point}, "
        f"{{{act_min}, {act_max}}}}};\n"
        f"        te_fully_connected_dims d = {{{batches}, {in_features}, {out_features}}};"
    )
    call = (
        f"te_fully_connected_packed_s8(&p, mult, shift, {int(per_channel)}, &d, input, "
        "(const int8_t *)filter, bias, output)"
    )
    return CCase(f"{name} packed", arrays, call, out="output", setup=setup)


def _run(models, build_dir: Path, seed: int, per_channel: bool) -> None:
    rng = np.random.default_rng(seed)
    cases, expected = [], []
    for model, op, spec in models:
        assert (len(op.inputs[1].scales) > 1) == (per_channel and spec.out_features > 1)
        x = model.random_inputs(rng)
        outputs = model.run(x)
        assert op.inputs[1].shape == (spec.out_features, spec.in_features)
        name = (
            f"{spec.batch}x{spec.in_features}->{spec.out_features} act{spec.activation}"
            f"{' no-bias' if spec.bias is None else ''}"
        )
        x_op = x[model.input_position(op.inputs[0])]
        cases.append(fully_connected_call(name, op, x_op))
        expected.append(outputs[op.outputs[0].index])
        if spec.in_features % 4 == 0:
            cases.append(_packed_call(name, op, x_op))
            expected.append(outputs[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)


@pytest.fixture(scope="module")
def per_tensor_models():
    rng = np.random.default_rng(21)
    return _models([_spec(rng, multiple_of_4=i % 2 == 0) for i in range(24)], seed=21, per_channel=False)


@pytest.fixture(scope="module")
def per_channel_models():
    rng = np.random.default_rng(22)
    return _models([_spec(rng, multiple_of_4=i % 2 == 0) for i in range(16)], seed=22, per_channel=True)


def _tail_spec(
    rng: np.random.Generator, batch: int, n_in: int, n_out: int, activation: int, narrow: bool
) -> FcSpec:
    """A packed-path shape: every row tail (out % 4), inputs 4 (mod 8) or 0, clamps that bite."""
    low = float(rng.uniform(-3.0, -0.5))
    scale = np.exp(rng.uniform(np.log(0.05), np.log(1.0), size=n_out)).astype(np.float32)
    return FcSpec(batch, n_in, n_out, activation, low, low + (0.01 if narrow else 4.0),
                  (rng.normal(size=(n_in, n_out)) * scale).astype(np.float32),
                  rng.normal(scale=0.5, size=n_out).astype(np.float32), patch_output=not narrow)  # fmt: skip


def test_packed_row_tails_match_tflite(build_dir: Path) -> None:
    """Row counts 1..7 and 10 (a four-row block, a last pair, an odd last row), input counts with
    one group of four over a multiple of 8, batches, RELU / RELU6 clamps with a moved output
    quantization, and a near-constant input (degenerate input range: one or two input codes)."""
    rng = np.random.default_rng(31)
    shapes = [(1, 4, 1), (1, 8, 2), (2, 12, 3), (1, 20, 5), (3, 36, 6), (1, 44, 7), (2, 100, 10), (1, 16, 4)]
    specs = [_tail_spec(rng, b, n, o, [ACT_NONE, ACT_RELU, ACT_RELU6][k % 3], narrow=k == 6)
             for k, (b, n, o) in enumerate(shapes)]  # fmt: skip
    _run(_models(specs[:4], seed=31, per_channel=False), build_dir, seed=3, per_channel=False)
    _run(_models(specs[4:], seed=32, per_channel=True), build_dir, seed=4, per_channel=True)


def _row_major_and_packed(
    name: str, weights: np.ndarray, x: np.ndarray, bias: np.ndarray, quant: tuple[np.ndarray, np.ndarray],
    params: tuple[int, int, tuple[int, int]], batches: int,
) -> list[CCase]:  # fmt: skip
    """te_fully_connected_per_channel_s8 and te_fully_connected_packed_s8 on the same operands;
    params = (input offset, output offset, (activation min, max))."""
    n_out, n_in = weights.shape
    offset, out_offset, act = params
    common = {"input": x, "mult": quant[0], "shift": quant[1], "output": np.zeros(batches * n_out, np.int8)}
    setup = (
        f"te_fully_connected_params p = {{{offset}, 0, {out_offset}, {{{act[0]}, {act[1]}}}}};\n"
        f"        te_fully_connected_dims d = {{{batches}, {n_in}, {n_out}}};\n"
        "        te_per_channel_quant q = {mult, shift};"
    )
    plain = {**common, "filter": weights, "bias": bias}
    call = "te_fully_connected_per_channel_s8(&p, &q, &d, input, filter, bias, output)"
    packed = {
        **common,
        "filter": pack_fc_filter(weights).view("<i4"),
        "bias": fold_fc_bias(bias, weights, offset),
    }
    call_packed = "te_fully_connected_packed_s8(&p, q.multiplier, q.shift, 1, &d, input, "
    call_packed += "(const int8_t *)filter, bias, output)"
    return [
        CCase(f"row-major {name}", plain, call, out="output", setup=setup),
        CCase(f"packed {name}", packed, call_packed, out="output", setup=setup),
    ]


def _assert_packed_equals_row_major(cases: list[CCase], build_dir: Path, distinct: int) -> None:
    """Each (row-major, packed) pair of cases gives the same bytes on host and QEMU; every output
    array has more than `distinct` values (not all saturated)."""
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    outputs = []
    for runs in [result.host] + ([result.qemu] if result.qemu is not None else []):
        for k in range(0, len(cases), 2):
            assert runs[k].status == 0 and runs[k + 1].status == 0
            assert runs[k + 1].data == runs[k].data, cases[k + 1].name
            outputs.append(np.frombuffer(runs[k].data, np.int8))
    assert all(len(set(o.tolist())) > distinct for o in outputs)


def test_packed_extreme_weights_equal_row_major(build_dir: Path) -> None:
    """Weights at -128 / 127 in both rows of a pair (-128 under a negative low-row weight would
    overflow an int16 256 * hi + lo), inputs at -128 / 127, every row tail: the packed kernel's bytes
    equal te_fully_connected_per_channel_s8's (checked against TFLite above), full-range and clamped."""
    rng = np.random.default_rng(9)
    cases = []
    for n_in, n_out in ((8, 7), (20, 6), (36, 5), (520, 4)):
        weights = rng.choice(np.array([-128, -127, -1, 0, 1, 127], np.int8), size=(n_out, n_in))
        weights[0, : n_in // 2] = -128
        x = rng.choice(np.array([-128, 127, -1, 0], np.int8), size=2 * n_in)
        bias = rng.integers(-(1 << 12), 1 << 12, size=n_out).astype(np.int32)
        mult = rng.integers(1 << 30, (1 << 31) - 1, size=n_out).astype(np.int32)
        acc = x[:n_in].astype(np.int64) @ weights.T.astype(np.int64) + bias
        spread = int(np.ceil(np.log2(np.abs(acc).max() + 1)))
        shift = np.full(n_out, min(-1, 8 - spread), np.int32)  # outputs over about +-256
        shift[-1] = -32  # the SMLAL form's last shift (2^31 rounding word)
        for act, off in (((-128, 127), 5), ((-20, 90), -7)):
            cases += _row_major_and_packed(f"{n_in}->{n_out} act {act}", weights, x, bias, (mult, shift),
                                           (off, 3, act), batches=2)  # fmt: skip
    _assert_packed_equals_row_major(cases, build_dir, distinct=3)


def test_fully_connected_per_tensor_matches_tflite(per_tensor_models, build_dir: Path) -> None:
    _run(per_tensor_models, build_dir, seed=1, per_channel=False)


def test_fully_connected_per_channel_matches_tflite(per_channel_models, build_dir: Path) -> None:
    _run(per_channel_models, build_dir, seed=2, per_channel=True)


def test_packed_equals_row_major_outside_the_fast_shifts(build_dir: Path) -> None:
    """Shifts outside the packed kernel's SMLAL range (>= 0, < -32) take the general rounding: the
    packed kernel's bytes equal te_fully_connected_per_channel_s8's (checked against TFLite above),
    with a full-range and a clamping activation, a partial block of rows and two batches."""
    rng = np.random.default_rng(5)
    batches, n_in, n_out = 2, 12, 6
    weights = rng.integers(-3, 4, size=(n_out, n_in)).astype(np.int8)
    x = rng.integers(-6, 7, size=batches * n_in).astype(np.int8)
    bias = rng.integers(-20, 21, size=n_out).astype(np.int32)
    mult = np.array([1 << 30, 1 << 30, 1 << 30, 1500000000, 1 << 30, 1200000000], np.int32)
    shift = np.array([1, 0, -1, 2, -33, 0], np.int32)
    cases = []
    for act in ((-128, 127), (-3, 100)):
        cases += _row_major_and_packed(f"act {act}", weights, x, bias, (mult, shift), (4, -2, act), batches)
    _assert_packed_equals_row_major(cases, build_dir, distinct=4)

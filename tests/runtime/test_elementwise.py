"""ADD, SUB, MUL (int8, broadcasting, fused clamps, in place) vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    CCase,
    activation_range,
    assert_cases_match,
    c_dims,
    run_cases,
)
from .opcases import OpRun, OpSpec, build_op_models, random_range
from .oracle import InputSpec
from .quant_ops import add_sub_params, mul_multiplier

CASES = 24
SOURCES = ["te_add_s8.c", "te_sub_s8.c", "te_mul_s8.c"]
TF_OPS = {"ADD": tf.add, "SUB": tf.subtract, "MUL": tf.multiply}


def _broadcast_shapes(rng: np.random.Generator, out: tuple[int, ...], pattern: int) -> tuple[tuple, tuple]:
    """Input shapes for one broadcast pattern against a 4D output shape."""
    n, h, w, c = out
    patterns = [
        (out, out),  # same shape (flat path; DSP path on the M7)
        (out, (c,)),  # per-channel vector
        ((c,), out),
        (out, (1, 1, 1, c)),
        ((n, h, 1, c), (n, 1, w, c)),  # both broadcast
        (out, (n, h, w, 1)),
        ((w, c), out),  # rank-2 operand
        (out, (1, h, 1, 1)),
        (out, ()),  # scalar
    ]
    return patterns[pattern % len(patterns)]


def _specs(op_name: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        out = (1, int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.integers(1, 13)))
        s1, s2 = _broadcast_shapes(rng, out, i)
        act = [ACT_NONE, ACT_RELU, ACT_RELU6][i % 3]
        patch = (float(rng.uniform(0.5, 1.5)), int(rng.integers(-60, 61))) if i % 4 == 3 else None

        def fn(a, b, act=act, tf_op=TF_OPS[op_name]):
            y = tf_op(a, b)
            return tf.nn.relu(y) if act == ACT_RELU else tf.nn.relu6(y) if act == ACT_RELU6 else y

        name = f"{op_name} {s1} {s2} act{act}{' patched' if patch else ''}"
        inputs = [InputSpec(s1, *random_range(rng)), InputSpec(s2, *random_range(rng))]
        specs.append(OpSpec(name, inputs, fn, patch))
    return specs


def _call(run: OpRun, kernel: str, index: int) -> CCase:
    a, b = run.op.inputs[0], run.op.inputs[1]
    out = run.op.outputs[0]
    act_min, act_max = activation_range(run.op.options["FusedActivationFunction"], out.scale, out.zero_point)
    if kernel == "te_mul_s8":
        m, sh = mul_multiplier(a.scale, b.scale, out.scale)
        params = (
            f"te_mul_params p = {{{-a.zero_point}, {-b.zero_point}, {out.zero_point}, {m}, {sh}, "
            f"{{{act_min}, {act_max}}}}};"
        )
    else:
        q = add_sub_params(a.scale, b.scale, out.scale)
        params = (
            f"te_add_params p = {{{-a.zero_point}, {-b.zero_point}, {out.zero_point}, {q['left_shift']}, "
            f"{q['m1']}, {q['sh1']}, {q['m2']}, {q['sh2']}, {q['mo']}, {q['sho']}, "
            f"{{{act_min}, {act_max}}}}};"
        )
    arrays = {"in1": run.inputs[0], "in2": run.inputs[1], "out": np.zeros(run.output.size, np.int8)}
    target = "out"
    if a.shape == out.shape and index % 2 == 0:
        target = "in1"  # in place over the first input
    elif b.shape == out.shape and tuple(a.shape) != tuple(out.shape):
        target = "in2"  # in place over the (full-size) second input
    setup = (
        f"{params}\n        te_dims d1 = {c_dims(a.shape)};\n        te_dims d2 = {c_dims(b.shape)};\n"
        f"        te_dims dout = {c_dims(out.shape)};"
    )
    suffix = ""
    if target != "out":
        del arrays["out"]
        suffix = f" in place on {target}"
    return CCase(
        name=run.spec.name + suffix,
        arrays=arrays,
        setup=setup,
        call=f"{kernel}(&p, &d1, in1, &d2, in2, &dout, {target})",
        out=target,
    )


def _rejection_case(kernel: str) -> CCase:
    """A (1, 1, 2, 4) input against a (1, 1, 3, 4) output is no broadcast: the kernel must refuse it."""
    params = (
        "te_mul_params p = {0, 0, 0, 1 << 30, 0, {-128, 127}};"
        if kernel == "te_mul_s8"
        else "te_add_params p = {0, 0, 0, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, 0, {-128, 127}};"
    )
    x = np.zeros(8, np.int8)
    return CCase(
        name=f"{kernel} refuses a bad broadcast",
        arrays={"a": x, "b": x, "out": np.zeros(12, np.int8)},
        setup=params
        + "\n        te_dims d1 = {1, 1, 2, 4}; te_dims d2 = {1, 1, 1, 4}; te_dims dout = {1, 1, 3, 4};",
        call=f"{kernel}(&p, &d1, a, &d2, b, &dout, out) == TE_ERROR_ARGUMENT ? 0 : 1",
        out="out",
    )


@pytest.mark.parametrize(
    ("op_name", "kernel", "seed"),
    [("ADD", "te_add_s8", 101), ("SUB", "te_sub_s8", 202), ("MUL", "te_mul_s8", 303)],
)
def test_binary_op_matches_tflite(op_name: str, kernel: str, seed: int, build_dir: Path) -> None:
    runs = build_op_models(_specs(op_name, seed), op_name, seed=seed)
    cases = [_call(run, kernel, i) for i, run in enumerate(runs)]
    expected = [run.output for run in runs]
    cases.append(_rejection_case(kernel))
    expected.append(np.zeros(12, np.int8))
    result = run_cases(cases, SOURCES, workdir=build_dir)
    assert_cases_match(cases, result, expected)

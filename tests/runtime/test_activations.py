"""LOGISTIC (lookup table), HARD_SWISH (int16 fixed point), LEAKY_RELU (int8) vs TFLite's reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from .harness import CCase, assert_cases_match, run_cases
from .opcases import OpRun, OpSpec, build_op_models, random_range, random_shape
from .oracle import InputSpec
from .quant_ops import hard_swish_params, leaky_relu_params, logistic_lut

CASES = 20


def _specs(kind: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = random_shape(rng, rank=int(rng.choice([2, 4])))
        low, high = random_range(rng)
        alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, 0.5, 0.9, 1.5]))
        if i % 5 == 4:  # wide ranges: saturation of the fixed-point steps and of the table ends
            low, high = low * 10, high * 10

        def fn(x, alpha=alpha):
            if kind == "logistic":
                return tf.sigmoid(x)
            if kind == "hard_swish":
                return x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)
            return tf.nn.leaky_relu(x, alpha)

        name = f"{kind} {shape} [{low:.2f}, {high:.2f}]" + (f" alpha {alpha}" if kind == "leaky_relu" else "")
        specs.append(OpSpec(name, [InputSpec(shape, low, high)], fn))
    return specs


def _case(run: OpRun, kind: str, index: int) -> CCase:
    inp, out = run.op.inputs[0], run.op.outputs[0]
    size = run.output.size
    arrays: dict[str, np.ndarray] = {"input": run.inputs[0]}
    setup = ""
    if kind == "logistic":
        arrays["lut"] = logistic_lut(inp.scale, inp.zero_point, out.scale, out.zero_point)
        call = "te_logistic_s8(lut, input, {size}, {target})"
    elif kind == "hard_swish":
        rm, re, om, oe = hard_swish_params(inp.scale, out.scale)
        setup = f"te_hard_swish_params p = {{{-inp.zero_point}, {out.zero_point}, {rm}, {re}, {om}, {oe}}};"
        call = "te_hard_swish_s8(&p, input, {size}, {target})"
    else:
        im, ish, am, ash = leaky_relu_params(inp.scale, out.scale, run.op.options["Alpha"])
        setup = f"te_leaky_relu_params p = {{{-inp.zero_point}, {out.zero_point}, {im}, {ish}, {am}, {ash}}};"
        call = "te_leaky_relu_s8(&p, input, {size}, {target})"
    target, name = "output", run.spec.name
    if index % 2:
        target, name = "input", name + " in place"
    else:
        arrays["output"] = np.zeros(size, np.int8)
    return CCase(
        name=name, arrays=arrays, setup=setup, call=call.format(size=size, target=target), out=target
    )


@pytest.mark.parametrize(
    ("kind", "op_name", "source", "seed"),
    [
        ("logistic", "LOGISTIC", "te_logistic_s8.c", 909),
        ("hard_swish", "HARD_SWISH", "te_hard_swish_s8.c", 1010),
        ("leaky_relu", "LEAKY_RELU", "te_leaky_relu_s8.c", 1111),
    ],
)
def test_activation_matches_tflite(kind: str, op_name: str, source: str, seed: int, build_dir: Path) -> None:
    runs = build_op_models(_specs(kind, seed), op_name, seed=seed)
    cases = [_case(run, kind, i) for i, run in enumerate(runs)]
    result = run_cases(cases, [source], workdir=build_dir)
    assert_cases_match(cases, result, [run.output for run in runs])

"""SOFTMAX and LOG_SOFTMAX (int8, gemmlowp fixed point) vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .harness import CCase, assert_cases_match, run_cases
from .opcases import OpRun, OpSpec, build_op_models
from .oracle import InputSpec
from .quant_ops import log_softmax_params, softmax_params

CASES = 24


def _shape(rng: np.random.Generator, i: int) -> tuple[int, ...]:
    depth = int(rng.choice([2, 3, 5, 10, 16, 37])) if i else 1000
    return [(1, depth), (int(rng.integers(1, 4)), depth), (1, int(rng.integers(1, 4)), 2, depth)][i % 3]


def _specs(op: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = _shape(rng, i)
        # From a few units to a few hundred: input scales from ~0.005 to ~2.
        width = float(rng.choice([1.0, 4.0, 12.0, 40.0, 200.0, 500.0]))
        low = -width * float(rng.uniform(0.3, 1.0))

        def fn(x):
            return tf.nn.softmax(x) if op == "softmax" else tf.nn.log_softmax(x)

        specs.append(OpSpec(f"{op} {shape} range {width:g}", [InputSpec(shape, low, low + width)], fn))
    return specs


def _cases(runs: list[OpRun], op: str) -> list[CCase]:
    cases = []
    for i, run in enumerate(runs):
        inp = run.op.inputs[0]
        depth = inp.shape[-1]
        outer = int(np.prod(inp.shape[:-1]))
        if op == "softmax":
            m, shift, diff_min = softmax_params(run.op.options.get("Beta", 1.0), inp.scale)
            setup = f"te_softmax_params p = {{{m}, {shift}, {diff_min}}};"
            kernel = "te_softmax_s8"
        else:
            m, shift, rev_div, rev_shift, diff_min = log_softmax_params(inp.scale)
            setup = f"te_log_softmax_params p = {{{m}, {shift}, {rev_div}, {rev_shift}, {diff_min}}};"
            kernel = "te_log_softmax_s8"
        arrays = {"input": run.inputs[0], "output": np.zeros(run.output.size, np.int8)}
        target, name = "output", run.spec.name
        if i % 3 == 1:
            del arrays["output"]
            target, name = "input", name + " in place"
        cases.append(
            CCase(
                name=name,
                arrays=arrays,
                setup=setup,
                call=f"{kernel}(&p, {outer}, {depth}, input, {target})",
                out=target,
            )
        )
    return cases


def test_softmax_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_specs("softmax", 707), "SOFTMAX", seed=707)
    for run in runs:
        assert (run.op.outputs[0].scale, run.op.outputs[0].zero_point) == (1 / 256, -128)
    cases = _cases(runs, "softmax")
    result = run_cases(cases, ["te_softmax_s8.c"], workdir=build_dir)
    assert_cases_match(cases, result, [run.output for run in runs])


def test_log_softmax_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_specs("log_softmax", 808), "LOG_SOFTMAX", seed=808)
    for run in runs:
        assert (run.op.outputs[0].scale, run.op.outputs[0].zero_point) == (16 / 256, 127)
    cases = _cases(runs, "log_softmax")
    result = run_cases(cases, ["te_log_softmax_s8.c"], workdir=build_dir)
    assert_cases_match(cases, result, [run.output for run in runs])

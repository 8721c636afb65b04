"""te_add_table_s8 (ADD of same-shape int8 tensors through te-gen's table) vs TFLite's reference ADD.

The table comes from te-gen (backend/add_table.py), the params from TFLite's ADD Prepare
(quant_ops.add_sub_params). Cases cover both fast-loop conditions and what falls back to the
general requantization: fused ReLU / ReLU6 clamps, an output scale 64 times the inputs' (right
shift above 23), equal input scales (both inputs linear), in place on either input.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from tinyengine_codegen.backend.add_table import add_table

from .harness import ACT_NONE, ACT_RELU, ACT_RELU6, CCase, activation_range
from .opcalls import run_and_compare
from .opcases import OpRun, OpSpec, build_op_models, random_range
from .oracle import InputSpec
from .quant_ops import add_sub_params

CASES = 24


def _specs(seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = (1, int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 17)))
        act = [ACT_NONE, ACT_NONE, ACT_RELU, ACT_RELU6][i % 4]
        patch = [None, (float(rng.uniform(0.5, 1.5)), int(rng.integers(-60, 61))), (64.0, 3)][i % 3]

        def fn(a, b, act=act):
            y = tf.add(a, b)
            return tf.nn.relu(y) if act == ACT_RELU else tf.nn.relu6(y) if act == ACT_RELU6 else y

        def twice(a, act=act):  # one tensor added to itself: equal scales, both inputs linear
            y = tf.add(a, a)
            return tf.nn.relu(y) if act == ACT_RELU else y

        name = f"ADD table {shape} act{act}{' patched' if patch else ''}"
        if i % 8 == 5:
            specs.append(OpSpec(name + " x+x", [InputSpec(shape, *random_range(rng))], twice, patch))
        else:
            inputs = [InputSpec(shape, *random_range(rng)), InputSpec(shape, *random_range(rng))]
            specs.append(OpSpec(name, inputs, fn, patch))
    return specs


def _table_case(run: OpRun, index: int) -> CCase:
    a, b, out = run.op.inputs[0], run.op.inputs[1], run.op.outputs[0]
    q = add_sub_params(a.scale, b.scale, out.scale)
    act_min, act_max = activation_range(run.op.options["FusedActivationFunction"], out.scale, out.zero_point)
    fields = {
        "input1_offset": -a.zero_point, "input2_offset": -b.zero_point, "left_shift": q["left_shift"],
        "input1_multiplier": q["m1"], "input1_shift": q["sh1"], "input2_multiplier": q["m2"],
        "input2_shift": q["sh2"],
    }  # fmt: skip
    table, t = add_table(fields)
    size = run.output.size
    arrays = {"table": table, "in1": run.inputs[0], "in2": run.inputs[-1]}
    names = {1: "in1", 2: "in2"}
    target = ["out", "in1", "in2"][index % 3]
    if target == "out":
        arrays["out"] = np.zeros(size, np.int8)
    setup = f"te_add_table_params p = {{{out.zero_point}, {q['mo']}, {q['sho']}, {{{act_min}, {act_max}}}}};"
    call = f"te_add_table_s8(&p, table, {size}, {names[t]}, {names[3 - t]}, {target})"
    suffix = f" in place on {target}" if target != "out" else ""
    return CCase(name=f"{run.spec.name}{suffix}", arrays=arrays, setup=setup, call=call, out=target)


def _rejection() -> CCase:
    setup = "te_add_table_params p = {0, 1 << 30, -20, {-128, 127}};"
    arrays = {"table": np.zeros(256, np.int32), "x": np.zeros(4, np.int8), "out": np.zeros(4, np.int8)}
    call = "te_add_table_s8(&p, NULL, 4, x, x, out) == TE_ERROR_ARGUMENT ? 0 : 1"
    return CCase(name="te_add_table_s8 refuses a NULL table", arrays=arrays, setup=setup, call=call,
                 out="out")


def test_add_table_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_specs(404), "ADD", seed=404)
    assert any(r.op.inputs[0].index == r.op.inputs[1].index for r in runs)  # the x + x cases stayed ADDs
    cases = [_table_case(r, i) for i, r in enumerate(runs)] + [_rejection()]
    expected = [r.output for r in runs] + [np.zeros(4, np.int8)]
    extra = list(zip(cases, expected, strict=True))
    run_and_compare([], build_dir, extra=extra, extra_sources=["te_add_table_s8.c"])

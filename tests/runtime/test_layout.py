"""Data movement (int8): RESHAPE, TRANSPOSE, STRIDED_SLICE, PAD, PADV2, CONCATENATION and
RESIZE_NEAREST_NEIGHBOR vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .harness import CCase, assert_cases_match, c_dims, run_cases
from .opcases import OpRun, OpSpec, build_op_models, random_range, random_shape
from .oracle import InputSpec

CASES = 20


def _c_shape(shape: tuple[int, ...]) -> str:
    dims = [int(d) for d in shape] + [0] * (5 - len(shape))
    return f"{{{len(shape)}, {{{', '.join(map(str, dims))}}}}}"


def _c_ints(values) -> str:
    values = [int(v) for v in values] + [0] * (5 - len(values))
    return "{" + ", ".join(map(str, values)) + "}"


def _check(runs: list[OpRun], cases: list[CCase], sources: list[str], build_dir: Path) -> None:
    result = run_cases(cases, sources, workdir=build_dir)
    assert_cases_match(cases, result, [run.output for run in runs])


def test_transpose_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1414)
    specs = []
    for i in range(CASES):
        rank = 2 + i % 4  # 2D to 5D
        # No extent-1 dimension and no identity: the converter would turn those into RESHAPE.
        shape = tuple(int(rng.integers(2, 6)) for _ in range(rank))
        perm = list(range(rank))
        while perm == sorted(perm):
            perm = [int(p) for p in rng.permutation(rank)]
        specs.append(
            OpSpec(f"transpose {shape} perm {perm}", [InputSpec(shape, *random_range(rng))],
                   lambda x, perm=perm: tf.transpose(x, perm))
        )  # fmt: skip
    runs = build_op_models(specs, "TRANSPOSE", seed=1414)
    cases = []
    for run in runs:
        shape, perm = run.op.inputs[0].shape, run.inputs[1].reshape(-1)
        cases.append(
            CCase(
                name=run.spec.name,
                arrays={
                    "input": run.inputs[0],
                    "perm": perm.astype(np.int32),
                    "output": np.zeros_like(run.output),
                },
                setup=f"te_shape s = {_c_shape(shape)};",
                call="te_transpose_s8(input, &s, perm, output)",
                out="output",
            )
        )
    _check(runs, cases, ["te_transpose_s8.c"], build_dir)


def _resolve_slice(op, shape: tuple[int, ...], begin, end, strides) -> tuple[list[int], list[int], list[int]]:
    """TFLite's StridedSlice index resolution (begin/end masks, negative indices, shrink axes)."""
    o = op.options
    b_mask, e_mask, s_mask = int(o["BeginMask"]), int(o["EndMask"]), int(o["ShrinkAxisMask"])
    assert int(o["EllipsisMask"]) == 0 and int(o["NewAxisMask"]) == 0
    rb, re, rs = [], [], []
    for d, dim in enumerate(shape):
        s = int(strides[d])
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)
        if b_mask >> d & 1:
            start = 0 if s > 0 else dim - 1
        else:
            start = int(begin[d]) + (dim if begin[d] < 0 else 0)
            start = min(max(start, lo), hi)
        if s_mask >> d & 1:
            stop = start + 1
        elif e_mask >> d & 1:
            stop = dim if s > 0 else -1
        else:
            stop = int(end[d]) + (dim if end[d] < 0 else 0)
            stop = min(max(stop, lo), hi)
        rb.append(start)
        re.append(stop)
        rs.append(s)
    return rb, re, rs


def test_strided_slice_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1515)
    slicers = [
        lambda x: x[:, 1:, ::2, :],
        lambda x: x[:, ::-1, :, 1:3],
        lambda x: x[:, -3:-1, 1::3, ::-2],
        lambda x: x[:, 2, :, :],  # shrink axis
        lambda x: x[0, :, -1, ::-1],
        lambda x: x[:, 1:100, :-1, :],  # end beyond the extent
    ]
    specs = []
    for i in range(CASES):
        shape = (1, int(rng.integers(4, 9)), int(rng.integers(3, 9)), int(rng.integers(3, 9)))
        specs.append(OpSpec(f"strided_slice {shape} pattern {i % 6}", [InputSpec(shape, *random_range(rng))],
                            slicers[i % 6]))  # fmt: skip
    runs = build_op_models(specs, "STRIDED_SLICE", seed=1515)
    cases = []
    for run in runs:
        shape = run.op.inputs[0].shape
        begin, end, stride = _resolve_slice(run.op, shape, *(a.reshape(-1) for a in run.inputs[1:4]))
        cases.append(
            CCase(
                name=f"{run.spec.name} begin {begin} end {end} stride {stride}",
                arrays={"input": run.inputs[0], "output": np.zeros(run.output.size, np.int8)},
                setup=f"te_shape s = {_c_shape(shape)};\n        te_strided_slice_params p = "
                f"{{{_c_ints(begin)}, {_c_ints(end)}, {_c_ints(stride)}}};",
                call="te_strided_slice_s8(input, &s, &p, output)",
                out="output",
            )
        )
    _check(runs, cases, ["te_strided_slice_s8.c"], build_dir)


def test_pad_and_padv2_match_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1616)
    specs = []
    for i in range(CASES):
        rank = 1 + i % 4
        shape = random_shape(rng, rank=rank, high=6) if rank != 4 else random_shape(rng, high=6)
        pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
        pads[-1][1] = max(pads[-1][1], 1)  # a no-op PAD would be removed by the converter
        value = float(rng.uniform(-2, 2)) if i % 2 else 0.0

        def fn(x, pads=pads, value=value):
            return tf.pad(x, pads, constant_values=value)

        specs.append(OpSpec(f"pad {shape} {pads} value {value:.2f}", [InputSpec(shape, -3.0, 3.0)], fn))
    runs = {}
    for name, chunk in (("PAD", specs[0::2]), ("PADV2", specs[1::2])):
        runs[name] = build_op_models(chunk, name, seed=1616)
    cases, all_runs = [], []
    for name, op_runs in runs.items():
        for run in op_runs:
            out = run.op.outputs[0]
            shape = run.op.inputs[0].shape
            pads = run.inputs[1].reshape(-1, 2)
            pad_value = int(run.inputs[2].reshape(-1)[0]) if name == "PADV2" else out.zero_point
            cases.append(
                CCase(
                    name=f"{name} {run.spec.name}",
                    arrays={"input": run.inputs[0], "output": np.zeros(run.output.size, np.int8)},
                    setup=f"te_shape s = {_c_shape(shape)};\n        te_pad_params p = "
                    f"{{{_c_ints(pads[:, 0])}, {_c_ints(pads[:, 1])}, {pad_value}}};",
                    call="te_pad_s8(input, &s, &p, output)",
                    out="output",
                )
            )
            all_runs.append(run)
    _check(all_runs, cases, ["te_pad_s8.c"], build_dir)


def test_concatenation_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1717)
    specs = []
    for i in range(CASES):
        rank = 2 + i % 3
        base = random_shape(rng, rank=rank, high=5) if rank != 4 else random_shape(rng, high=5)
        axis = int(rng.integers(0 if rank < 4 else 1, rank))
        count = int(rng.integers(2, 5))
        shapes = []
        for _ in range(count):
            s = list(base)
            s[axis] = int(rng.integers(1, 5))
            shapes.append(tuple(s))
        neg = axis - rank if i % 2 else axis
        lo, hi = random_range(rng)
        specs.append(OpSpec(f"concat {shapes} axis {neg}", [InputSpec(s, lo, hi) for s in shapes],
                            lambda *xs, a=neg: tf.concat(list(xs), axis=a)))  # fmt: skip
    runs = build_op_models(specs, "CONCATENATION", seed=1717)
    cases = []
    for run in runs:
        out = run.op.outputs[0]
        axis = int(run.op.options["Axis"]) % len(out.shape)
        for t in run.op.inputs:
            assert (t.scale, t.zero_point) == (out.scale, out.zero_point)
        names = [f"in{k}" for k in range(len(run.inputs))]
        arrays = dict(zip(names, run.inputs, strict=True))
        arrays["output"] = np.zeros(run.output.size, np.int8)
        sizes = [t.shape[axis] for t in run.op.inputs]
        cases.append(
            CCase(
                name=run.spec.name,
                arrays=arrays,
                setup=f"const int8_t *const ins[] = {{{', '.join(names)}}};\n"
                f"        const int32_t sizes[] = {{{', '.join(map(str, sizes))}}};",
                call=f"te_concatenation_s8(ins, sizes, {len(names)}, {int(np.prod(out.shape[:axis]))}, "
                f"{int(np.prod(out.shape[axis + 1 :]))}, NULL, output)",
                out="output",
            )
        )
    _check(runs, cases, ["te_concatenation_s8.c"], build_dir)


def test_reshape_is_a_copy_of_tflite_bytes(build_dir: Path) -> None:
    rng = np.random.default_rng(1818)
    specs = []
    for _ in range(CASES // 2):
        shape = random_shape(rng, high=6)
        target = (-1, int(np.prod(shape[2:])))
        specs.append(OpSpec(f"reshape {shape} -> {target}", [InputSpec(shape, *random_range(rng))],
                            lambda x, t=target: tf.reshape(x, t)))  # fmt: skip
    runs = build_op_models(specs, "RESHAPE", seed=1818)
    cases = []
    for i, run in enumerate(runs):
        size = run.output.size
        if i % 2:  # the planner aliased the two tensors: nothing to do
            cases.append(CCase(run.spec.name + " (view)", {"data": run.inputs[0]},
                               f"te_reshape_s8(data, data, {size})", "data"))  # fmt: skip
        else:
            cases.append(CCase(run.spec.name, {"input": run.inputs[0], "output": np.zeros(size, np.int8)},
                               f"te_reshape_s8(input, output, {size})", "output"))  # fmt: skip
    _check(runs, cases, ["te_reshape_s8.c"], build_dir)


def test_resize_nearest_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1919)
    specs = []
    for i in range(CASES):
        shape = random_shape(rng, high=7)
        size = (int(rng.integers(1, 15)), int(rng.integers(1, 15)))
        mode = i % 3  # 0: half-pixel centers (TF2 default), 1: align corners, 2: neither

        def fn(x, size=size, mode=mode):
            if mode == 0:
                return tf.image.resize(x, size, method="nearest")
            return tf.compat.v1.image.resize_nearest_neighbor(x, size, align_corners=mode == 1)

        specs.append(
            OpSpec(f"resize {shape} -> {size} mode {mode}", [InputSpec(shape, *random_range(rng))], fn)
        )
    runs = build_op_models(specs, "RESIZE_NEAREST_NEIGHBOR", seed=1919)
    cases = []
    for run in runs:
        o = run.op.options
        align, half = int(bool(o["AlignCorners"])), int(bool(o["HalfPixelCenters"]))
        cases.append(
            CCase(
                name=f"{run.spec.name} align_corners={align} half_pixel_centers={half}",
                arrays={"input": run.inputs[0], "output": np.zeros(run.output.size, np.int8)},
                setup=f"te_resize_params p = {{{align}, {half}}};\n"
                f"        te_dims din = {c_dims(run.op.inputs[0].shape)};\n"
                f"        te_dims dout = {c_dims(run.op.outputs[0].shape)};",
                call="te_resize_nearest_s8(&p, &din, input, &dout, output)",
                out="output",
            )
        )
    _check(runs, cases, ["te_resize_nearest_s8.c"], build_dir)

"""Single-operator int8 models for the non-convolution kernel tests, batched per conversion.

An :class:`OpSpec` is one random case: float input ranges and a TF function of its inputs that
yields one operator. :func:`build_op_models` converts many specs into one model (one op per
spec, independent subgraphs) with TensorFlow's converter and returns, per spec, the op and the
int8 data of every op input and output as TFLite's reference interpreter computed them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from .oracle import InputSpec, OpInfo, TFLiteModel, convert, patch_quantization


@dataclass
class OpSpec:
    """One case: its float inputs, the TF graph of the op, and optional output re-quantization."""

    name: str
    inputs: list[InputSpec]
    fn: Callable[..., Any]
    patch_output: tuple[float, int] | None = None  # (scale factor, zero point) to make clamps bite
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class OpRun:
    """A converted op and the reference interpreter's data for it."""

    spec: OpSpec
    op: OpInfo
    inputs: list[np.ndarray]  # data of every op input (model input, intermediate or constant)
    output: np.ndarray  # the op's first output as TFLite computed it


def convert_float_io(fn: Callable[..., Any], inputs: Sequence[InputSpec], *, seed: int = 0) -> bytes:
    """Like oracle.convert but with float32 model inputs and outputs (QUANTIZE/DEQUANTIZE kept)."""
    signature = [tf.TensorSpec(s.shape, tf.float32) for s in inputs]
    func = tf.function(fn, input_signature=signature)
    rng = np.random.default_rng(seed)

    def representative():
        for _ in range(16):
            yield [rng.uniform(s.low, s.high, s.shape).astype(np.float32) for s in inputs]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([func.get_concrete_function()], func)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


def _graph(group: Sequence[OpSpec]) -> Callable[..., Any]:
    def fn(*xs):
        outs, k = [], 0
        for spec in group:
            n = len(spec.inputs)
            outs.append(spec.fn(*xs[k : k + n]))
            k += n
        return outs

    return fn


def _signature_position(model: TFLiteModel, op: OpInfo) -> int:
    """The lowest function-argument position (input named ``xs_N``) that ``op`` depends on.

    The converter does not keep the order of independent ops (it sorts inputs by name, so xs_10
    comes before xs_2); walking back to the model inputs recovers which spec an op belongs to.
    """
    producers = {t.index: o for o in model.ops for t in o.outputs}
    names = {t.index: t.name for t in model.inputs}
    best, stack, seen = None, [op], set()
    while stack:
        current = stack.pop()
        if current.index in seen:
            continue
        seen.add(current.index)
        for t in current.inputs:
            if t is None:
                continue
            if t.index in names:
                pos = int(names[t.index].rsplit("_", 1)[-1]) if "_" in names[t.index] else 0
                best = pos if best is None else min(best, pos)
            elif t.index in producers:
                stack.append(producers[t.index])
    if best is None:
        raise AssertionError(f"op {op.index} ({op.name}) depends on no model input")
    return best


def _ops_in_spec_order(model: TFLiteModel, op_name: str) -> list[OpInfo]:
    return sorted(model.ops_named(op_name), key=lambda op: _signature_position(model, op))


def _model_inputs(model: TFLiteModel, rng: np.random.Generator, float_io: bool) -> list[np.ndarray]:
    if not float_io:
        return model.random_inputs(rng)
    return [rng.uniform(-4.0, 4.0, size=t.shape).astype(np.float32) for t in model.inputs]


def build_op_models(
    specs: Sequence[OpSpec],
    op_name: str,
    *,
    seed: int,
    group: int = 32,
    float_io: bool = False,
    float_inputs: Callable[[TFLiteModel, np.random.Generator], list[np.ndarray]] | None = None,
) -> list[OpRun]:
    """Convert the specs (``group`` per model), run each model once, return one OpRun per spec."""
    return build_multi_op_models(
        specs, (op_name,), seed=seed, group=group, float_io=float_io, float_inputs=float_inputs
    )[op_name]


def _op_runs(values: dict[int, np.ndarray], ops: list[OpInfo], chunk: list[OpSpec]) -> list[OpRun]:
    runs = []
    for op, spec in zip(ops, chunk, strict=True):
        op_inputs = []
        for t in op.inputs:
            if t is None:
                continue
            value = values.get(t.index, t.data)
            if value is None:
                raise AssertionError(f"{spec.name}: no data for input tensor {t.index}")
            op_inputs.append(np.asarray(value))
        runs.append(OpRun(spec=spec, op=op, inputs=op_inputs, output=values[op.outputs[0].index]))
    return runs


def build_multi_op_models(
    specs: Sequence[OpSpec],
    op_names: Sequence[str],
    *,
    seed: int,
    group: int = 32,
    float_io: bool = False,
    float_inputs: Callable[[TFLiteModel, np.random.Generator], list[np.ndarray]] | None = None,
) -> dict[str, list[OpRun]]:
    """Like build_op_models when every spec yields one op of each name in ``op_names``.

    Output patches (``OpSpec.patch_output``) apply to the op named first.
    """
    rng = np.random.default_rng(seed)
    runs: dict[str, list[OpRun]] = {name: [] for name in op_names}
    for start in range(0, len(specs), group):
        chunk = list(specs[start : start + group])
        inputs = [s for spec in chunk for s in spec.inputs]
        if float_io:
            content = convert_float_io(_graph(chunk), inputs, seed=seed + start)
        else:
            content = convert(_graph(chunk), inputs, seed=seed + start)
        model = TFLiteModel(content)
        starts = list(np.cumsum([0] + [len(spec.inputs) for spec in chunk[:-1]]))
        for name in op_names:
            ops = _ops_in_spec_order(model, name)
            if len(ops) != len(chunk):
                raise AssertionError(f"expected {len(chunk)} {name}, got {[o.name for o in model.ops]}")
            if [_signature_position(model, op) for op in ops] != starts:
                raise AssertionError(f"cannot match the {name} ops to their specs")
        patched = content
        for op, spec in zip(_ops_in_spec_order(model, op_names[0]), chunk, strict=True):
            if spec.patch_output is not None:
                out = op.outputs[0]
                factor, zp = spec.patch_output
                patched = patch_quantization(patched, out.index, out.scale * factor, zp)
        if patched != content:
            model = TFLiteModel(patched)
        data = float_inputs(model, rng) if float_inputs is not None else _model_inputs(model, rng, float_io)
        values = dict(zip((t.index for t in model.inputs), data, strict=True))
        values.update(model.run(data))
        for name in op_names:
            runs[name] += _op_runs(values, _ops_in_spec_order(model, name), chunk)
    return runs


def random_shape(rng: np.random.Generator, rank: int = 4, low: int = 1, high: int = 9) -> tuple[int, ...]:
    """A random shape with batch 1 for rank 4 (the kernels' batch is free, but TF models use 1)."""
    dims = [int(rng.integers(low, high + 1)) for _ in range(rank)]
    if rank == 4:
        dims[0] = 1
    return tuple(dims)


def random_range(rng: np.random.Generator) -> tuple[float, float]:
    """A random float range, not always centred on zero (varies scale and zero point)."""
    width = float(rng.choice([0.5, 1.0, 3.0, 8.0, 20.0])) * float(rng.uniform(0.5, 1.5))
    centre = float(rng.uniform(-0.4, 0.4)) * width  # straddles zero: no degenerate (constant) outputs
    return centre - width / 2, centre + width / 2

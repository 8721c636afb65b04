"""Emitters of the data-movement kernels: RESHAPE, TRANSPOSE, PAD, CONCATENATION, STRIDED_SLICE."""

from __future__ import annotations

from tinyengine_codegen.backend import quant
from tinyengine_codegen.backend.emitter import EmitContext, EmitError, emitter, quant_of
from tinyengine_codegen.ir.graph import Operator

MAX_DIMS = 5  # TE_MAX_DIMS in te_reshape.h


def _shape(ctx: EmitContext, i: int, role: str, shape: tuple[int, ...]) -> str:
    if len(shape) > MAX_DIMS:
        raise EmitError(f"operator {i}: rank {len(shape)} is above the runtime's {MAX_DIMS}")
    dims = list(shape) + [0] * (MAX_DIMS - len(shape))
    return ctx.struct(i, role, "te_shape", {"rank": len(shape), "dims": dims})


def _const_values(ctx: EmitContext, i: int, tensor: int) -> list[int]:
    data = ctx.graph.tensors[tensor].data
    if data is None:
        raise EmitError(f"operator {i}: tensor {tensor} must be a constant")
    return [int(v) for v in data.reshape(-1)]


def _padded(values: list[int], fill: int = 0) -> list[int]:
    return values + [fill] * (MAX_DIMS - len(values))


def _bytes_ptr(ctx: EmitContext, tensor: int) -> str:
    ptr = ctx.tensor(tensor)
    return ptr if ctx.graph.tensors[tensor].dtype == "int8" else f"(int8_t *)(void *){ptr}"


@emitter("te_reshape_s8", header="te_reshape.h")
def emit_reshape(ctx: EmitContext, i: int, op: Operator) -> str:
    """RESHAPE / SQUEEZE: a view; a byte copy only when the planner put the output elsewhere."""
    src, dst = op.inputs[0], op.outputs[0]
    nbytes = ctx.graph.tensors[dst].nbytes
    return f"te_reshape_s8({_bytes_ptr(ctx, src)}, {_bytes_ptr(ctx, dst)}, {nbytes})"


@emitter("te_transpose_s8", header="te_reshape.h")
def emit_transpose(ctx: EmitContext, i: int, op: Operator) -> str:
    """TRANSPOSE with a constant permutation."""
    src, dst = op.inputs[0], op.outputs[0]
    perm = ctx.array(i, "perm", "int32_t", _padded(_const_values(ctx, i, op.inputs[1])), "permutation")
    shape = _shape(ctx, i, "input_shape", ctx.graph.tensors[src].shape)
    return f"te_transpose_s8({ctx.tensor(src)}, {shape}, {perm}, {ctx.tensor(dst)})"


@emitter("te_pad_s8", header="te_reshape.h")
def emit_pad(ctx: EmitContext, i: int, op: Operator) -> str:
    """PAD / PADV2 with constant paddings; the pad value is the output zero point (PAD) or given."""
    src, dst = op.inputs[0], op.outputs[0]
    pads = _const_values(ctx, i, op.inputs[1])
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        pad_value = _const_values(ctx, i, op.inputs[2])[0]
    else:
        pad_value = quant_of(ctx.graph, dst)[1]
    fields = {"before": _padded(pads[0::2]), "after": _padded(pads[1::2]), "pad_value": pad_value}
    params = ctx.struct(i, "params", "te_pad_params", fields)
    shape = _shape(ctx, i, "input_shape", ctx.graph.tensors[src].shape)
    return f"te_pad_s8({ctx.tensor(src)}, {shape}, {params}, {ctx.tensor(dst)})"


def _slice_bound(index: int, masked: int, stride: int, size: int, is_stop: bool) -> int:
    """tflite::strided_slice::StartForAxis / StopForAxis for one axis (masks, negatives, clamps)."""
    if masked:
        index = -(2**31) if (stride > 0) != is_stop else 2**31 - 1
    if index < 0:
        index += size
    low, high = (0, size) if stride > 0 else (-1, size - 1)
    return min(max(index, low), high)


@emitter("te_strided_slice_s8", header="te_reshape.h")
def emit_strided_slice(ctx: EmitContext, i: int, op: Operator) -> str:
    """STRIDED_SLICE with constant begin/end/strides; masks are resolved here."""
    src, dst = op.inputs[0], op.outputs[0]
    shape = ctx.graph.tensors[src].shape
    begin, end, stride = (_const_values(ctx, i, t) for t in op.inputs[1:4])
    for key in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask"):
        if key != "shrink_axis_mask" and int(op.options.get(key, 0)):
            raise EmitError(f"operator {i} STRIDED_SLICE: {key} is not supported")
    b_mask, e_mask = int(op.options.get("begin_mask", 0)), int(op.options.get("end_mask", 0))
    shrink = int(op.options.get("shrink_axis_mask", 0))
    for d, size in enumerate(int(x) for x in shape):
        begin[d] = _slice_bound(begin[d], b_mask >> d & 1, stride[d], size, is_stop=False)
        if shrink >> d & 1:
            end[d] = begin[d] + 1  # TFLite: a length-1 slice from the adjusted start
        else:
            end[d] = _slice_bound(end[d], e_mask >> d & 1, stride[d], size, is_stop=True)
    fields = {"begin": _padded(begin), "end": _padded(end), "stride": _padded(stride, 1)}
    params = ctx.struct(i, "params", "te_strided_slice_params", fields)
    return (
        f"te_strided_slice_s8({ctx.tensor(src)}, {_shape(ctx, i, 'input_shape', shape)}, {params}, "
        f"{ctx.tensor(dst)})"
    )


@emitter("te_concatenation_s8", header="te_reshape.h")
def emit_concatenation(ctx: EmitContext, i: int, op: Operator) -> str:
    """CONCATENATION along one axis; an input with other quantization is requantized (Requantize)."""
    g = ctx.graph
    dst = op.outputs[0]
    shape = g.tensors[dst].shape
    axis = int(op.options.get("axis", 0)) % len(shape)
    outer = 1
    for d in shape[:axis]:
        outer *= int(d)
    inner = 1
    for d in shape[axis + 1 :]:
        inner *= int(d)
    out_scale, out_zp = quant_of(g, dst)
    inputs = [t for t in op.inputs if t >= 0]
    for t in inputs:
        if g.tensors[t].is_const:
            raise EmitError(f"operator {i} CONCATENATION: constant inputs are not supported")
    quants = []
    for t in inputs:
        scale, zp = quant_of(g, t)
        m, sh = quant.quantize_multiplier(quant.f32(scale) / quant.f32(out_scale))
        quants.append({"identity": int(scale == out_scale and zp == out_zp), "input_offset": -zp,
                       "output_offset": out_zp, "multiplier": m, "shift": sh})  # fmt: skip
    # TFLite's int8 kernel requires equal quantization: then no table at all.
    same = all(q["identity"] for q in quants)
    quant_table = "NULL" if same else ctx.struct_array(i, "quant", "te_concat_quant", quants)
    pointers = ctx.struct_array(i, "inputs", "int8_t *const", [ctx.tensor(t) for t in inputs])
    sizes = ctx.array(
        i, "axis_sizes", "int32_t", [int(g.tensors[t].shape[axis]) for t in inputs], "axis sizes"
    )
    return (
        f"te_concatenation_s8({pointers}, {sizes}, {len(inputs)}, {outer}, {inner}, {quant_table}, "
        f"{ctx.tensor(dst)})"
    )

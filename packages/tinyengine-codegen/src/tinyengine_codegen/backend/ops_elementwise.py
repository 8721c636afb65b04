"""Emitters of the binary elementwise kernels: ADD, SUB, MUL (with TFLite broadcasting)."""

from __future__ import annotations

import numpy as np

from tinyengine_codegen.backend import quant
from tinyengine_codegen.backend.add_table import add_table
from tinyengine_codegen.backend.emitter import EmitContext, emitter, quant_of
from tinyengine_codegen.ir.graph import Operator

ADD_LEFT_SHIFT = 20  # TFLite's general 8-bit ADD/SUB path


def add_sub_fields(ctx: EmitContext, op: Operator) -> dict[str, object]:
    """te_add_params as tflite's ADD/SUB Prepare computes them (int8, left shift 20)."""
    (s1, z1), (s2, z2) = quant_of(ctx.graph, op.inputs[0]), quant_of(ctx.graph, op.inputs[1])
    so, zo = quant_of(ctx.graph, op.outputs[0])
    twice_max = float(2 * max(np.float32(s1), np.float32(s2)))
    m1, sh1 = quant.quantize_multiplier(quant.f32(s1) / twice_max)
    m2, sh2 = quant.quantize_multiplier(quant.f32(s2) / twice_max)
    mo, sho = quant.quantize_multiplier(twice_max / float(np.float32((1 << ADD_LEFT_SHIFT) * np.float32(so))))
    lo, hi = quant.activation_range(op.options.get("fused_activation", "NONE"), so, zo)
    return {
        "input1_offset": -z1, "input2_offset": -z2, "output_offset": zo, "left_shift": ADD_LEFT_SHIFT,
        "input1_multiplier": m1, "input1_shift": sh1, "input2_multiplier": m2, "input2_shift": sh2,
        "output_multiplier": mo, "output_shift": sho, "activation": {"min": lo, "max": hi},
    }  # fmt: skip


def mul_fields(ctx: EmitContext, op: Operator) -> dict[str, object]:
    """te_mul_params: the real multiplier s1 * s2 / s_out is computed in float32, as TFLite does."""
    (s1, z1), (s2, z2) = quant_of(ctx.graph, op.inputs[0]), quant_of(ctx.graph, op.inputs[1])
    so, zo = quant_of(ctx.graph, op.outputs[0])
    real = float(np.float32(np.float32(s1) * np.float32(s2)) / np.float32(so))
    m, sh = quant.quantize_multiplier(real)
    lo, hi = quant.activation_range(op.options.get("fused_activation", "NONE"), so, zo)
    return {"input1_offset": -z1, "input2_offset": -z2, "output_offset": zo, "output_multiplier": m,
            "output_shift": sh, "activation": {"min": lo, "max": hi}}  # fmt: skip


def _operand(ctx: EmitContext, i: int, role: str, tensor: int) -> str:
    """An activation from the arena, or a constant operand as a Flash array."""
    if ctx.graph.tensors[tensor].is_const:
        return ctx.const_tensor(i, role, tensor)
    return ctx.tensor(tensor)


@emitter("te_add_s8", "te_sub_s8", "te_mul_s8", header="te_elementwise.h")
def emit_binary(ctx: EmitContext, i: int, op: Operator) -> str:
    """ADD / SUB / MUL on int8, each input with its own (broadcast) dims."""
    g = ctx.graph
    a, b, dst = op.inputs[0], op.inputs[1], op.outputs[0]
    if op.kernel == "te_mul_s8":
        params = ctx.struct(i, "params", "te_mul_params", mul_fields(ctx, op))
    else:
        params = ctx.struct(i, "params", "te_add_params", add_sub_fields(ctx, op))
    args = [
        params,
        ctx.dims(i, "input1_dims", g.tensors[a].shape), _operand(ctx, i, "input1", a),
        ctx.dims(i, "input2_dims", g.tensors[b].shape), _operand(ctx, i, "input2", b),
        ctx.dims(i, "output_dims", g.tensors[dst].shape), ctx.tensor(dst),
    ]  # fmt: skip
    return f"{op.kernel}({', '.join(args)})"


@emitter("te_add_table_s8", header="te_elementwise.h")
def emit_add_table(ctx: EmitContext, i: int, op: Operator) -> str:
    """ADD of same-shape int8 tensors through its precomputed table (te_elementwise.h)."""
    fields = add_sub_fields(ctx, op)
    values, t = add_table(fields)
    params = ctx.struct(i, "params", "te_add_table_params", {
        "output_offset": fields["output_offset"], "output_multiplier": fields["output_multiplier"],
        "output_shift": fields["output_shift"], "activation": fields["activation"],
    })  # fmt: skip
    # Patches of one ADD (passes/patch.py) share its table: keyed by the values.
    key = (-1, "add_table " + values.tobytes().hex())
    comment = f"ADD table: scaled input {t} plus the linear offset, by uint8 code"
    table = ctx.array(i, "add_table", "int32_t", values, comment, key)
    size = ctx.graph.tensors[op.outputs[0]].size
    ins = [_operand(ctx, i, f"input{k}", op.inputs[k - 1]) for k in (1, 2)]
    dst = ctx.tensor(op.outputs[0])
    return f"te_add_table_s8({params}, {table}, {size}, {ins[t - 1]}, {ins[2 - t]}, {dst})"

"""Emitter of te_fully_connected_packed_s8: FULLY_CONNECTED with packed weights and a folded bias.

The layout (te_fully_connected.h, docs/formats.md): rows in pairs (lo, hi), one int32 word per pair
and two inputs (4k, 4k+2) or (4k+1, 4k+3) holding the int16 halves ``256 * w[hi] + w[lo] + 128``
(bytes ``w[lo] ^ 0x80, w[hi]``); blocks of four rows (two pairs: four words per group of four
inputs), then a last pair, then an odd last row row-major. The bias absorbs the input offset
(``bias + input_offset * row sum``, int32 wrapping like TFLite's accumulator), so that the kernel
multiplies the raw int8 inputs.
"""

from __future__ import annotations

import numpy as np

from tinyengine_codegen.backend import quant
from tinyengine_codegen.backend.emitter import EmitContext, EmitError, emitter, fused_activation, quant_of
from tinyengine_codegen.ir.graph import Operator


def _pair_words(rows: np.ndarray) -> np.ndarray:
    """Bytes of a block of 2 * P rows (P pairs): per group of four inputs, per pair, the words of
    inputs (4k, 4k+2) and (4k+1, 4k+3), each halfword ``w[lo] ^ 0x80, w[hi]``."""
    pairs, n = rows.shape[0] // 2, rows.shape[1]
    b = rows.view(np.uint8).reshape(pairs, 2, n // 4, 2, 2)  # pair, lo/hi, group, lane, word
    b = b.transpose(2, 0, 4, 3, 1).copy()  # group, pair, word, lane, lo/hi
    b[..., 0] ^= 0x80
    return b.reshape(-1)


def pack_fc_filter(weights: np.ndarray) -> np.ndarray:
    """te_fully_connected_packed_s8's filter bytes from [out][in] int8 weights (in % 4 == 0)."""
    w = np.ascontiguousarray(weights, dtype=np.int8)
    out, n = (int(d) for d in w.shape)
    if n % 4:
        raise ValueError(f"{n} inputs: not a multiple of 4")
    quads, pairs = out // 4 * 4, out // 2 * 2
    parts = [_pair_words(w[r : r + 4]) for r in range(0, quads, 4)]
    if pairs > quads:
        parts.append(_pair_words(w[quads:pairs]))
    parts.append(w[pairs:].view(np.uint8).reshape(-1))
    return np.concatenate(parts).view(np.int8)


def fold_fc_bias(bias: np.ndarray | None, weights: np.ndarray, input_offset: int) -> np.ndarray:
    """bias[o] (0 without one) + input_offset * sum_i weights[o][i], wrapped to int32."""
    w = np.asarray(weights, dtype=np.int64)
    base = np.zeros(w.shape[0], np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    folded = (base + input_offset * w.sum(axis=1)) & 0xFFFFFFFF
    return folded.astype(np.uint32).view(np.int32)


@emitter("te_fully_connected_packed_s8", header="te_fully_connected.h")
def emit_fully_connected_packed(ctx: EmitContext, i: int, op: Operator) -> str:
    """FULLY_CONNECTED on int8 weights with zero point 0 and a multiple of four inputs."""
    g = ctx.graph
    src, weights, dst = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    w_tensor = g.tensors[weights]
    filter_q = w_tensor.quant
    if filter_q is None or w_tensor.data is None:
        raise EmitError(f"operator {i} FULLY_CONNECTED: weights are not quantized constants")
    out_features, in_features = (int(d) for d in w_tensor.shape)
    w = np.asarray(w_tensor.data, np.int8).reshape(out_features, in_features)
    in_scale, in_zp = quant_of(g, src)
    out_scale, out_zp = quant_of(g, dst)
    params = ctx.struct(i, "params", "te_fully_connected_params", {
        "input_offset": -in_zp, "filter_offset": -filter_q.zero_point[0], "output_offset": out_zp,
        "activation": fused_activation(ctx, op),
    })  # fmt: skip
    if filter_q.per_channel:
        mults, shifts = quant.conv_per_channel(in_scale, filter_q.scale, out_scale, out_features)
    else:
        m, s = quant.fully_connected_per_tensor(in_scale, filter_q.scale[0], out_scale)
        mults, shifts = [m], [s]
    same = f"{in_scale!r}/{out_scale!r}"
    m_name = ctx.array(i, "multiplier", "int32_t", np.array(mults), "Q31 multipliers",
                       key=(weights, f"fc_multiplier/{same}"))  # fmt: skip
    s_name = ctx.array(i, "shift", "int32_t", np.array(shifts), "shifts (> 0: left)",
                       key=(weights, f"fc_shift/{same}"))  # fmt: skip
    shape = "x".join(map(str, w_tensor.shape))
    words = pack_fc_filter(w).view("<i4")  # int32 words: 4-byte aligned for the kernel's LDRD
    f_name = ctx.array(i, "filter", "int32_t", words, f"{w_tensor.name}: {shape} int8, packed (4 per word)",
                       key=(weights, "fc_packed"))  # fmt: skip
    bias_data = g.tensors[bias].data if bias >= 0 else None
    folded = fold_fc_bias(bias_data, w, -in_zp)
    b_name = ctx.array(i, "bias", "int32_t", folded, "bias + input offset * row sums",
                       key=(weights, f"fc_bias/{in_zp}"))  # fmt: skip
    batches = g.tensors[src].size // in_features
    sizes = {"batches": batches, "in_features": in_features, "out_features": out_features}
    dims = ctx.struct(i, "dims", "te_fully_connected_dims", sizes)
    args = [params, m_name, s_name, "1" if filter_q.per_channel else "0", dims, ctx.tensor(src),
            f"(const int8_t *){f_name}", b_name, ctx.tensor(dst)]  # fmt: skip
    return f"te_fully_connected_packed_s8({', '.join(args)})"

/*
 * int8 FULLY_CONNECTED, per-tensor and per-channel weights: one dot product per (batch, output)
 * of (input + input_offset) with (weights + filter_offset), plus bias, requantized.
 * The DSP path adds the offsets and multiplies two pairs per step with SXTAB16 + SMLAD, two
 * outputs per pass so that every input word feeds four SMLADs.
 * te_fully_connected_packed_s8 (te-gen's packed weights, input offset folded into the bias):
 * four outputs per pass, each input word feeds eight SMLADs (21 instructions per 16 MACs).
 * Requantization rounds once (TFLite's FULLY_CONNECTED does; CONV_2D rounds twice).
 */
#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_mac.h"

TE_NOINLINE static int32_t te_fc_dot(const int8_t *x, const int8_t *w, int32_t length, int32_t input_offset,
                         int32_t filter_offset, int32_t acc)
{
    int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
    const int32_t in2 = te_pack_s16x2(input_offset);
    const int32_t w2 = te_pack_s16x2(filter_offset);
    for (; i + 4 <= length; i += 4) {
        const int32_t xv = te_read_s8x4(x + i);
        const int32_t wv = te_read_s8x4(w + i);
        acc = __smlad(__sxtab16(in2, xv), __sxtab16(w2, wv), acc);
        acc = __smlad(te_sxtab16_ror8(in2, xv), te_sxtab16_ror8(w2, wv), acc);
    }
#endif
    for (; i < length; ++i) {
        acc += ((int32_t)x[i] + input_offset) * ((int32_t)w[i] + filter_offset);
    }
    return acc;
}

#if defined(__ARM_FEATURE_DSP)
/* Two outputs (rows w0, w1) sharing every input word: acc[0] += x . w0, acc[1] += x . w1. */
TE_NOINLINE static void te_fc_dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t length,
                                   int32_t input_offset, int32_t filter_offset, int32_t acc[2])
{
    const int32_t in2 = te_pack_s16x2(input_offset);
    const int32_t f2 = te_pack_s16x2(filter_offset);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t i = 0;
    for (; i + 4 <= length; i += 4) {
        const int32_t xv = te_read_s8x4(x + i);
        const int32_t v0 = te_read_s8x4(w0 + i);
        const int32_t v1 = te_read_s8x4(w1 + i);
        const int32_t xe = __sxtab16(in2, xv);
        const int32_t xo = te_sxtab16_ror8(in2, xv);
        a0 = __smlad(xe, __sxtab16(f2, v0), a0);
        a0 = __smlad(xo, te_sxtab16_ror8(f2, v0), a0);
        a1 = __smlad(xe, __sxtab16(f2, v1), a1);
        a1 = __smlad(xo, te_sxtab16_ror8(f2, v1), a1);
    }
    for (; i < length; ++i) {
        const int32_t xi = (int32_t)x[i] + input_offset;
        a0 += xi * ((int32_t)w0[i] + filter_offset);
        a1 += xi * ((int32_t)w1[i] + filter_offset);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif

/* One requantized FULLY_CONNECTED output (single rounding). */
static inline int8_t te_fc_out(const te_fully_connected_params *params, int32_t acc, int32_t multiplier,
                               int32_t shift)
{
    const int32_t scaled = te_multiply_by_quantized_multiplier_single_round(acc, multiplier, shift);
    return te_offset_clamp_s8(scaled, params->output_offset, params->activation);
}

/* Shared body: quant_step is 1 for per-channel arrays, 0 for one per-tensor value. */
static te_status te_fc_run(const te_fully_connected_params *params, const int32_t *multiplier, const int32_t *shift,
                           int32_t quant_step, const te_fully_connected_dims *dims, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b;
    if (dims->batches < 1 || dims->in_features < 1 || dims->out_features < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (b = 0; b < dims->batches; ++b) {
        const int8_t *x = input + (size_t)b * (size_t)dims->in_features;
        int32_t o = 0;
#if defined(__ARM_FEATURE_DSP)
        for (; o + 2 <= dims->out_features; o += 2) {
            const int8_t *w = filter + (size_t)o * (size_t)dims->in_features;
            int32_t acc[2];
            acc[0] = bias != NULL ? bias[o] : 0;
            acc[1] = bias != NULL ? bias[o + 1] : 0;
            te_fc_dot2(x, w, w + dims->in_features, dims->in_features, params->input_offset, params->filter_offset,
                       acc);
            *output++ = te_fc_out(params, acc[0], multiplier[o * quant_step], shift[o * quant_step]);
            *output++ = te_fc_out(params, acc[1], multiplier[(o + 1) * quant_step], shift[(o + 1) * quant_step]);
        }
#endif
        for (; o < dims->out_features; ++o) {
            const int8_t *w = filter + (size_t)o * (size_t)dims->in_features;
            const int32_t acc = te_fc_dot(x, w, dims->in_features, params->input_offset, params->filter_offset,
                                          bias != NULL ? bias[o] : 0);
            *output++ = te_fc_out(params, acc, multiplier[o * quant_step], shift[o * quant_step]);
        }
    }
    return TE_OK;
}

/*
 * Packed weights (te_fully_connected_packed_s8): acc[r] += x . row r over `groups` groups of four
 * inputs, the four rows' bytes interleaved per group (16 bytes: row 0's four, row 1's, ...).
 */
#if defined(__ARM_FEATURE_DSP)
/*
 * One group: LDR of four inputs, SXTB16 into pairs (x0, x2) and (x1, x3); two LDRD of two rows'
 * words each; per row word SXTB16 (even bytes) + SMLAD, SXTB16 ROR #8 (odd bytes) + SMLAD.
 * 21 instructions, 16 MACs. Registers: x (then its odd pair), xe, w0, w1, t (even pair of a
 * weight word), a0..a3 accumulators, xp / wp advanced.
 */
#define TE_FCP_GROUP                                                                                \
    "ldr %[x], [%[xp]], #4\n\t"                                                                     \
    "ldrd %[w0], %[w1], [%[wp]], #8\n\t"                                                            \
    "sxtb16 %[xe], %[x]\n\t"                                                                        \
    "sxtb16 %[x], %[x], ror #8\n\t"                                                                 \
    "sxtb16 %[t], %[w0]\n\t"                                                                        \
    "smlad %[a0], %[xe], %[t], %[a0]\n\t"                                                           \
    "sxtb16 %[w0], %[w0], ror #8\n\t"                                                               \
    "smlad %[a0], %[x], %[w0], %[a0]\n\t"                                                           \
    "sxtb16 %[t], %[w1]\n\t"                                                                        \
    "smlad %[a1], %[xe], %[t], %[a1]\n\t"                                                           \
    "sxtb16 %[w1], %[w1], ror #8\n\t"                                                               \
    "smlad %[a1], %[x], %[w1], %[a1]\n\t"                                                           \
    "ldrd %[w0], %[w1], [%[wp]], #8\n\t"                                                            \
    "sxtb16 %[t], %[w0]\n\t"                                                                        \
    "smlad %[a2], %[xe], %[t], %[a2]\n\t"                                                           \
    "sxtb16 %[w0], %[w0], ror #8\n\t"                                                               \
    "smlad %[a2], %[x], %[w0], %[a2]\n\t"                                                           \
    "sxtb16 %[t], %[w1]\n\t"                                                                        \
    "smlad %[a3], %[xe], %[t], %[a3]\n\t"                                                           \
    "sxtb16 %[w1], %[w1], ror #8\n\t"                                                               \
    "smlad %[a3], %[x], %[w1], %[a3]\n\t"
#define TE_FCP_OPERANDS                                                                             \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xp] "+r"(x), [wp] "+r"(w),         \
      [x] "=&r"(xv), [xe] "=&r"(xe), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)                       \
    :                                                                                               \
    : "memory"
#endif

static inline void te_fcp_block4(const int8_t *x, const int8_t *w, int32_t groups, int32_t acc[4])
{
#if defined(__ARM_FEATURE_DSP)
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    int32_t xv, xe, w0, w1, t;
    const int8_t *const pairs_end = x + 4 * (groups & ~1);
    while (x != pairs_end) { /* two groups per pass */
        __asm__ volatile(TE_FCP_GROUP TE_FCP_GROUP TE_FCP_OPERANDS);
    }
    if ((groups & 1) != 0) {
        __asm__ volatile(TE_FCP_GROUP TE_FCP_OPERANDS);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
#else
    int32_t k, r, j;
    for (k = 0; k < groups; ++k) {
        for (r = 0; r < 4; ++r) {
            for (j = 0; j < 4; ++j) {
                acc[r] += (int32_t)x[4 * k + j] * (int32_t)w[16 * k + 4 * r + j];
            }
        }
    }
#endif
}

/*
 * te_multiply_by_quantized_multiplier_single_round for shift in [-32, -1] (total shift t = 31 - shift
 * in [32, 63]) plus the output offset: x * m + 2^(t-1) is one SMLAL onto a constant (no saturation
 * can occur: the product is below 2^62), the high word shifted right by e = t - 32. The constant's
 * words: hi = 2^e / 2, lo = 2^31 when e = 0 (LSL, LSR, LSL, no branch).
 */
static inline int32_t te_fcp_requant(int32_t x, int32_t multiplier, int32_t shift, int32_t output_offset)
{
    const int32_t e = -shift - 1;
    const uint32_t one = 1u << e;
    const int64_t k = (int64_t)(((uint64_t)(one >> 1) << 32) | (uint32_t)(one << 31));
    return ((int32_t)(((int64_t)x * (int64_t)multiplier + k) >> 32) >> e) + output_offset;
}

/* The other shifts, out of line (rare: a real multiplier of 1/2 or more). */
TE_NOINLINE static int8_t te_fcp_out_general(const te_fully_connected_params *params, int32_t acc,
                                             int32_t multiplier, int32_t shift)
{
    return te_fc_out(params, acc, multiplier, shift);
}

/* Four outputs of the packed kernel: acc[r] requantized with multiplier[r * step], shift[r * step]. */
static inline void te_fcp_out4(const te_fully_connected_params *p, const int32_t acc[4], const int32_t *multiplier,
                               const int32_t *shift, int32_t step, int8_t *out)
{
    int32_t r;
    for (r = 0; r < 4; ++r) {
        const int32_t m = multiplier[r * step];
        const int32_t sh = shift[r * step];
        if (sh > -1 || sh < -32) {
            out[r] = te_fcp_out_general(p, acc[r], m, sh);
        } else if (p->activation.min <= -128 && p->activation.max >= 127) {
#if defined(__ARM_FEATURE_DSP)
            out[r] = (int8_t)__ssat(te_fcp_requant(acc[r], m, sh, p->output_offset), 8);
#else
            out[r] = te_offset_clamp_s8(te_fcp_requant(acc[r], m, sh, 0), p->output_offset, p->activation);
#endif
        } else {
            out[r] = te_offset_clamp_s8(te_fcp_requant(acc[r], m, sh, 0), p->output_offset, p->activation);
        }
    }
}

te_status te_fully_connected_packed_s8(const te_fully_connected_params *params, const int32_t *multiplier,
                                       const int32_t *shift, int32_t per_channel,
                                       const te_fully_connected_dims *dims, const int8_t *input,
                                       const int8_t *packed_filter, const int32_t *folded_bias, int8_t *output)
{
    const te_fully_connected_params p = *params; /* int8 stores may alias *params */
    const int32_t n = dims->in_features;
    const int32_t outs = dims->out_features;
    const int32_t step = per_channel ? 1 : 0;
    int32_t b;
    if (dims->batches < 1 || n < 1 || outs < 1 || n % 4 != 0 || p.filter_offset != 0 || folded_bias == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    for (b = 0; b < dims->batches; ++b) {
        const int8_t *x = input + (size_t)b * (size_t)n;
        const int8_t *w = packed_filter;
        int32_t o = 0;
        for (; o + 4 <= outs; o += 4) {
            int32_t acc[4];
            acc[0] = folded_bias[o];
            acc[1] = folded_bias[o + 1];
            acc[2] = folded_bias[o + 2];
            acc[3] = folded_bias[o + 3];
            te_fcp_block4(x, w, n / 4, acc);
            w += 4 * n;
            te_fcp_out4(&p, acc, multiplier + o * step, shift + o * step, step, output);
            output += 4;
        }
        for (; o < outs; ++o) {
            const int32_t acc = te_fc_dot(x, w, n, 0, 0, folded_bias[o]);
            const int32_t m = multiplier[o * step];
            const int32_t sh = shift[o * step];
            w += n;
            *output++ = sh > -1 || sh < -32
                            ? te_fcp_out_general(&p, acc, m, sh)
                            : te_offset_clamp_s8(te_fcp_requant(acc, m, sh, 0), p.output_offset, p.activation);
        }
    }
    return TE_OK;
}

te_status te_fully_connected_s8(const te_fully_connected_params *params, const te_per_tensor_quant *quant,
                                const te_fully_connected_dims *dims, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output)
{
    return te_fc_run(params, &quant->multiplier, &quant->shift, 0, dims, input, filter, bias, output);
}

te_status te_fully_connected_per_channel_s8(const te_fully_connected_params *params,
                                            const te_per_channel_quant *quant, const te_fully_connected_dims *dims,
                                            const int8_t *input, const int8_t *filter, const int32_t *bias,
                                            int8_t *output)
{
    return te_fc_run(params, quant->multiplier, quant->shift, 1, dims, input, filter, bias, output);
}

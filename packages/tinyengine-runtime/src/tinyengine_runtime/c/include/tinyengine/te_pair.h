/*
 * tinyengine-runtime: the DSP path's two-pixel blocks of the convolution kernels (internal, static).
 *
 * A "pair column" holds the int16 column (input + offset, 0 for padding) of two output pixels A
 * and B, interleaved: per group of four values, A's (x0, x2), (x1, x3) then B's (x0, x2), (x1, x3),
 * so that one SXTB16'd weight word feeds four SMLADs; the length % 4 remainder follows as A, B
 * pairs. te_pair_two_pixels dots it with every output channel's weight row (two rows at a time)
 * and requantizes both pixels. Used by te_conv_1x1_s8 and te_conv_3x3_c3_s8.
 */
#ifndef TINYENGINE_TE_PAIR_H
#define TINYENGINE_TE_PAIR_H

#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

#if defined(__ARM_FEATURE_DSP)
/* acc[0..1]: pixel A x rows w0, w1; acc[2..3]: pixel B x rows w0, w1 (column: a pair column). */
static inline void te_pair_dot(const int16_t *column, const int8_t *w0, const int8_t *w1, int32_t length,
                               int32_t acc[4])
{
    const int32_t *words = (const int32_t *)(const void *)column;
    const int32_t *end = words + (length >> 2) * 4;
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t b0 = acc[2];
    int32_t b1 = acc[3];
    int32_t i;
    while (words != end) {
        const int32_t a02 = words[0];
        const int32_t a13 = words[1];
        const int32_t b02 = words[2];
        const int32_t b13 = words[3];
        const int32_t v0 = te_read_s8x4(w0);
        const int32_t v1 = te_read_s8x4(w1);
        const int32_t v0e = __sxtb16(v0);
        const int32_t v0o = te_sxtb16_ror8(v0);
        const int32_t v1e = __sxtb16(v1);
        const int32_t v1o = te_sxtb16_ror8(v1);
        a0 = __smlad(a02, v0e, a0);
        a0 = __smlad(a13, v0o, a0);
        b0 = __smlad(b02, v0e, b0);
        b0 = __smlad(b13, v0o, b0);
        a1 = __smlad(a02, v1e, a1);
        a1 = __smlad(a13, v1o, a1);
        b1 = __smlad(b02, v1e, b1);
        b1 = __smlad(b13, v1o, b1);
        words += 4;
        w0 += 4;
        w1 += 4;
    }
    column = (const int16_t *)(const void *)words;
    for (i = length & ~3; i < length; ++i) {
        a0 += (int32_t)column[0] * (int32_t)w0[0];
        a1 += (int32_t)column[0] * (int32_t)w1[0];
        b0 += (int32_t)column[1] * (int32_t)w0[0];
        b1 += (int32_t)column[1] * (int32_t)w1[0];
        column += 2;
        ++w0;
        ++w1;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = b0;
    acc[3] = b1;
}

/* One requantized output; fast: every channel's (multiplier, shift) suits the one-SMLAL form. */
static inline int8_t te_pair_out(int32_t acc, int32_t multiplier, int32_t shift, int fast, int32_t output_offset,
                                 te_activation activation)
{
    const int32_t v = fast ? te_multiply_by_quantized_multiplier_right2(acc, multiplier, shift)
                           : te_multiply_by_quantized_multiplier(acc, multiplier, shift);
    return te_offset_clamp_s8(v, output_offset, activation);
}

/* Output pixels A and B (their column prepared) for every output channel; fast a constant after inlining. */
static inline void te_pair_channels(const te_conv_params *params, const te_per_channel_quant *quant,
                                    const int16_t *column, int32_t channels, const int8_t *filter,
                                    const int32_t *bias, int32_t out_channels, int8_t *out_a, int8_t *out_b,
                                    int fast)
{
    /* Locals: the int8 stores may alias *params and *quant, which would force reloads. */
    const int32_t output_offset = params->output_offset;
    const te_activation activation = params->activation;
    const int32_t *multipliers = quant->multiplier;
    const int32_t *shifts = quant->shift;
    int32_t oc;
    for (oc = 0; oc < out_channels; oc += 2) {
        const int32_t oc1 = oc + 1 < out_channels ? oc + 1 : oc; /* odd count: last row done twice */
        const int32_t m0 = multipliers[oc];
        const int32_t s0 = shifts[oc];
        const int32_t m1 = multipliers[oc1];
        const int32_t s1 = shifts[oc1];
        int32_t acc[4];
        acc[0] = bias != NULL ? bias[oc] : 0;
        acc[1] = bias != NULL ? bias[oc1] : 0;
        acc[2] = acc[0];
        acc[3] = acc[1];
        te_pair_dot(column, filter + oc * channels, filter + oc1 * channels, channels, acc);
        out_a[oc] = te_pair_out(acc[0], m0, s0, fast, output_offset, activation);
        out_b[oc] = te_pair_out(acc[2], m0, s0, fast, output_offset, activation);
        out_a[oc1] = te_pair_out(acc[1], m1, s1, fast, output_offset, activation);
        out_b[oc1] = te_pair_out(acc[3], m1, s1, fast, output_offset, activation);
    }
}

TE_NOINLINE_HELPER static void te_pair_two_pixels(const te_conv_params *params,
                                                  const te_per_channel_quant *quant, const int16_t *column,
                                                  int32_t channels, const int8_t *filter, const int32_t *bias,
                                                  int32_t out_channels, int8_t *out_a, int8_t *out_b, int fast)
{
    if (fast) {
        te_pair_channels(params, quant, column, channels, filter, bias, out_channels, out_a, out_b, 1);
    } else {
        te_pair_channels(params, quant, column, channels, filter, bias, out_channels, out_a, out_b, 0);
    }
}

/* True when every output channel's requantization suits the one-SMLAL form. */
static inline int te_pair_all_fast(const te_per_channel_quant *quant, int32_t out_channels)
{
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        if (!te_right2_applies(quant->multiplier[oc], quant->shift[oc])) {
            return 0;
        }
    }
    return 1;
}
#endif

#endif /* TINYENGINE_TE_PAIR_H */

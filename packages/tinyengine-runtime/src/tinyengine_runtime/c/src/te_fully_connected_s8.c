/*
 * int8 FULLY_CONNECTED, per-tensor and per-channel weights: one dot product per (batch, output)
 * of (input + input_offset) with (weights + filter_offset), plus bias, requantized.
 * The DSP path adds the offsets and multiplies two pairs per step with SXTAB16 + SMLAD, two
 * outputs per pass so that every input word feeds four SMLADs.
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

/*
 * int8 FULLY_CONNECTED, per-tensor and per-channel weights: one dot product per (batch, output)
 * of (input + input_offset) with (weights + filter_offset), plus bias, requantized.
 * The DSP path adds the offsets and multiplies two pairs per step with SXTAB16 + SMLAD.
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
        int32_t o;
        for (o = 0; o < dims->out_features; ++o) {
            const int8_t *w = filter + (size_t)o * (size_t)dims->in_features;
            const int32_t acc = te_fc_dot(x, w, dims->in_features, params->input_offset, params->filter_offset,
                                          bias != NULL ? bias[o] : 0);
            const int32_t scaled = te_multiply_by_quantized_multiplier_single_round(
                acc, multiplier[o * quant_step], shift[o * quant_step]);
            *output++ = te_offset_clamp_s8(scaled, params->output_offset, params->activation);
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

/*
 * Pointwise (1x1) int8 CONV_2D: each output pixel reads one contiguous input pixel, so the column
 * is just that pixel's channels plus the input offset (no gather, no padding tests).
 *
 * The DSP path computes two output pixels x two output channels per pass: pixel A from the int16
 * column in scratch, pixel B straight from the int8 input (SXTAB16 adds the offset), so every
 * weight word loaded feeds four SMLADs. Both paths accumulate the same exact integer sums.
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims)
{
    return (size_t)input_dims->c * sizeof(int16_t);
}

/* Input pixel of output pixel index p (raster order within one batch image). */
static const int8_t *te_1x1_pixel(const te_conv_params *params, const te_dims *input_dims,
                                  const te_dims *output_dims, const int8_t *image, int32_t p)
{
    const int32_t oy = p / output_dims->w;
    const int32_t ox = p - oy * output_dims->w;
    return image + ((size_t)(oy * params->stride_h) * (size_t)input_dims->w + (size_t)(ox * params->stride_w)) *
                       (size_t)input_dims->c;
}

/* The column of one input pixel: channels + input offset, prepared for te_dot_s8_s16. */
static void te_1x1_column(const int8_t *src, int32_t channels, int32_t input_offset, int16_t *column)
{
    int32_t c;
    for (c = 0; c < channels; ++c) {
        column[c] = (int16_t)(src[c] + input_offset);
    }
    te_column_prepare(column, channels);
}

#if defined(__ARM_FEATURE_DSP)
/* acc[0..1]: pixel A (column) x rows w0, w1; acc[2..3]: pixel B (raw int8 input) x rows w0, w1. */
static inline void te_1x1_block(const int16_t *column, const int8_t *pixel_b, int32_t input_offset,
                                     const int8_t *w0, const int8_t *w1, int32_t length, int32_t acc[4])
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t b0 = acc[2];
    int32_t b1 = acc[3];
    int32_t i = 0;
    for (; i + 4 <= length; i += 4) {
        const int32_t c02 = te_read_s16x2(column + i);
        const int32_t c13 = te_read_s16x2(column + i + 2);
        const int32_t xb = te_read_s8x4(pixel_b + i);
        const int32_t b02 = __sxtab16(off2, xb);
        const int32_t b13 = te_sxtab16_ror8(off2, xb);
        const int32_t v0 = te_read_s8x4(w0 + i);
        const int32_t v1 = te_read_s8x4(w1 + i);
        const int32_t v0_02 = __sxtb16(v0);
        const int32_t v0_13 = te_sxtb16_ror8(v0);
        const int32_t v1_02 = __sxtb16(v1);
        const int32_t v1_13 = te_sxtb16_ror8(v1);
        a0 = __smlad(c02, v0_02, a0);
        a0 = __smlad(c13, v0_13, a0);
        a1 = __smlad(c02, v1_02, a1);
        a1 = __smlad(c13, v1_13, a1);
        b0 = __smlad(b02, v0_02, b0);
        b0 = __smlad(b13, v0_13, b0);
        b1 = __smlad(b02, v1_02, b1);
        b1 = __smlad(b13, v1_13, b1);
    }
    for (; i < length; ++i) {
        const int32_t xb = (int32_t)pixel_b[i] + input_offset;
        a0 += (int32_t)column[i] * (int32_t)w0[i];
        a1 += (int32_t)column[i] * (int32_t)w1[i];
        b0 += xb * (int32_t)w0[i];
        b1 += xb * (int32_t)w1[i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = b0;
    acc[3] = b1;
}

/* One requantized output of a channel whose parameters were loaded once for its four outputs. */
static inline int8_t te_1x1_out(int32_t acc, int32_t multiplier, int32_t shift, int fast, int32_t output_offset,
                                te_activation activation)
{
    const int32_t v = fast ? te_multiply_by_quantized_multiplier_right2(acc, multiplier, shift)
                           : te_multiply_by_quantized_multiplier(acc, multiplier, shift);
    return te_offset_clamp_s8(v, output_offset, activation);
}

/* Output pixels A (column prepared) and B (input pixel_b) for every output channel. */
TE_NOINLINE static void te_1x1_two_pixels(const te_conv_params *params, const te_per_channel_quant *quant,
                                          const int16_t *column, const int8_t *pixel_b, int32_t channels,
                                          const int8_t *filter, const int32_t *bias, int32_t out_channels,
                                          int8_t *out_a, int8_t *out_b)
{
    /* Locals: the int8 stores may alias *params and *quant, which would force reloads. */
    const int32_t input_offset = params->input_offset;
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
        const int fast0 = te_right2_applies(m0, s0);
        const int fast1 = te_right2_applies(m1, s1);
        int32_t acc[4];
        acc[0] = bias != NULL ? bias[oc] : 0;
        acc[1] = bias != NULL ? bias[oc1] : 0;
        acc[2] = acc[0];
        acc[3] = acc[1];
        te_1x1_block(column, pixel_b, input_offset, filter + oc * channels, filter + oc1 * channels, channels, acc);
        out_a[oc] = te_1x1_out(acc[0], m0, s0, fast0, output_offset, activation);
        out_b[oc] = te_1x1_out(acc[2], m0, s0, fast0, output_offset, activation);
        out_a[oc1] = te_1x1_out(acc[1], m1, s1, fast1, output_offset, activation);
        out_b[oc1] = te_1x1_out(acc[3], m1, s1, fast1, output_offset, activation);
    }
}
#endif

te_status te_conv_1x1_s8(const te_conv_params *params, const te_per_channel_quant *quant,
                         const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                         const int8_t *filter, const int32_t *bias, const te_dims *output_dims, int8_t *output,
                         void *scratch)
{
    int16_t *column = (int16_t *)scratch;
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t pixels = output_dims->h * output_dims->w;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)channels;
    int32_t b;
    if (filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != channels || out_channels != filter_dims->n ||
        output_dims->n != input_dims->n || params->pad_top != 0 || params->pad_left != 0 || params->stride_h < 1 ||
        params->stride_w < 1 || (output_dims->h - 1) * params->stride_h >= input_dims->h ||
        (output_dims->w - 1) * params->stride_w >= input_dims->w) {
        return TE_ERROR_ARGUMENT;
    }
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t p = 0;
#if defined(__ARM_FEATURE_DSP)
        for (; p + 2 <= pixels; p += 2) {
            te_1x1_column(te_1x1_pixel(params, input_dims, output_dims, image, p), channels, params->input_offset,
                          column);
            te_1x1_two_pixels(params, quant, column, te_1x1_pixel(params, input_dims, output_dims, image, p + 1),
                              channels, filter, bias, out_channels, output, output + out_channels);
            output += 2 * out_channels;
        }
#endif
        for (; p < pixels; ++p) {
            te_1x1_column(te_1x1_pixel(params, input_dims, output_dims, image, p), channels, params->input_offset,
                          column);
            te_column_to_channels(column, channels, filter, bias, out_channels, quant, params->output_offset,
                                  params->activation, output);
            output += out_channels;
        }
    }
    return TE_OK;
}

/*
 * Pointwise (1x1) int8 CONV_2D: each output pixel reads one contiguous input pixel, so the column
 * is just that pixel's channels plus the input offset (no gather, no padding tests).
 *
 * The DSP path computes two output pixels x two output channels per pass from one int16 column of
 * both pixels in scratch (interleaved per group of four channels, built with SXTAB16), so every
 * weight word loaded feeds four SMLADs and the hot loop needs no input offset register.
 * Requantization parameters are loaded once per output channel for its four outputs. Both paths
 * accumulate the same exact integer sums.
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pair.h"

size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims)
{
    return 2 * (size_t)input_dims->c * sizeof(int16_t);
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
/*
 * The column of two input pixels A and B, interleaved for te_pair_dot: per group of four
 * channels, A's (x0, x2), (x1, x3) then B's, as int16 with the input offset added (two SXTAB16 per
 * word); the channels % 4 remainder after, as A, B pairs.
 */
static void te_1x1_pair_column(const int8_t *a, const int8_t *b, int32_t channels, int32_t input_offset,
                               int16_t *column)
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t *words = (int32_t *)(void *)column;
    int32_t i = 0;
    for (; i + 4 <= channels; i += 4) {
        const int32_t xa = te_read_s8x4(a + i);
        const int32_t xb = te_read_s8x4(b + i);
        words[0] = __sxtab16(off2, xa);
        words[1] = te_sxtab16_ror8(off2, xa);
        words[2] = __sxtab16(off2, xb);
        words[3] = te_sxtab16_ror8(off2, xb);
        words += 4;
    }
    column = (int16_t *)(void *)words;
    for (; i < channels; ++i) {
        column[0] = (int16_t)(a[i] + input_offset);
        column[1] = (int16_t)(b[i] + input_offset);
        column += 2;
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
#if defined(__ARM_FEATURE_DSP)
    const int fast = te_pair_all_fast(quant, out_channels);
#endif
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t p = 0;
#if defined(__ARM_FEATURE_DSP)
        for (; p + 2 <= pixels; p += 2) {
            te_1x1_pair_column(te_1x1_pixel(params, input_dims, output_dims, image, p),
                               te_1x1_pixel(params, input_dims, output_dims, image, p + 1), channels,
                               params->input_offset, column);
            te_pair_two_pixels(params, quant, column, channels, filter, bias, out_channels, output,
                              output + out_channels, fast);
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

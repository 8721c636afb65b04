/*
 * int8 CONV_2D specialised for a 3x3 kernel on 3 input channels (the stem of most networks):
 * the 27-value column is gathered with fixed trip counts straight into the layout the dot products
 * read (slot tables), and interior pixels skip the padding tests. The DSP path gathers two
 * horizontally adjacent output pixels into one pair column (te_pair.h) so that every weight word
 * feeds four SMLADs (an odd last pixel of a row is both pixels of its pair).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pair.h"

#define TE_STEM_TAPS 27

size_t te_conv_3x3_c3_s8_scratch_bytes(void)
{
    return 2 * TE_STEM_TAPS * sizeof(int16_t);
}

#if defined(__ARM_FEATURE_DSP)
/* Slots of taps of pixel A and pixel B in a pair column (te_pair.h). */
static const uint8_t te_stem_pair_a[TE_STEM_TAPS] = {
    0, 2, 1, 3, 8, 10, 9, 11, 16, 18, 17, 19, 24, 26, 25, 27, 32, 34, 33, 35, 40, 42, 41, 43, 48, 50, 52
};
static const uint8_t te_stem_pair_b[TE_STEM_TAPS] = {
    4, 6, 5, 7, 12, 14, 13, 15, 20, 22, 21, 23, 28, 30, 29, 31, 36, 38, 37, 39, 44, 46, 45, 47, 49, 51, 53
};
#else
/* The portable path's column: tap order. */
static const uint8_t te_stem_identity[TE_STEM_TAPS] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26
};
#endif


/* The 27 values (input + offset, 0 for padding) of output pixel (oy, ox) into column[slots[t]]. */
TE_NOINLINE_ONE_COPY static void te_stem_column(const te_conv_params *params, const te_dims *input_dims,
                                                const int8_t *image, int32_t oy, int32_t ox, int16_t *column,
                                                const uint8_t *slots)
{
    const int32_t y0 = oy * params->stride_h - params->pad_top;
    const int32_t x0 = ox * params->stride_w - params->pad_left;
    const int32_t dy = params->dilation_h;
    const int32_t dx = params->dilation_w;
    const int32_t offset = params->input_offset;
    const int32_t row = input_dims->w * 3;
    int32_t ky;
    int32_t kx;
    if (y0 >= 0 && x0 >= 0 && y0 + 2 * dy < input_dims->h && x0 + 2 * dx < input_dims->w) {
        for (ky = 0; ky < 3; ++ky) {
            const int8_t *src = image + (y0 + ky * dy) * row + x0 * 3;
            for (kx = 0; kx < 3; ++kx) {
                const int8_t *px = src + kx * dx * 3;
                column[slots[0]] = (int16_t)(px[0] + offset);
                column[slots[1]] = (int16_t)(px[1] + offset);
                column[slots[2]] = (int16_t)(px[2] + offset);
                slots += 3;
            }
        }
        return;
    }
    for (ky = 0; ky < 3; ++ky) {
        const int32_t iy = y0 + ky * dy;
        for (kx = 0; kx < 3; ++kx) {
            const int32_t ix = x0 + kx * dx;
            if (iy < 0 || iy >= input_dims->h || ix < 0 || ix >= input_dims->w) {
                column[slots[0]] = 0;
                column[slots[1]] = 0;
                column[slots[2]] = 0;
            } else {
                const int8_t *px = image + iy * row + ix * 3;
                column[slots[0]] = (int16_t)(px[0] + offset);
                column[slots[1]] = (int16_t)(px[1] + offset);
                column[slots[2]] = (int16_t)(px[2] + offset);
            }
            slots += 3;
        }
    }
}

te_status te_conv_3x3_c3_s8(const te_conv_params *params, const te_per_channel_quant *quant,
                            const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                            const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                            int8_t *output, void *scratch)
{
    int16_t *column = (int16_t *)scratch;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * 3u;
    int32_t b;
    if (filter_dims->h != 3 || filter_dims->w != 3 || filter_dims->c != 3 || input_dims->c != 3 ||
        output_dims->c != filter_dims->n || output_dims->n != input_dims->n || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
#if defined(__ARM_FEATURE_DSP)
    const int fast = te_pair_all_fast(quant, output_dims->c);
#endif
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
#if defined(__ARM_FEATURE_DSP)
            for (ox = 0; ox < output_dims->w; ox += 2) {
                /* an odd last pixel goes as both A and B (same bytes written twice) */
                const int single = ox + 1 == output_dims->w;
                te_stem_column(params, input_dims, image, oy, ox, column, te_stem_pair_a);
                te_stem_column(params, input_dims, image, oy, single ? ox : ox + 1, column, te_stem_pair_b);
                te_pair_two_pixels(params, quant, column, TE_STEM_TAPS, filter, bias, output_dims->c, output,
                                   single ? output : output + output_dims->c, fast);
                output += (single ? 1 : 2) * output_dims->c;
            }
#else
            for (ox = 0; ox < output_dims->w; ++ox) {
                te_stem_column(params, input_dims, image, oy, ox, column, te_stem_identity);
                te_column_to_channels(column, TE_STEM_TAPS, filter, bias, output_dims->c, quant,
                                      params->output_offset, params->activation, output);
                output += output_dims->c;
            }
#endif
        }
    }
    return TE_OK;
}

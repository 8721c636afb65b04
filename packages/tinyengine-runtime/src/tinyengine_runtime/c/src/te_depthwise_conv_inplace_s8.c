/*
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1), TinyEngine's memory trick.
 *
 * Channel by channel: copy input channel c (in_h * in_w bytes, strided by C) into scratch, then
 * write output channel c over the buffer. Output (y, x, c) sits at ((y * out_w + x) * C + c), a
 * byte of input channel c (out_h * out_w <= in_h * in_w), already saved in scratch; channels not
 * yet processed are never touched. On the DSP path, interior pixels multiply two horizontal taps
 * per SMLAD (dilation_w 1, kernel up to TE_DW_INPLACE_MAX_PAIRS weight pairs).
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

#define TE_DW_INPLACE_MAX_PAIRS 64

size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_dims *input_dims)
{
    return (size_t)input_dims->h * (size_t)input_dims->w;
}

/* One output pixel from the saved channel plane, any geometry (taps on padding skipped). */
static int32_t te_dw_plane_pixel(const te_depthwise_params *params, const te_dims *input_dims, const int8_t *plane,
                                 const te_dims *filter_dims, const int8_t *filter, int32_t c, int32_t y0, int32_t x0,
                                 int32_t acc)
{
    const int32_t channels = filter_dims->c;
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        const int32_t iy = y0 + ky * params->dilation_h;
        int32_t kx;
        if (iy < 0 || iy >= input_dims->h) {
            continue;
        }
        for (kx = 0; kx < filter_dims->w; ++kx) {
            const int32_t ix = x0 + kx * params->dilation_w;
            if (ix >= 0 && ix < input_dims->w) {
                const int32_t w = filter[(ky * filter_dims->w + kx) * channels + c];
                acc += ((int32_t)plane[iy * input_dims->w + ix] + params->input_offset) * w;
            }
        }
    }
    return acc;
}

#if defined(__ARM_FEATURE_DSP)
/* Channel c's weights as int16 pairs (kx, kx+1) per kernel row, odd last tap paired with 0. */
static void te_dw_pack_pairs(const te_dims *filter_dims, const int8_t *filter, int32_t c, int32_t *pairs)
{
    const int32_t channels = filter_dims->c;
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        int32_t kx;
        for (kx = 0; kx < filter_dims->w; kx += 2) {
            const int32_t w0 = filter[(ky * filter_dims->w + kx) * channels + c];
            const int32_t w1 = kx + 1 < filter_dims->w ? filter[(ky * filter_dims->w + kx + 1) * channels + c] : 0;
            *pairs++ = (int32_t)(((uint32_t)w0 & 0xFFFFu) | ((uint32_t)w1 << 16));
        }
    }
}

/* Interior pixel (window fully inside, dilation_w 1): two taps per SMLAD. */
static int32_t te_dw_plane_pixel_pairs(const te_depthwise_params *params, const te_dims *input_dims,
                                       const te_dims *filter_dims, const int8_t *plane, const int32_t *pairs,
                                       int32_t y0, int32_t x0, int32_t acc)
{
    const int32_t off2 = te_pack_s16x2(params->input_offset);
    const int32_t kw = filter_dims->w;
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        const int8_t *row = plane + (y0 + ky * params->dilation_h) * input_dims->w + x0;
        int32_t kx;
        for (kx = 0; kx + 2 <= kw; kx += 2) {
            uint16_t two;
            uint32_t v;
            memcpy(&two, row + kx, 2);
            v = (uint32_t)two | ((uint32_t)two << 8); /* bytes 0 and 2 now hold taps kx, kx+1 */
            acc = __smlad(__sxtab16(off2, (int32_t)v), *pairs++, acc);
        }
        if (kx < kw) {
            acc += ((int32_t)row[kx] + params->input_offset) * (int16_t)(*pairs++ & 0xFFFF);
        }
    }
    return acc;
}
#endif

te_status te_depthwise_conv_inplace_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                                       const te_dims *input_dims, int8_t *buffer, const te_dims *filter_dims,
                                       const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                                       void *scratch)
{
    int8_t *plane = (int8_t *)scratch;
    const int32_t channels = input_dims->c;
    const int32_t pixels = input_dims->h * input_dims->w;
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    int32_t pairs[TE_DW_INPLACE_MAX_PAIRS];
    const int use_pairs = params->dilation_w == 1 && filter_dims->h * ((filter_dims->w + 1) / 2) <= TE_DW_INPLACE_MAX_PAIRS;
#endif
    if (params->depth_multiplier != 1 || input_dims->n != 1 || output_dims->n != 1 || output_dims->c != channels ||
        filter_dims->c != channels || output_dims->h * output_dims->w > pixels || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    if (plane == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (c = 0; c < channels; ++c) {
        const int32_t multiplier = quant->multiplier[c];
        const int32_t shift = quant->shift[c];
        const int32_t acc0 = bias != NULL ? bias[c] : 0;
        int32_t p;
        int32_t oy;
        for (p = 0; p < pixels; ++p) {
            plane[p] = buffer[p * channels + c];
        }
#if defined(__ARM_FEATURE_DSP)
        if (use_pairs) {
            te_dw_pack_pairs(filter_dims, filter, c, pairs);
        }
#endif
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                int32_t acc;
#if defined(__ARM_FEATURE_DSP)
                if (use_pairs && y0 >= 0 && x0 >= 0 && y0 + (filter_dims->h - 1) * params->dilation_h < input_dims->h &&
                    x0 + filter_dims->w - 1 < input_dims->w) {
                    acc = te_dw_plane_pixel_pairs(params, input_dims, filter_dims, plane, pairs, y0, x0, acc0);
                } else
#endif
                {
                    acc = te_dw_plane_pixel(params, input_dims, plane, filter_dims, filter, c, y0, x0, acc0);
                }
                buffer[(oy * output_dims->w + ox) * channels + c] =
                    te_requantize_s8(acc, multiplier, shift, params->output_offset, params->activation);
            }
        }
    }
    return TE_OK;
}

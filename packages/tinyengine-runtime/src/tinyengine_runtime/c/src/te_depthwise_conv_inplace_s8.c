/*
 * In-place int8 DEPTHWISE_CONV_2D (depth multiplier 1, batch 1), TinyEngine's memory trick.
 *
 * Channel by channel: copy input channel c (in_h * in_w bytes, strided by C) into scratch, then
 * write output channel c over the buffer. Output (y, x, c) sits at ((y * out_w + x) * C + c), a
 * byte of input channel c (out_h * out_w <= in_h * in_w), already saved in scratch; channels not
 * yet processed are never touched. On the DSP path (dilation_w 1, kernels up to
 * TE_DW_INPLACE_MAX_TAPS taps) two horizontal taps go through one SXTAB16 + SMLAD.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

#define TE_DW_INPLACE_MAX_TAPS 128

size_t te_depthwise_conv_inplace_s8_scratch_bytes(const te_dims *input_dims)
{
    return (size_t)input_dims->h * (size_t)input_dims->w;
}

/* One output pixel from the saved channel plane: taps [ky0,ky1) x [kx0,kx1), weights strided. */
TE_NOINLINE static int32_t te_plane_pixel(const te_depthwise_params *params, const int8_t *plane, int32_t plane_w,
                              const int8_t *weights, int32_t weight_step, int32_t kw, int32_t y0, int32_t x0,
                              const int32_t range[4], int32_t acc)
{
    int32_t ky;
    for (ky = range[0]; ky < range[1]; ++ky) {
        const int8_t *row = plane + (y0 + ky * params->dilation_h) * plane_w + x0;
        int32_t kx;
        for (kx = range[2]; kx < range[3]; ++kx) {
            const int32_t w = weights[(ky * kw + kx) * weight_step];
            acc += ((int32_t)row[kx * params->dilation_w] + params->input_offset) * w;
        }
    }
    return acc;
}

#if defined(__ARM_FEATURE_DSP)
/* Same with dilation_w 1 and the channel's weights as int16 (kh x kw): two taps per SMLAD. */
TE_NOINLINE static int32_t te_plane_pixel_pairs(const te_depthwise_params *params, const int8_t *plane, int32_t plane_w,
                                    const int16_t *weights, int32_t kw, int32_t y0, int32_t x0,
                                    const int32_t range[4], int32_t acc)
{
    const int32_t off2 = te_pack_s16x2(params->input_offset);
    const int32_t taps = range[3] - range[2];
    int32_t ky;
    for (ky = range[0]; ky < range[1]; ++ky) {
        const int8_t *row = plane + (y0 + ky * params->dilation_h) * plane_w + x0 + range[2];
        const int16_t *w = weights + ky * kw + range[2];
        int32_t k;
        for (k = 0; k + 2 <= taps; k += 2) {
            const uint32_t two = te_read_u8x2(row + k);
            const uint32_t v = two | (two << 8); /* bytes 0 and 2 now hold taps k, k+1 */
            acc = __smlad(__sxtab16(off2, (int32_t)v), te_read_s16x2(w + k), acc);
        }
        if (k < taps) {
            acc += ((int32_t)row[k] + params->input_offset) * (int32_t)w[k];
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
    const int32_t kw = filter_dims->w;
    int32_t c;
#if defined(__ARM_FEATURE_DSP)
    int16_t weights16[TE_DW_INPLACE_MAX_TAPS];
    const int use_pairs = params->dilation_w == 1 && filter_dims->h * kw <= TE_DW_INPLACE_MAX_TAPS;
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
            for (p = 0; p < filter_dims->h * kw; ++p) {
                weights16[p] = filter[p * channels + c];
            }
        }
#endif
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int8_t *out = buffer + oy * output_dims->w * channels + c;
            int32_t range[4];
            int32_t ox;
            te_tap_range(y0, params->dilation_h, filter_dims->h, input_dims->h, &range[0], &range[1]);
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                int32_t acc;
                te_tap_range(x0, params->dilation_w, kw, input_dims->w, &range[2], &range[3]);
#if defined(__ARM_FEATURE_DSP)
                if (use_pairs) {
                    acc = te_plane_pixel_pairs(params, plane, input_dims->w, weights16, kw, y0, x0, range, acc0);
                } else
#endif
                {
                    acc = te_plane_pixel(params, plane, input_dims->w, filter + c, channels, kw, y0, x0, range, acc0);
                }
                *out = te_requantize_s8(acc, multiplier, shift, params->output_offset, params->activation);
                out += channels;
            }
        }
    }
    return TE_OK;
}

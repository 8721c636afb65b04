/*
 * Generic int8 DEPTHWISE_CONV_2D: any kernel size, stride, dilation and depth multiplier.
 *
 * Taps that fall on the padding are skipped (TFLite's reference does the same): the in-bounds tap
 * range is computed once per output pixel. With depth multiplier 1 the DSP path handles four
 * channels per step: SXTAB16 adds the input offset to two bytes at once and SMLABB/SMLATT
 * accumulate each channel separately. With a depth multiplier that is a multiple of four, four
 * outputs of one input channel share each input value (SMLABB/SMLABT against SXTB16'd weights);
 * a multiple of eight shares it between eight, with doubled accumulators and te_requant2 (when every
 * channel's quantization allows it) storing two outputs at a time. (One input channel with any
 * multiplier runs te_conv_im2col_s8 in te-gen's projects: te_conv.h.)
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

/* In-bounds taps of one output pixel, and where they start in the input and the filter. */
typedef struct {
    int32_t ky0, ky1, kx0, kx1;
    const int8_t *input;  /* input pixel of tap (ky0, kx0), channel 0 */
    const int8_t *filter; /* filter tap (ky0, kx0), channel 0 */
    int32_t input_row;    /* input step between kernel rows, bytes */
    int32_t input_col;    /* input step between kernel columns, bytes */
} te_dw_window;

static te_dw_window te_dw_window_at(const te_depthwise_params *params, const te_dims *input_dims,
                                    const int8_t *image, const te_dims *filter_dims, const int8_t *filter,
                                    int32_t y0, int32_t x0)
{
    te_dw_window w;
    const int32_t in_c = input_dims->c;
    te_tap_range(y0, params->dilation_h, filter_dims->h, input_dims->h, &w.ky0, &w.ky1);
    te_tap_range(x0, params->dilation_w, filter_dims->w, input_dims->w, &w.kx0, &w.kx1);
    w.input = image + ((y0 + w.ky0 * params->dilation_h) * input_dims->w + x0 + w.kx0 * params->dilation_w) * in_c;
    w.filter = filter + (w.ky0 * filter_dims->w + w.kx0) * filter_dims->c;
    w.input_row = params->dilation_h * input_dims->w * in_c;
    w.input_col = params->dilation_w * in_c;
    return w;
}

#if defined(__ARM_FEATURE_DSP)
/* Four channels c..c+3 of one output pixel (depth multiplier 1). */
TE_NOINLINE static void te_dw_four_channels(const te_dw_window *w, int32_t filter_w, int32_t channels, int32_t input_offset,
                                int32_t c, int32_t acc[4])
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    const int8_t *in_row = w->input + c;
    const int8_t *f_row = w->filter + c;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            const int32_t xv = te_read_s8x4(in);
            const int32_t wv = te_read_s8x4(f);
            const int32_t x02 = __sxtab16(off2, xv);
            const int32_t x13 = te_sxtab16_ror8(off2, xv);
            const int32_t w02 = __sxtb16(wv);
            const int32_t w13 = te_sxtb16_ror8(wv);
            a0 = __smlabb(x02, w02, a0);
            a2 = __smlatt(x02, w02, a2);
            a1 = __smlabb(x13, w13, a1);
            a3 = __smlatt(x13, w13, a3);
            in += w->input_col;
            f += channels;
        }
        in_row += w->input_row;
        f_row += filter_w * channels;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Four output channels oc..oc+3 of one output pixel that read the same input channel ic (depth
 * multiplier a multiple of four): one input value times four weights per tap. */
TE_NOINLINE static void te_dw_four_outputs(const te_dw_window *w, int32_t filter_w, int32_t out_channels,
                                           int32_t input_offset, int32_t ic, int32_t oc, int32_t acc[4])
{
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t a2 = acc[2];
    int32_t a3 = acc[3];
    const int8_t *in_row = w->input + ic;
    const int8_t *f_row = w->filter + oc;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            const int32_t x = (int32_t)*in + input_offset;
            const int32_t wv = te_read_s8x4(f);
            const int32_t w02 = __sxtb16(wv);
            const int32_t w13 = te_sxtb16_ror8(wv);
            a0 = __smlabb(x, w02, a0);
            a2 = __smlabt(x, w02, a2);
            a1 = __smlabb(x, w13, a1);
            a3 = __smlabt(x, w13, a3);
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += filter_w * out_channels;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Eight output channels oc..oc+7 that read the same input channel ic (depth multiplier a multiple of
 * eight), doubled accumulators (te_requant2): per tap one input value, 2 * (x + offset) as an int16,
 * against the eight weights sign-extended in pairs (bytes 0, 2 and 1, 3 of each word). */
TE_NOINLINE static void te_dw_eight_outputs(const te_dw_window *w, int32_t filter_w, int32_t out_channels,
                                            int32_t input_offset, int32_t ic, int32_t oc, int32_t acc[8])
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    const int32_t off2 = 2 * input_offset;
    const int8_t *in_row = w->input + ic;
    const int8_t *f_row = w->filter + oc;
    const int32_t f_step = filter_w * out_channels;
    const int32_t f_span = (w->kx1 - w->kx0) * out_channels;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        const int8_t *end = f + f_span;
        while (f != end) {
            const int32_t x = off2 + 2 * (int32_t)*in;
            const int32_t v0 = te_read_s8x4(f);
            const int32_t v1 = te_read_s8x4(f + 4);
            const int32_t e0 = __sxtb16(v0);
            const int32_t o0 = te_sxtb16_ror8(v0);
            const int32_t e1 = __sxtb16(v1);
            const int32_t o1 = te_sxtb16_ror8(v1);
            a0 = __smlabb(x, e0, a0);
            a2 = __smlabt(x, e0, a2);
            a1 = __smlabb(x, o0, a1);
            a3 = __smlabt(x, o0, a3);
            a4 = __smlabb(x, e1, a4);
            a6 = __smlabt(x, e1, a6);
            a5 = __smlabb(x, o1, a5);
            a7 = __smlabt(x, o1, a7);
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += f_step;
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
    acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

/* Whether every output channel takes te_requant2 (|bias| < 2^29: with the taps, |acc| < 2^30). */
static int te_dw_requant2_all(const te_per_channel_quant *quant, const int32_t *bias, int32_t channels)
{
    int32_t c;
    for (c = 0; c < channels; ++c) {
        const int32_t b = bias != NULL ? bias[c] : 0;
        if (!te_requant2_applies(quant->multiplier[c], quant->shift[c]) || b >= (1 << 29) || b <= -(1 << 29)) {
            return 0;
        }
    }
    return 1;
}

/* Eight doubled accumulators of output channels oc..oc+7 requantized into out[oc..oc+7]. */
static void te_dw_store_eight(const int32_t acc[8], const te_per_channel_quant *quant, int32_t oc,
                              int32_t output_offset, int32_t lo2, int32_t hi2, int clamp, int8_t *out)
{
    int32_t j;
    for (j = 0; j < 8; j += 2) {
        const int32_t s0 = quant->shift[oc + j];
        const int32_t s1 = quant->shift[oc + j + 1];
        const int32_t v0 = te_requant2(acc[j], quant->multiplier[oc + j], te_requant2_round(s0, output_offset), -s0);
        const int32_t v1 =
            te_requant2(acc[j + 1], quant->multiplier[oc + j + 1], te_requant2_round(s1, output_offset), -s1);
        te_store_s8x2(out + oc + j, v0, v1, lo2, hi2, clamp);
    }
}

#endif

/* Output channel oc (input channel oc / multiplier) of one output pixel, bias included. */
TE_NOINLINE static int32_t te_dw_one_channel(const te_dw_window *w, const te_depthwise_params *params, int32_t filter_w,
                                 int32_t out_channels, int32_t oc, int32_t acc)
{
    const int8_t *in_row = w->input + oc / params->depth_multiplier;
    const int8_t *f_row = w->filter + oc;
    int32_t ky;
    for (ky = w->ky0; ky < w->ky1; ++ky) {
        const int8_t *in = in_row;
        const int8_t *f = f_row;
        int32_t kx;
        for (kx = w->kx0; kx < w->kx1; ++kx) {
            acc += ((int32_t)*in + params->input_offset) * (int32_t)*f;
            in += w->input_col;
            f += out_channels;
        }
        in_row += w->input_row;
        f_row += filter_w * out_channels;
    }
    return acc;
}

/* Every output. */
static void te_dw_s8_run(const te_depthwise_params *params, const te_per_channel_quant *quant,
                         const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                         const int8_t *filter, const int32_t *bias, const te_dims *output_dims, int8_t *output)
{
    const int32_t out_channels = output_dims->c;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int32_t b;
#if defined(__ARM_FEATURE_DSP)
    const int eight = params->depth_multiplier % 8 == 0 && te_dw_requant2_all(quant, bias, out_channels);
    const int32_t lo2 = te_pack_s8x2(params->activation.min);
    const int32_t hi2 = te_pack_s8x2(params->activation.max);
    const int clamp = params->activation.min != -128 || params->activation.max != 127;
#endif
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                te_dw_window w;
                int32_t oc = 0;
                w = te_dw_window_at(params, input_dims, image, filter_dims, filter, y0, x0);
#if defined(__ARM_FEATURE_DSP)
                if (params->depth_multiplier == 1) {
                    for (; oc + 4 <= out_channels; oc += 4) {
                        int32_t acc[4];
                        int32_t k;
                        for (k = 0; k < 4; ++k) {
                            acc[k] = bias != NULL ? bias[oc + k] : 0;
                        }
                        te_dw_four_channels(&w, filter_dims->w, out_channels, params->input_offset, oc, acc);
                        for (k = 0; k < 4; ++k) {
                            output[oc + k] = te_requantize_s8(acc[k], quant->multiplier[oc + k], quant->shift[oc + k],
                                                              params->output_offset, params->activation);
                        }
                    }
                } else if (eight) {
                    for (; oc < out_channels; oc += 8) {
                        int32_t acc[8];
                        int32_t k;
                        for (k = 0; k < 8; ++k) {
                            acc[k] = bias != NULL ? 2 * bias[oc + k] : 0;
                        }
                        te_dw_eight_outputs(&w, filter_dims->w, out_channels, params->input_offset,
                                            oc / params->depth_multiplier, oc, acc);
                        te_dw_store_eight(acc, quant, oc, params->output_offset, lo2, hi2, clamp, output);
                    }
                } else if (params->depth_multiplier % 4 == 0) {
                    for (; oc < out_channels; oc += 4) {
                        int32_t acc[4];
                        int32_t k;
                        for (k = 0; k < 4; ++k) {
                            acc[k] = bias != NULL ? bias[oc + k] : 0;
                        }
                        te_dw_four_outputs(&w, filter_dims->w, out_channels, params->input_offset,
                                           oc / params->depth_multiplier, oc, acc);
                        for (k = 0; k < 4; ++k) {
                            output[oc + k] = te_requantize_s8(acc[k], quant->multiplier[oc + k], quant->shift[oc + k],
                                                              params->output_offset, params->activation);
                        }
                    }
                }
#endif
                for (; oc < out_channels; ++oc) {
                    const int32_t acc =
                        te_dw_one_channel(&w, params, filter_dims->w, out_channels, oc, bias != NULL ? bias[oc] : 0);
                    output[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], params->output_offset,
                                                  params->activation);
                }
                output += out_channels;
            }
        }
    }
}

te_status te_depthwise_conv_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                               const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                               int8_t *output)
{
    const int32_t out_channels = output_dims->c;
    if (params->depth_multiplier < 1 || out_channels != input_dims->c * params->depth_multiplier ||
        filter_dims->c != out_channels || output_dims->n != input_dims->n || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    te_dw_s8_run(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
    return TE_OK;
}

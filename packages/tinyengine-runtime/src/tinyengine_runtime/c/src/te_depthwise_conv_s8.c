/*
 * Generic int8 DEPTHWISE_CONV_2D: any kernel size, stride, dilation and depth multiplier.
 *
 * Taps that fall on the padding are skipped (TFLite's reference does the same). With depth
 * multiplier 1 the DSP path handles four channels per step: SXTAB16 adds the input offset to two
 * bytes at once and SMLABB/SMLATT accumulate each channel separately.
 */
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_mac.h"

static int te_dw_inside(const te_dims *input_dims, int32_t iy, int32_t ix)
{
    return iy >= 0 && iy < input_dims->h && ix >= 0 && ix < input_dims->w;
}

#if defined(__ARM_FEATURE_DSP)
/* Four channels c..c+3 of one output pixel (depth multiplier 1). */
static void te_dw_four_channels(const te_depthwise_params *params, const te_dims *input_dims, const int8_t *image,
                                const te_dims *filter_dims, const int8_t *filter, int32_t y0, int32_t x0,
                                int32_t c, int32_t acc[4])
{
    const int32_t channels = input_dims->c;
    const int32_t off2 = te_pack_s16x2(params->input_offset);
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        const int32_t iy = y0 + ky * params->dilation_h;
        int32_t kx;
        for (kx = 0; kx < filter_dims->w; ++kx) {
            const int32_t ix = x0 + kx * params->dilation_w;
            int32_t xv;
            int32_t wv;
            int32_t x02;
            int32_t x13;
            int32_t w02;
            int32_t w13;
            if (!te_dw_inside(input_dims, iy, ix)) {
                continue;
            }
            xv = te_read_s8x4(image + ((size_t)iy * (size_t)input_dims->w + (size_t)ix) * (size_t)channels + c);
            wv = te_read_s8x4(filter + ((size_t)ky * (size_t)filter_dims->w + (size_t)kx) * (size_t)channels + c);
            x02 = __sxtab16(off2, xv);
            x13 = __sxtab16(off2, te_ror8(xv));
            w02 = __sxtb16(wv);
            w13 = __sxtb16(te_ror8(wv));
            acc[0] = __smlabb(x02, w02, acc[0]);
            acc[2] = __smlatt(x02, w02, acc[2]);
            acc[1] = __smlabb(x13, w13, acc[1]);
            acc[3] = __smlatt(x13, w13, acc[3]);
        }
    }
}
#endif

/* Output channel oc (input channel oc / multiplier) of one output pixel, bias included. */
static int32_t te_dw_one_channel(const te_depthwise_params *params, const te_dims *input_dims, const int8_t *image,
                                 const te_dims *filter_dims, const int8_t *filter, int32_t y0, int32_t x0,
                                 int32_t oc, int32_t acc)
{
    const int32_t ic = oc / params->depth_multiplier;
    const int32_t out_channels = filter_dims->c;
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        const int32_t iy = y0 + ky * params->dilation_h;
        int32_t kx;
        for (kx = 0; kx < filter_dims->w; ++kx) {
            const int32_t ix = x0 + kx * params->dilation_w;
            if (te_dw_inside(input_dims, iy, ix)) {
                const int32_t x =
                    image[((size_t)iy * (size_t)input_dims->w + (size_t)ix) * (size_t)input_dims->c + ic];
                const int32_t w = filter[((size_t)ky * (size_t)filter_dims->w + (size_t)kx) * (size_t)out_channels + oc];
                acc += (x + params->input_offset) * w;
            }
        }
    }
    return acc;
}

te_status te_depthwise_conv_s8(const te_depthwise_params *params, const te_per_channel_quant *quant,
                               const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias, const te_dims *output_dims,
                               int8_t *output)
{
    const int32_t out_channels = output_dims->c;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int32_t b;
    if (params->depth_multiplier < 1 || out_channels != input_dims->c * params->depth_multiplier ||
        filter_dims->c != out_channels || output_dims->n != input_dims->n || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t x0 = ox * params->stride_w - params->pad_left;
                int32_t oc = 0;
#if defined(__ARM_FEATURE_DSP)
                if (params->depth_multiplier == 1) {
                    for (; oc + 4 <= out_channels; oc += 4) {
                        int32_t acc[4];
                        int32_t k;
                        for (k = 0; k < 4; ++k) {
                            acc[k] = bias != NULL ? bias[oc + k] : 0;
                        }
                        te_dw_four_channels(params, input_dims, image, filter_dims, filter, y0, x0, oc, acc);
                        for (k = 0; k < 4; ++k) {
                            output[oc + k] = te_requantize_s8(acc[k], quant->multiplier[oc + k], quant->shift[oc + k],
                                                              params->output_offset, params->activation);
                        }
                    }
                }
#endif
                for (; oc < out_channels; ++oc) {
                    const int32_t acc = te_dw_one_channel(params, input_dims, image, filter_dims, filter, y0, x0, oc,
                                                          bias != NULL ? bias[oc] : 0);
                    output[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], params->output_offset,
                                                  params->activation);
                }
                output += out_channels;
            }
        }
    }
    return TE_OK;
}

/*
 * Generic int8 CONV_2D: any kernel size, stride, dilation and padding.
 *
 * For each output pixel, the receptive field is copied once into an int16 column (activation +
 * input offset; 0 where the window hangs over the padding, as TFLite skips those taps), then every
 * output channel is a dot product of its weight row with that column (SMLAD on the DSP path).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

size_t te_conv_s8_scratch_bytes(const te_dims *filter_dims)
{
    return (size_t)filter_dims->h * (size_t)filter_dims->w * (size_t)filter_dims->c * sizeof(int16_t);
}

/* Fill the column for output pixel (oy, ox) of one batch image; returns the column length. */
static int32_t te_conv_im2col(const te_conv_params *params, const te_dims *input_dims, const int8_t *image,
                              const te_dims *filter_dims, int32_t oy, int32_t ox, int16_t *column)
{
    const int32_t channels = input_dims->c;
    int16_t *dst = column;
    int32_t ky;
    for (ky = 0; ky < filter_dims->h; ++ky) {
        const int32_t iy = oy * params->stride_h - params->pad_top + ky * params->dilation_h;
        int32_t kx;
        for (kx = 0; kx < filter_dims->w; ++kx) {
            const int32_t ix = ox * params->stride_w - params->pad_left + kx * params->dilation_w;
            int32_t c;
            if (iy < 0 || iy >= input_dims->h || ix < 0 || ix >= input_dims->w) {
                for (c = 0; c < channels; ++c) {
                    dst[c] = 0;
                }
            } else {
                const int8_t *src = image + ((size_t)iy * (size_t)input_dims->w + (size_t)ix) * (size_t)channels;
                for (c = 0; c < channels; ++c) {
                    dst[c] = (int16_t)(src[c] + params->input_offset);
                }
            }
            dst += channels;
        }
    }
    return (int32_t)(dst - column);
}

te_status te_conv_s8(const te_conv_params *params, const te_per_channel_quant *quant, const te_dims *input_dims,
                     const int8_t *input, const te_dims *filter_dims, const int8_t *filter, const int32_t *bias,
                     const te_dims *output_dims, int8_t *output, void *scratch)
{
    int16_t *column = (int16_t *)scratch;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int32_t b;
    if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
        params->stride_h < 1 || params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t length = te_conv_im2col(params, input_dims, image, filter_dims, oy, ox, column);
                te_column_prepare(column, length);
                te_column_to_channels(column, length, filter, bias, output_dims->c, quant, params->output_offset,
                                      params->activation, output);
                output += output_dims->c;
            }
        }
    }
    return TE_OK;
}

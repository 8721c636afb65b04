/*
 * Pointwise (1x1) int8 CONV_2D: each output pixel reads one contiguous input pixel, so the column
 * is just that pixel's channels plus the input offset (no gather, no padding tests).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims)
{
    return (size_t)input_dims->c * sizeof(int16_t);
}

te_status te_conv_1x1_s8(const te_conv_params *params, const te_per_channel_quant *quant,
                         const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                         const int8_t *filter, const int32_t *bias, const te_dims *output_dims, int8_t *output,
                         void *scratch)
{
    int16_t *column = (int16_t *)scratch;
    const int32_t channels = input_dims->c;
    int32_t b;
    if (filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != channels || output_dims->c != filter_dims->n ||
        output_dims->n != input_dims->n || params->pad_top != 0 || params->pad_left != 0 || params->stride_h < 1 ||
        params->stride_w < 1 || (output_dims->h - 1) * params->stride_h >= input_dims->h ||
        (output_dims->w - 1) * params->stride_w >= input_dims->w) {
        return TE_ERROR_ARGUMENT;
    }
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
    for (b = 0; b < input_dims->n; ++b) {
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy = oy * params->stride_h;
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix = ox * params->stride_w;
                const int8_t *src =
                    input + (((size_t)b * (size_t)input_dims->h + (size_t)iy) * (size_t)input_dims->w + (size_t)ix) *
                                (size_t)channels;
                int32_t c;
                for (c = 0; c < channels; ++c) {
                    column[c] = (int16_t)(src[c] + params->input_offset);
                }
                te_column_prepare(column, channels);
                te_column_to_channels(column, channels, filter, bias, output_dims->c, quant, params->output_offset,
                                      params->activation, output);
                output += output_dims->c;
            }
        }
    }
    return TE_OK;
}

/* PAD / PADV2: fills the whole output with the pad value, then copies the input rows in. */
#include <string.h>

#include "tinyengine/te_shape_util.h"

te_status te_pad_s8(const int8_t *input, const te_shape *input_shape, const te_pad_params *params,
                    int8_t *output)
{
    int32_t dims[TE_MAX_DIMS];
    int32_t before[TE_MAX_DIMS];
    int32_t out_dims[TE_MAX_DIMS];
    int32_t out_strides[TE_MAX_DIMS];
    int32_t lead;
    int32_t d;
    int32_t total = 1;
    int32_t i0, i1, i2, i3;

    if (input == NULL || output == NULL || params == NULL || params->pad_value < -128 ||
        params->pad_value > 127) {
        return TE_ERROR_ARGUMENT;
    }
    lead = te_shape_extend(input_shape, dims);
    if (lead < 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (d = 0; d < TE_MAX_DIMS; ++d) {
        const int32_t b = d < lead ? 0 : params->before[d - lead];
        const int32_t a = d < lead ? 0 : params->after[d - lead];
        if (b < 0 || a < 0) {
            return TE_ERROR_ARGUMENT;
        }
        before[d] = b;
        out_dims[d] = dims[d] + b + a;
        total *= out_dims[d];
    }
    te_shape_strides(out_dims, out_strides);
    memset(output, (int)(int8_t)params->pad_value, (size_t)total);
    if (dims[4] == 0) {
        return TE_OK;
    }
    for (i0 = 0; i0 < dims[0]; ++i0) {
        for (i1 = 0; i1 < dims[1]; ++i1) {
            for (i2 = 0; i2 < dims[2]; ++i2) {
                for (i3 = 0; i3 < dims[3]; ++i3) {
                    int8_t *dst = output + (i0 + before[0]) * out_strides[0] +
                                  (i1 + before[1]) * out_strides[1] + (i2 + before[2]) * out_strides[2] +
                                  (i3 + before[3]) * out_strides[3] + before[4];
                    memcpy(dst, input, (size_t)dims[4]);
                    input += dims[4];
                }
            }
        }
    }
    return TE_OK;
}

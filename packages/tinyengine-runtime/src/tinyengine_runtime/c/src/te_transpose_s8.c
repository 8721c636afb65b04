/* TRANSPOSE: walks the output in order and gathers from the permuted input strides. */
#include "tinyengine/te_shape_util.h"

te_status te_transpose_s8(const int8_t *input, const te_shape *input_shape, const int32_t *perm,
                          int8_t *output)
{
    int32_t in_dims[TE_MAX_DIMS];
    int32_t in_strides[TE_MAX_DIMS];
    int32_t out_dims[TE_MAX_DIMS];
    int32_t src_strides[TE_MAX_DIMS]; /* input stride of each output dimension */
    int32_t seen = 0;
    int32_t lead;
    int32_t d;
    int32_t i0, i1, i2, i3, i4;

    if (input == NULL || output == NULL || perm == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    lead = te_shape_extend(input_shape, in_dims);
    if (lead < 0) {
        return TE_ERROR_ARGUMENT;
    }
    te_shape_strides(in_dims, in_strides);
    for (d = 0; d < TE_MAX_DIMS; ++d) {
        int32_t src = d;
        if (d >= lead) {
            const int32_t p = perm[d - lead];
            if (p < 0 || p >= input_shape->rank || (seen & (1 << p)) != 0) {
                return TE_ERROR_ARGUMENT;
            }
            seen |= 1 << p;
            src = p + lead;
        }
        out_dims[d] = in_dims[src];
        src_strides[d] = in_strides[src];
    }
    for (i0 = 0; i0 < out_dims[0]; ++i0) {
        for (i1 = 0; i1 < out_dims[1]; ++i1) {
            for (i2 = 0; i2 < out_dims[2]; ++i2) {
                for (i3 = 0; i3 < out_dims[3]; ++i3) {
                    const int8_t *src = input + i0 * src_strides[0] + i1 * src_strides[1] +
                                        i2 * src_strides[2] + i3 * src_strides[3];
                    for (i4 = 0; i4 < out_dims[4]; ++i4) {
                        *output++ = src[i4 * src_strides[4]];
                    }
                }
            }
        }
    }
    return TE_OK;
}

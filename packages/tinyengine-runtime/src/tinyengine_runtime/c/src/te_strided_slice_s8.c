/* STRIDED_SLICE with masks resolved: nested loops over begin/end/stride per dimension. */
#include "tinyengine/te_shape_util.h"

/* Number of indices begin, begin+stride, ... strictly before end. */
static int32_t te_slice_count(int32_t begin, int32_t end, int32_t stride)
{
    if (stride > 0) {
        return end > begin ? (end - begin + stride - 1) / stride : 0;
    }
    return begin > end ? (begin - end - stride - 1) / -stride : 0;
}

te_status te_strided_slice_s8(const int8_t *input, const te_shape *input_shape,
                              const te_strided_slice_params *params, int8_t *output)
{
    int32_t dims[TE_MAX_DIMS];
    int32_t strides[TE_MAX_DIMS];
    int32_t begin[TE_MAX_DIMS];
    int32_t step[TE_MAX_DIMS];
    int32_t count[TE_MAX_DIMS];
    int32_t lead;
    int32_t d;
    int32_t i0, i1, i2, i3, i4;

    if (input == NULL || output == NULL || params == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    lead = te_shape_extend(input_shape, dims);
    if (lead < 0) {
        return TE_ERROR_ARGUMENT;
    }
    te_shape_strides(dims, strides);
    for (d = 0; d < TE_MAX_DIMS; ++d) {
        if (d < lead) {
            begin[d] = 0;
            step[d] = 1;
            count[d] = 1;
            continue;
        }
        begin[d] = params->begin[d - lead];
        step[d] = params->stride[d - lead];
        if (step[d] == 0) {
            return TE_ERROR_ARGUMENT;
        }
        count[d] = te_slice_count(begin[d], params->end[d - lead], step[d]);
        if (count[d] > 0) {
            const int32_t last = begin[d] + (count[d] - 1) * step[d];
            if (begin[d] < 0 || begin[d] >= dims[d] || last < 0 || last >= dims[d]) {
                return TE_ERROR_ARGUMENT;
            }
        }
    }
    for (i0 = 0; i0 < count[0]; ++i0) {
        const int8_t *p0 = input + (begin[0] + i0 * step[0]) * strides[0];
        for (i1 = 0; i1 < count[1]; ++i1) {
            const int8_t *p1 = p0 + (begin[1] + i1 * step[1]) * strides[1];
            for (i2 = 0; i2 < count[2]; ++i2) {
                const int8_t *p2 = p1 + (begin[2] + i2 * step[2]) * strides[2];
                for (i3 = 0; i3 < count[3]; ++i3) {
                    const int8_t *p3 = p2 + (begin[3] + i3 * step[3]) * strides[3];
                    for (i4 = 0; i4 < count[4]; ++i4) {
                        *output++ = p3[begin[4] + i4 * step[4]];
                    }
                }
            }
        }
    }
    return TE_OK;
}

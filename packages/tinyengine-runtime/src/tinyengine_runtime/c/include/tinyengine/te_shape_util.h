/* Internal helpers (not part of the API) for the data-movement kernels: shapes extended to TE_MAX_DIMS. */
#ifndef TINYENGINE_TE_SHAPE_UTIL_H
#define TINYENGINE_TE_SHAPE_UTIL_H

#include "tinyengine/te_reshape.h"

/* Copies shape into dims[TE_MAX_DIMS] with leading 1s; returns the number of leading 1s
 * added, or -1 when the shape is invalid (rank out of range or a negative dimension). */
static inline int32_t te_shape_extend(const te_shape *shape, int32_t dims[TE_MAX_DIMS])
{
    int32_t lead;
    int32_t i;
    if (shape == NULL || shape->rank < 1 || shape->rank > TE_MAX_DIMS) {
        return -1;
    }
    lead = TE_MAX_DIMS - shape->rank;
    for (i = 0; i < TE_MAX_DIMS; ++i) {
        dims[i] = i < lead ? 1 : shape->dims[i - lead];
        if (dims[i] < 0) {
            return -1;
        }
    }
    return lead;
}

/* Row-major element strides of extended dims. */
static inline void te_shape_strides(const int32_t dims[TE_MAX_DIMS], int32_t strides[TE_MAX_DIMS])
{
    int32_t i;
    int32_t s = 1;
    for (i = TE_MAX_DIMS - 1; i >= 0; --i) {
        strides[i] = s;
        s *= dims[i];
    }
}

#endif /* TINYENGINE_TE_SHAPE_UTIL_H */

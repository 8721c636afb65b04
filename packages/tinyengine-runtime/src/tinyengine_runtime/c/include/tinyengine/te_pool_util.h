/* tinyengine-runtime: window clipping shared by the pooling kernels (internal, static inline). */
#ifndef TINYENGINE_TE_POOL_UTIL_H
#define TINYENGINE_TE_POOL_UTIL_H

#include "tinyengine/te_pooling.h"

/** Checks the arguments of a pooling call (shapes, window, activation range). */
static inline te_status te_pool_check(const te_pool_params *p, const te_dims *in, const int8_t *input,
                                      const te_dims *out, const int8_t *output)
{
    if (p == NULL || in == NULL || out == NULL || input == NULL || output == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    if (p->stride_h < 1 || p->stride_w < 1 || p->filter_h < 1 || p->filter_w < 1 || p->pad_h < 0 ||
        p->pad_w < 0 || in->n != out->n || in->c != out->c || in->h < 1 || in->w < 1 || out->h < 1 ||
        out->w < 1 || in->c < 1 || p->activation.min > p->activation.max) {
        return TE_ERROR_ARGUMENT;
    }
    return TE_OK;
}

/** The window of output coordinate o along one axis, clipped to [0, size): [*start, *end). */
static inline void te_pool_window(int32_t o, int32_t stride, int32_t pad, int32_t filter, int32_t size,
                                  int32_t *start, int32_t *end)
{
    const int32_t origin = o * stride - pad;
    const int32_t s = origin < 0 ? 0 : origin;
    const int32_t e = origin + filter < size ? origin + filter : size;
    *start = s;
    *end = e;
}

static inline int8_t te_clamp_s8(int32_t v, te_activation act)
{
    v = v < act.min ? act.min : v;
    v = v > act.max ? act.max : v;
    return (int8_t)v;
}

#endif /* TINYENGINE_TE_POOL_UTIL_H */

/*
 * tinyengine-runtime: TFLite-style 4D broadcasting for the binary elementwise kernels
 * (internal, static inline). An input dimension of extent 1 against a larger output extent
 * gets stride 0, as TFLite's NdArrayDescsForElementwiseBroadcast does.
 */
#ifndef TINYENGINE_TE_BROADCAST_H
#define TINYENGINE_TE_BROADCAST_H

#include "tinyengine/te_types.h"

/** Element strides of `in` per NHWC output dimension (0 where broadcast); 0 if incompatible. */
static inline int te_broadcast_strides(const te_dims *in, const te_dims *out, int32_t strides[4])
{
    const int32_t ext[4] = {in->n, in->h, in->w, in->c};
    const int32_t oext[4] = {out->n, out->h, out->w, out->c};
    int32_t s = 1;
    int i;
    for (i = 3; i >= 0; --i) {
        if (ext[i] < 1 || (ext[i] != oext[i] && ext[i] != 1)) {
            return 0;
        }
        strides[i] = ext[i] == oext[i] ? s : 0;
        s *= ext[i];
    }
    return 1;
}

static inline int te_dims_equal(const te_dims *a, const te_dims *b)
{
    return a->n == b->n && a->h == b->h && a->w == b->w && a->c == b->c;
}

static inline int32_t te_dims_count(const te_dims *d)
{
    return d->n * d->h * d->w * d->c;
}

/** Common argument checks of the binary kernels; fills both inputs' broadcast strides. */
static inline te_status te_broadcast_check(const te_dims *d1, const int8_t *in1, const te_dims *d2,
                                           const int8_t *in2, const te_dims *dout, const int8_t *out,
                                           int32_t s1[4], int32_t s2[4])
{
    if (d1 == NULL || d2 == NULL || dout == NULL || in1 == NULL || in2 == NULL || out == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    if (dout->n < 1 || dout->h < 1 || dout->w < 1 || dout->c < 1 || !te_broadcast_strides(d1, dout, s1) ||
        !te_broadcast_strides(d2, dout, s2)) {
        return TE_ERROR_ARGUMENT;
    }
    /* In place is only safe against an input that is read at the output's own index. */
    if ((out == in1 && !te_dims_equal(d1, dout)) || (out == in2 && !te_dims_equal(d2, dout))) {
        return TE_ERROR_ARGUMENT;
    }
    return TE_OK;
}

/*
 * Loop over every output element in order; BODY sees `a` and `b` (the two int8 inputs at the
 * broadcast positions) and writes `*o`.
 */
#define TE_BROADCAST_LOOP(dout, in1, s1, in2, s2, out, BODY)                                          \
    do {                                                                                              \
        int32_t te_n_, te_h_, te_w_, te_c_;                                                           \
        int8_t *o = (out);                                                                            \
        for (te_n_ = 0; te_n_ < (dout)->n; ++te_n_) {                                                 \
            for (te_h_ = 0; te_h_ < (dout)->h; ++te_h_) {                                             \
                for (te_w_ = 0; te_w_ < (dout)->w; ++te_w_) {                                         \
                    const int8_t *p1_ = (in1) + te_n_ * (s1)[0] + te_h_ * (s1)[1] + te_w_ * (s1)[2];  \
                    const int8_t *p2_ = (in2) + te_n_ * (s2)[0] + te_h_ * (s2)[1] + te_w_ * (s2)[2];  \
                    for (te_c_ = 0; te_c_ < (dout)->c; ++te_c_, ++o) {                                \
                        const int32_t a = p1_[te_c_ * (s1)[3]];                                       \
                        const int32_t b = p2_[te_c_ * (s2)[3]];                                       \
                        BODY;                                                                         \
                    }                                                                                 \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    } while (0)

#endif /* TINYENGINE_TE_BROADCAST_H */

/*
 * tinyengine-runtime: float32 rounding without libm (internal, static inline), exact for the
 * argument ranges the kernels use (|x| < 2^23, where the fractional part is exact in float).
 */
#ifndef TINYENGINE_TE_FLOAT_H
#define TINYENGINE_TE_FLOAT_H

#include <stdint.h>

/** C's roundf (TFLite's TfLiteRound): nearest integer, halves away from zero; |x| < 2^23. */
static inline int32_t te_round_f32(float x)
{
    const int32_t t = (int32_t)x; /* truncation toward zero */
    const float frac = x - (float)t; /* exact: t and x share the exponent range */
    if (frac >= 0.5f) {
        return t + 1;
    }
    if (frac <= -0.5f) {
        return t - 1;
    }
    return t;
}

/** C's floorf as an int32; |x| < 2^23. */
static inline int32_t te_floor_f32(float x)
{
    const int32_t t = (int32_t)x;
    return (float)t > x ? t - 1 : t;
}

#endif /* TINYENGINE_TE_FLOAT_H */

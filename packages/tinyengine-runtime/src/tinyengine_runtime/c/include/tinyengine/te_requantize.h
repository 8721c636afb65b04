/*
 * tinyengine-runtime: TFLite's fixed-point requantization (internal, static inline).
 *
 * Bit-exact with tflite::MultiplyByQuantizedMultiplier in TFLite's default (double-rounding)
 * build: SaturatingRoundingDoublingHighMul then RoundingDivideByPOT, shift positive = left.
 * Shared by every kernel that requantizes an int32 accumulator to int8.
 */
#ifndef TINYENGINE_TE_REQUANTIZE_H
#define TINYENGINE_TE_REQUANTIZE_H

#include <stdint.h>

#include "tinyengine/te_types.h"

/** gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), saturating INT32_MIN^2. */
static inline int32_t te_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* Division truncates toward zero, as in gemmlowp (not an arithmetic shift). */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t te_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier(x, multiplier, shift). */
static inline int32_t te_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    /* TFLite multiplies by (1 << left_shift) in int32 and relies on wrap-around. */
    const int32_t shifted = (int32_t)((uint32_t)x << left_shift);
    return te_rounding_divide_by_pot(te_saturating_rounding_doubling_high_mul(shifted, multiplier),
                                     right_shift);
}

/** Requantize an accumulator (bias included) to int8: scale, add the output offset, clamp. */
static inline int8_t te_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                                      te_activation activation)
{
    int32_t v = te_multiply_by_quantized_multiplier(acc, multiplier, shift) + output_offset;
    v = v < activation.min ? activation.min : v;
    v = v > activation.max ? activation.max : v;
    return (int8_t)v;
}

#endif /* TINYENGINE_TE_REQUANTIZE_H */

/*
 * tinyengine-runtime: TFLite's fixed-point requantization (internal, static inline).
 *
 * Bit-exact with TFLite 2.21's reference kernels, shift positive = left. Two roundings exist:
 *  - te_multiply_by_quantized_multiplier: tflite::MultiplyByQuantizedMultiplier, double rounding
 *    (SaturatingRoundingDoublingHighMul then RoundingDivideByPOT). CONV_2D, DEPTHWISE_CONV_2D and
 *    the element-wise kernels use it.
 *  - te_multiply_by_quantized_multiplier_single_round: one rounding of x * m / 2^(31 - shift),
 *    which is what FULLY_CONNECTED's reference kernel produces (measured: the double-rounding form
 *    differs from it by one in about 1 of 200 outputs).
 * Shared by every kernel that requantizes an int32 accumulator to int8.
 */
#ifndef TINYENGINE_TE_REQUANTIZE_H
#define TINYENGINE_TE_REQUANTIZE_H

#include <stdint.h>

#include "tinyengine/te_types.h"

/* Keeps a function out of line (hot inner loops get the registers to themselves; rare paths
 * stay out of the hot code). _HELPER: for static functions defined in headers. */
#if defined(__GNUC__)
#define TE_NOINLINE __attribute__((noinline))
#define TE_NOINLINE_HELPER __attribute__((noinline, unused))
#else
#define TE_NOINLINE
#define TE_NOINLINE_HELPER
#endif
/* Out of line and in one copy (GCC would clone it per constant argument: Flash). */
#if defined(__GNUC__) && !defined(__clang__)
#define TE_NOINLINE_ONE_COPY __attribute__((noinline, noclone))
#else
#define TE_NOINLINE_ONE_COPY TE_NOINLINE
#endif

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), saturating INT32_MIN^2.
 *
 * gemmlowp adds a sign-dependent nudge (2^30 or 1 - 2^30) and divides truncating toward zero;
 * for every 64-bit product that equals adding 2^30 and shifting right arithmetically (floor),
 * which compiles to SMULL + ADDS/ADC + a shift on Cortex-M.
 */
static inline int32_t te_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t te_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)((1u << exponent) - 1u); /* exponent is 0..31 */
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * MultiplyByQuantizedMultiplier for multiplier >= 0 and a right shift e = -shift in [2, 31]: both
 * roundings in one 64-bit multiply-add (one SMLAL on Cortex-M). With h = SRDHM(x, m) and
 * RDBP(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e), nested floors of integer quotients fold into
 * floor((x * m + 2^30 + 2^(30+e) - [x < 0] * 2^31) / 2^(31+e)); [h < 0] equals [x < 0] for m >= 0
 * because a negative x with h = 0 leaves the numerator below 2^(30+e) either way. Exhaustively
 * checked against the two-step form on random and extreme values.
 */
static inline int32_t te_multiply_by_quantized_multiplier_right2(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t e = -shift;
    const uint32_t lo = 0x40000000u | ((uint32_t)x & 0x80000000u);
    const int32_t hi = (int32_t)(1u << (e - 2)) - (int32_t)((uint32_t)x >> 31);
    const int64_t k = (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo);
    const int64_t s = (int64_t)x * (int64_t)multiplier + k;
    return (int32_t)(s >> 32) >> (e - 1);
}

/*
 * The doubled-accumulator form (hot loops: 3 instructions per output on Cortex-M, plus SSAT).
 *
 * For multiplier >= 0, a right shift e = -shift in [1, TE_REQ2_MAX_EXPONENT], |x| < 2^30 and the
 * accumulator held DOUBLED (acc2 = 2x, e.g. a column stored as 2 * (input + offset) and a doubled
 * bias), MultiplyByQuantizedMultiplier(x, m, shift) + output_offset equals
 *     (SMMLAR(acc2, m, round - [acc2 < 0])) >> e,   round = 2^(e-1) + output_offset * 2^e
 * SMMLAR(a, b, r) = floor((a * b + 2^31) / 2^32) + r: with a = 2x it is SRDHM(x, m) + r exactly, and
 * RoundingDivideByPOT(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e) with [h < 0] = [x < 0] (a
 * negative x with h = 0 rounds to 0 either way); the output offset rides along as a multiple of
 * 2^e. No int32 step overflows: |h| <= 2^30 + 1 and |round| <= 2^(e-1) + 2^(e+7) <= 2^29 + 2^21.
 * Per channel: te_requant2_applies, then te_requant2_round once; per output te_requant2 (the value
 * already has the output offset; clamp it to the activation range).
 */
#define TE_REQ2_MAX_EXPONENT 22

/** True when the doubled-accumulator form applies to (multiplier, shift) for any int8 offset. */
static inline int te_requant2_applies(int32_t multiplier, int32_t shift)
{
    return multiplier >= 0 && shift <= -1 && shift >= -TE_REQ2_MAX_EXPONENT;
}

/** round = 2^(e-1) + output_offset * 2^e for shift = -e (te_requant2_applies holds). */
static inline int32_t te_requant2_round(int32_t shift, int32_t output_offset)
{
    /* 2^(e-1) + offset * 2^e as (2 * offset + 1) << (e - 1): the factor hoists out of channel loops */
    return (int32_t)((uint32_t)(2 * output_offset + 1) << (-shift - 1));
}

/** MultiplyByQuantizedMultiplier(acc2 / 2, multiplier, -exponent) + output_offset (round from te_requant2_round). */
static inline int32_t te_requant2(int32_t acc2, int32_t multiplier, int32_t round, int32_t exponent)
{
#if defined(__ARM_FEATURE_DSP)
    int32_t r;
    int32_t y;
    /* r = round + (acc2 asr 31); y = (acc2 * m + 2^31 + r * 2^32) >> 32; y asr e */
    __asm__("add %0, %2, %3, asr #31\n\t"
            "smmlar %1, %3, %4, %0\n\t"
            "asr %1, %1, %5"
            : "=&r"(r), "=&r"(y)
            : "r"(round), "r"(acc2), "r"(multiplier), "r"(exponent));
    return y;
#else
    const int32_t h = (int32_t)(((int64_t)acc2 * (int64_t)multiplier + ((int64_t)1 << 31)) >> 32);
    return (h + round - (acc2 < 0 ? 1 : 0)) >> exponent;
#endif
}

/** True when te_multiply_by_quantized_multiplier_right2 applies to (multiplier, shift). */
static inline int te_right2_applies(int32_t multiplier, int32_t shift)
{
    return multiplier >= 0 && shift <= -2 && shift >= -31;
}

/**
 * tflite::MultiplyByQuantizedMultiplier(x, multiplier, shift).
 *
 * TFLite forms x * 2^shift in int32 before the high multiply, and that product wraps around when
 * it overflows (only with a left shift, i.e. a multiplier above 1: degenerate output scales such
 * as a ReLU layer whose outputs were all negative during calibration). Measured against TFLite
 * 2.21's CONV_2D and DEPTHWISE_CONV_2D; done here with an unsigned shift, so C sees no overflow.
 */
static inline int32_t te_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    if (te_right2_applies(multiplier, shift)) {
        return te_multiply_by_quantized_multiplier_right2(x, multiplier, shift);
    }
    if (shift > 0) {
        return te_saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << shift), multiplier);
    }
    return te_rounding_divide_by_pot(te_saturating_rounding_doubling_high_mul(x, multiplier), -shift);
}

/** x * multiplier / 2^(31 - shift), rounded once (half up), saturated to int32. */
static inline int32_t te_multiply_by_quantized_multiplier_single_round(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t total_shift = 31 - shift;
    int64_t result;
    if (total_shift < 1) { /* a real multiplier of 2^31 or more: any non-zero x saturates */
        return x > 0 ? INT32_MAX : (x < 0 ? INT32_MIN : 0);
    }
    result = (int64_t)x * (int64_t)multiplier + ((int64_t)1 << (total_shift - 1));
    result >>= total_shift;
    if (result > INT32_MAX) {
        return INT32_MAX;
    }
    return result < INT32_MIN ? INT32_MIN : (int32_t)result;
}

/** Add the output offset to a scaled accumulator and clamp it to the activation range. */
static inline int8_t te_offset_clamp_s8(int32_t scaled, int32_t output_offset, te_activation activation)
{
    int32_t v = scaled + output_offset;
    v = v < activation.min ? activation.min : v;
    v = v > activation.max ? activation.max : v;
    return (int8_t)v;
}

/** Both lanes of a two-byte clamp bound (te_store_s8x2): the low byte and the next one hold value. */
static inline int32_t te_pack_s8x2(int32_t value)
{
    return (int32_t)(((uint32_t)value & 0xFFu) * 0x0101u);
}

/**
 * out[0], out[1] = v0, v1 (already offset) clamped to the activation range; lo2 = te_pack_s8x2(min),
 * hi2 = te_pack_s8x2(max); clamp = 0 when the range is the whole int8 range. DSP path: SSAT, SSAT,
 * BFI, one STRH (+ SSUB8/SEL per bound when clamping).
 */
static inline void te_store_s8x2(int8_t *out, int32_t v0, int32_t v1, int32_t lo2, int32_t hi2, int clamp)
{
#if defined(__ARM_FEATURE_DSP)
    int32_t p;
    int32_t t;
    __asm__("ssat %0, #8, %2\n\t"
            "ssat %1, #8, %3\n\t"
            "bfi %0, %1, #8, #8"
            : "=&r"(p), "=&r"(t)
            : "r"(v0), "r"(v1));
    if (clamp) {
        /* per byte: p = max(p, lo), then min(p, hi) (SSUB8 sets GE where the difference is >= 0) */
        __asm__("ssub8 %1, %0, %2\n\t"
                "sel %0, %0, %2\n\t"
                "ssub8 %1, %3, %0\n\t"
                "sel %0, %0, %3"
                : "+r"(p), "=&r"(t)
                : "r"(lo2), "r"(hi2)
                : "cc");
    }
    {
        typedef uint16_t te_u16_store __attribute__((aligned(1), may_alias));
        *(te_u16_store *)(void *)out = (uint16_t)p;
    }
#else
    (void)clamp;
    {
        const int32_t lo = (int8_t)(lo2 & 0xFF);
        const int32_t hi = (int8_t)(hi2 & 0xFF);
        v0 = v0 < lo ? lo : (v0 > hi ? hi : v0);
        v1 = v1 < lo ? lo : (v1 > hi ? hi : v1);
        out[0] = (int8_t)v0;
        out[1] = (int8_t)v1;
    }
#endif
}

/** Requantize an accumulator (bias included) to int8: scale, add the output offset, clamp. */
static inline int8_t te_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                                      te_activation activation)
{
    return te_offset_clamp_s8(te_multiply_by_quantized_multiplier(acc, multiplier, shift), output_offset, activation);
}

#endif /* TINYENGINE_TE_REQUANTIZE_H */

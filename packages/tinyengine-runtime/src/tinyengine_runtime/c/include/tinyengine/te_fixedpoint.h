/*
 * tinyengine-runtime: gemmlowp's fixed-point math functions used by TFLite's reference
 * SOFTMAX and LOG_SOFTMAX (internal, static inline).
 *
 * Values are raw int32 fixed-point numbers "Qm" with m integer bits (31 - m fractional bits).
 * Each function reproduces the gemmlowp / TFLite routine named in its comment, operation for
 * operation, so that results are bit-exact (plain int32 adds, SaturatingRoundingDoublingHighMul
 * for products, saturating or rounding power-of-two rescales).
 */
#ifndef TINYENGINE_TE_FIXEDPOINT_H
#define TINYENGINE_TE_FIXEDPOINT_H

#include <stdint.h>

#include "tinyengine/te_requantize.h"

/* Short local names for the two primitives of te_requantize.h. */
#define TE_FP_MUL(a, b) te_saturating_rounding_doubling_high_mul((a), (b))
#define TE_FP_RDIV(x, e) te_rounding_divide_by_pot((x), (e))

/** Count of leading zero bits of a 32-bit value (32 for zero). */
static inline int32_t te_clz32(uint32_t x)
{
#if defined(__GNUC__)
    return x == 0u ? 32 : __builtin_clz(x);
#else
    int32_t n = 0;
    if (x == 0u) {
        return 32;
    }
    while ((x & 0x80000000u) == 0u) {
        x <<= 1;
        ++n;
    }
    return n;
#endif
}

/** gemmlowp SaturatingRoundingMultiplyByPOT for exponent >= 0 (a saturating left shift). */
static inline int32_t te_fp_saturating_shl(int32_t x, int32_t exponent)
{
    int32_t threshold;
    if (exponent == 0) {
        return x;
    }
    threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/** gemmlowp RoundingHalfSum: (a + b) / 2 rounded to nearest. */
static inline int32_t te_fp_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/** Saturating int32 add and subtract (TFLite SaturatingAddNonGemmlowp / SaturatingSub). */
static inline int32_t te_fp_saturating_add(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a + (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

static inline int32_t te_fp_saturating_sub(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a - (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/** Wrapping int32 add/sub, as gemmlowp's plain FixedPoint operators (no UB in C). */
static inline int32_t te_fp_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t te_fp_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl (Q0 in, Q0 out). */
static inline int32_t te_fp_exp_on_interval_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668;     /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;  /* 1/3 */
    const int32_t x = te_fp_add(a, (int32_t)1 << 28); /* a + 1/8 */
    const int32_t x2 = TE_FP_MUL(x, x);
    const int32_t x3 = TE_FP_MUL(x2, x);
    const int32_t x4 = TE_FP_MUL(x2, x2);
    const int32_t x4_over_4 = TE_FP_RDIV(x4, 2);
    const int32_t poly = TE_FP_RDIV(te_fp_add(TE_FP_MUL(te_fp_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return te_fp_add(constant_term, TE_FP_MUL(constant_term, te_fp_add(x, poly)));
}

/** gemmlowp exp_on_negative_values for a Q5 input (Q5.26), result in Q0.31. */
static inline int32_t te_fp_exp_on_negative_values_q5(int32_t a)
{
    enum { kIntegerBits = 5, kFractionalBits = 26 };
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                           39332535,   720401,     242};
    const int32_t one_quarter = (int32_t)1 << (kFractionalBits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = te_fp_sub(a & mask, one_quarter);
    /* Rescale<0> from Q5: a saturating left shift by 5. */
    int32_t result = te_fp_exp_on_interval_quarter(te_fp_saturating_shl(a_mod_quarter_minus_one_quarter, kIntegerBits));
    const int32_t remainder = te_fp_sub(a_mod_quarter_minus_one_quarter, a);
    int32_t exponent;
    for (exponent = -2; exponent <= 4; ++exponent) {
        if (kIntegerBits > exponent && (remainder & ((int32_t)1 << (kFractionalBits + exponent))) != 0) {
            result = TE_FP_MUL(result, multipliers[exponent + 2]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1 (Q0 in, Q0 out), Newton-Raphson in Q2. */
static inline int32_t te_fp_one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = te_fp_rounding_half_sum(a, INT32_MAX);
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    const int32_t one_q2 = (int32_t)1 << 29; /* 1.0 in Q2.29 */
    int32_t x = te_fp_add(constant_48_over_17, TE_FP_MUL(half_denominator, constant_neg_32_over_17));
    int32_t i;
    for (i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x = TE_FP_MUL(half_denominator, x);
        const int32_t one_minus = te_fp_sub(one_q2, half_denominator_times_x);
        x = te_fp_add(x, te_fp_saturating_shl(TE_FP_MUL(x, one_minus), 2));
    }
    /* ExactMulByPot<-1> (Q2 -> Q1, same raw) then Rescale<0>: saturating shift left by 1. */
    return te_fp_saturating_shl(x, 1);
}

/** TFLite GetReciprocal: 1 / x for x in Q(x_integer_digits); returns Q0 and the extra shift. */
static inline int32_t te_fp_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit)
{
    const int32_t headroom_plus_one = te_clz32((uint32_t)x);
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    return te_fp_one_over_one_plus_x(shifted_sum_minus_one);
}

/**
 * TFLite log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>: log(x) for x >= 1 given in Q12,
 * result in Q5 (the only instantiation LOG_SOFTMAX uses).
 */
static inline int32_t te_fp_log_q12_to_q5(int32_t input)
{
    enum { kInputIntegerBits = 12, kAccumIntegerBits = 6 };
    const int32_t log_2 = 1488522236;
    const int32_t sqrt_sqrt_half = 1805811301;
    const int32_t sqrt_half = 1518500250;
    const int32_t one_quarter = 536870912;
    const int32_t alpha_n = 117049297;
    const int32_t alpha_d = 127690142;
    const int32_t alpha_i = 1057819769;
    const int32_t alpha_f = 638450708;
    const int32_t shifted_quarter = TE_FP_RDIV(one_quarter, kAccumIntegerBits); /* Rescale<6> */
    const int32_t z_a = input;
    const int32_t z_a_headroom_plus_1 = te_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = te_fp_saturating_shl(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = te_fp_saturating_shl(TE_FP_MUL(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj = te_fp_saturating_add(
        te_fp_saturating_shl(kInputIntegerBits - z_a_headroom_plus_1, 31 - kAccumIntegerBits), shifted_quarter);
    const int32_t z_b = TE_FP_MUL(z_a, sqrt_half);
    const int32_t z_b_headroom = te_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = te_fp_saturating_shl(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj = te_fp_saturating_sub(
        te_fp_saturating_shl(kInputIntegerBits - z_b_headroom, 31 - kAccumIntegerBits), shifted_quarter);
    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    const int32_t p = te_fp_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = te_fp_sub(r, sqrt_sqrt_half);
    int32_t common_sq;
    int32_t num;
    int32_t denom_minus_one_0;
    int32_t recip_denom;
    int32_t num_scaled;
    q = te_fp_add(q, q);
    common_sq = TE_FP_MUL(q, q);
    num = te_fp_add(TE_FP_MUL(q, r), TE_FP_MUL(TE_FP_MUL(q, common_sq), alpha_n));
    denom_minus_one_0 = te_fp_add(TE_FP_MUL(p, te_fp_add(te_fp_add(alpha_i, q), TE_FP_MUL(alpha_d, common_sq))),
                                  TE_FP_MUL(alpha_f, q));
    recip_denom = te_fp_one_over_one_plus_x(denom_minus_one_0);
    num_scaled = TE_FP_RDIV(num, kAccumIntegerBits); /* Rescale<6> from Q0 */
    /* Q6 sum, then Rescale<5>: saturating shift left by 1. */
    return te_fp_saturating_shl(te_fp_add(TE_FP_MUL(z_pow_2_adj, log_2), TE_FP_MUL(num_scaled, recip_denom)), 1);
}

#endif /* TINYENGINE_TE_FIXEDPOINT_H */

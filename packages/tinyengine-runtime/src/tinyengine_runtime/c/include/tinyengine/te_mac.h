/*
 * tinyengine-runtime: multiply-accumulate helpers shared by the convolution-family kernels
 * (internal, static inline).
 *
 * A "column" is a run of int16 values (int8 activation + input offset, 0 for padding) that is
 * dotted with a row of int8 weights. The Cortex-M DSP path (__ARM_FEATURE_DSP) reads four
 * weights at once, sign-extends them in pairs (bytes 0,2 and 1,3) with SXTB16, and multiplies
 * with SMLAD, so it wants each full group of four column values stored as x0,x2,x1,x3:
 * te_column_prepare() does that reordering (a no-op on the portable path), te_dot_s8_s16()
 * reads columns in that layout. Both paths accumulate the same exact integer sum.
 */
#ifndef TINYENGINE_TE_MAC_H
#define TINYENGINE_TE_MAC_H

#include <stdint.h>

#include "tinyengine/te_requantize.h"
#include "tinyengine/te_types.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif


#if defined(__ARM_FEATURE_DSP)
/* Unaligned, aliasing-safe word loads (Cortex-M4/M7 LDR/LDRH handle unaligned addresses). A
 * memcpy into a local would be the portable spelling, but GCC then keeps those locals on the
 * stack around the ACLE intrinsics. */
typedef int32_t te_unaligned_i32 __attribute__((aligned(1), may_alias));
typedef uint16_t te_unaligned_u16 __attribute__((aligned(1), may_alias));

/** Four int8 values as one word. */
static inline int32_t te_read_s8x4(const int8_t *p)
{
    return *(const te_unaligned_i32 *)(const void *)p;
}

/** Two int16 values as one word. */
static inline int32_t te_read_s16x2(const int16_t *p)
{
    return *(const te_unaligned_i32 *)(const void *)p;
}

/** Two int8 values as the low halfword. */
static inline uint32_t te_read_u8x2(const int8_t *p)
{
    return *(const te_unaligned_u16 *)(const void *)p;
}

/** Rotate right by 8 bits (compiles to ROR), so SXTB16 then picks bytes 1 and 3. */
static inline int32_t te_ror8(int32_t v)
{
    const uint32_t u = (uint32_t)v;
    return (int32_t)((u >> 8) | (u << 24));
}

/** te_sxtb16_ror8(v) as one instruction (SXTB16 with its rotate; GCC does not fold the ROR). */
static inline int32_t te_sxtb16_ror8(int32_t v)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

/** te_sxtab16_ror8(a, v) as one instruction. */
static inline int32_t te_sxtab16_ror8(int32_t a, int32_t v)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
    return r;
}

/** Two int16 lanes both holding value (for SXTAB16 offsets). */
static inline int32_t te_pack_s16x2(int32_t value)
{
    return (int32_t)(((uint32_t)value & 0xFFFFu) | ((uint32_t)value << 16));
}
#endif

/** Reorder a column in place for te_dot_s8_s16 (DSP path: x0,x1,x2,x3 -> x0,x2,x1,x3). */
static inline void te_column_prepare(int16_t *column, int32_t length)
{
#if defined(__ARM_FEATURE_DSP)
    int32_t i;
    for (i = 0; i + 4 <= length; i += 4) {
        const int16_t t = column[i + 1];
        column[i + 1] = column[i + 2];
        column[i + 2] = t;
    }
#else
    (void)column;
    (void)length;
#endif
}

/** acc + sum(weights[i] * column[i]) over length values; column prepared by te_column_prepare. */
static inline int32_t te_dot_s8_s16(const int8_t *weights, const int16_t *column, int32_t length, int32_t acc)
{
    int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; i + 4 <= length; i += 4) {
        const int32_t w = te_read_s8x4(weights + i);
        acc = __smlad(__sxtb16(w), te_read_s16x2(column + i), acc);
        acc = __smlad(te_sxtb16_ror8(w), te_read_s16x2(column + i + 2), acc);
    }
#endif
    for (; i < length; ++i) {
        acc += (int32_t)weights[i] * (int32_t)column[i];
    }
    return acc;
}

/** Two dot products sharing one column: rows w0 and w1 (halves column loads on the DSP path). */
static inline void te_dot2_s8_s16(const int8_t *w0, const int8_t *w1, const int16_t *column, int32_t length,
                                  int32_t *acc0, int32_t *acc1)
{
    int32_t a0 = *acc0;
    int32_t a1 = *acc1;
    int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; i + 4 <= length; i += 4) {
        const int32_t c02 = te_read_s16x2(column + i);
        const int32_t c13 = te_read_s16x2(column + i + 2);
        const int32_t v0 = te_read_s8x4(w0 + i);
        const int32_t v1 = te_read_s8x4(w1 + i);
        a0 = __smlad(__sxtb16(v0), c02, a0);
        a0 = __smlad(te_sxtb16_ror8(v0), c13, a0);
        a1 = __smlad(__sxtb16(v1), c02, a1);
        a1 = __smlad(te_sxtb16_ror8(v1), c13, a1);
    }
#endif
    for (; i < length; ++i) {
        a0 += (int32_t)w0[i] * (int32_t)column[i];
        a1 += (int32_t)w1[i] * (int32_t)column[i];
    }
    *acc0 = a0;
    *acc1 = a1;
}

/**
 * The kernel taps that land inside the input along one axis: indices k in [*first, *last) with
 * 0 <= start + k * dilation < size (start = output position * stride - padding).
 */
static inline void te_tap_range(int32_t start, int32_t dilation, int32_t kernel, int32_t size, int32_t *first,
                                int32_t *last)
{
    int32_t k0 = start < 0 ? (-start + dilation - 1) / dilation : 0;
    int32_t k1 = (size - start + dilation - 1) / dilation;
    k1 = k1 > kernel ? kernel : k1;
    *first = k0 > kernel ? kernel : k0;
    *last = k1 < *first ? *first : k1;
}

/**
 * One output pixel of a convolution: every output channel's dot product of its weight row
 * (filter + oc * length) with the prepared column, plus bias, requantized into out[0..channels).
 */
TE_NOINLINE_HELPER static void te_column_to_channels(const int16_t *column, int32_t length, const int8_t *filter,
                                         const int32_t *bias, int32_t channels, const te_per_channel_quant *quant,
                                         int32_t output_offset, te_activation activation, int8_t *out)
{
    int32_t oc = 0;
    for (; oc + 2 <= channels; oc += 2) {
        int32_t acc0 = bias != NULL ? bias[oc] : 0;
        int32_t acc1 = bias != NULL ? bias[oc + 1] : 0;
        te_dot2_s8_s16(filter + oc * length, filter + (oc + 1) * length, column, length, &acc0, &acc1);
        out[oc] = te_requantize_s8(acc0, quant->multiplier[oc], quant->shift[oc], output_offset, activation);
        out[oc + 1] =
            te_requantize_s8(acc1, quant->multiplier[oc + 1], quant->shift[oc + 1], output_offset, activation);
    }
    for (; oc < channels; ++oc) {
        const int32_t acc = te_dot_s8_s16(filter + oc * length, column, length, bias != NULL ? bias[oc] : 0);
        out[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], output_offset, activation);
    }
}

#endif /* TINYENGINE_TE_MAC_H */

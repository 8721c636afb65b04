/*
 * QUANTIZE float32 -> int8: TFLite's reference AffineQuantize, round(x / scale) + zero_point with
 * the division in float32 and rounding half away from zero, saturated to int8.
 *
 * Cortex-M with a single-precision FPU: u = VCVT.S16.F32 #1 (r * 2 truncated toward zero,
 * saturated to int16, exact: no rounding before the truncation) gives round-half-away as
 * floor((u + [u >= 0]) / 2) = (u + 1 + (u >> 31)) >> 1; the zero point enters doubled before
 * the halving and SSAT #8 with ASR #1 halves and saturates. Per four elements: one VLDM, four
 * VDIV and VCVT, two VMOV (two registers each), four ADD, ADD, SSAT, STRB. Out-of-range values saturate; NaN converts to 0, giving the zero point,
 * like the portable path.
 */
#include "tinyengine/te_float.h"
#include "tinyengine/te_quantize.h"

#if defined(__ARM_FP) && (__ARM_FP & 4) && defined(__ARM_FEATURE_SAT)
#include <arm_acle.h>
#define TE_QUANTIZE_VCVT 1
#endif

#if defined(TE_QUANTIZE_VCVT)
/* The int8 of u = trunc(2 r) (saturated to int16); k = 2 zero_point + 1. */
static inline int8_t te_quantize_finish(int32_t u, int32_t k)
{
    return (int8_t)__ssat((u + k + (u >> 31)) >> 1, 8);
}

static inline int8_t te_quantize_one(float x, float scale, int32_t k)
{
    float r = x / scale;
    int32_t u;
    /* r * 2 to a signed 16-bit fixed-point value in place, rounded toward zero, sign-extended. */
    __asm__("vcvt.s16.f32 %0, %0, #1" : "+t"(r));
    __builtin_memcpy(&u, &r, sizeof(u));
    return te_quantize_finish(u, k);
}

/* Four elements: one VLDM of four floats (s8-s11), four VDIV and VCVT in place, two VMOVs of
 * two registers each; then four integer finishes. Returns the input pointer past them. */
static inline const float *te_quantize_four(const float *in, float scale, int32_t k, int8_t *out)
{
    int32_t u0, u1, u2, u3;
    __asm__ volatile("vldmia %[in]!, {s8-s11}\n\t"
                     "vdiv.f32 s8, s8, %[scale]\n\t"
                     "vdiv.f32 s9, s9, %[scale]\n\t"
                     "vdiv.f32 s10, s10, %[scale]\n\t"
                     "vdiv.f32 s11, s11, %[scale]\n\t"
                     "vcvt.s16.f32 s8, s8, #1\n\t"
                     "vcvt.s16.f32 s9, s9, #1\n\t"
                     "vcvt.s16.f32 s10, s10, #1\n\t"
                     "vcvt.s16.f32 s11, s11, #1\n\t"
                     "vmov %[u0], %[u1], s8, s9\n\t"
                     "vmov %[u2], %[u3], s10, s11"
                     : [in] "+r"(in), [u0] "=r"(u0), [u1] "=r"(u1), [u2] "=r"(u2), [u3] "=r"(u3)
                     : [scale] "t"(scale)
                     : "s8", "s9", "s10", "s11", "memory");
    out[0] = te_quantize_finish(u0, k);
    out[1] = te_quantize_finish(u1, k);
    out[2] = te_quantize_finish(u2, k);
    out[3] = te_quantize_finish(u3, k);
    return in;
}
#else
static inline int8_t te_quantize_one(float x, float scale, int32_t zero_point)
{
    const float r = x / scale;
    int32_t v;
    /* Out-of-range values saturate (TFLite's int32 cast is undefined there; NaN -> zero point). */
    if (r >= 512.0f) {
        v = 127;
    } else if (r <= -512.0f) {
        v = -128;
    } else if (r != r) {
        v = zero_point;
    } else {
        v = te_round_f32(r) + zero_point;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
    }
    return (int8_t)v;
}
#endif

te_status te_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output)
{
    int32_t i;
#if defined(TE_QUANTIZE_VCVT)
    const int32_t k = 2 * zero_point + 1;
#else
    const int32_t k = zero_point;
#endif
    if (input == NULL || output == NULL || size < 0 || !(scale > 0.0f) || zero_point < -128 || zero_point > 127) {
        return TE_ERROR_ARGUMENT;
    }
    /* In place (output == input) is safe: int8 element i is written after float element i is read. */
    i = 0;
#if defined(TE_QUANTIZE_VCVT)
    for (; i + 4 <= size; i += 4) {
        input = te_quantize_four(input, scale, k, output + i);
    }
    input -= i;
#endif
    for (; i < size; ++i) {
        output[i] = te_quantize_one(input[i], scale, k);
    }
    return TE_OK;
}

/*
 * ADD (int8, same shapes) through te-gen's per-operator table (see te_elementwise.h): one table
 * load and one shifted add give TFLite's raw sum, doubled; the output requantization of te_add_s8
 * follows.
 *
 * Fast loop (output shift in [-22, -1], multiplier >= 0, full int8 activation range: the residual
 * ADDs of the zoo): te_requant2 of te_requantize.h on the doubled sum (output offset folded in),
 * then SSAT. Per element: LDRB, LDRSB, LDR (table), ADD (linear << 20), ADD, SMMLAR, ASR, SSAT,
 * STRB; four elements per loop pass on the DSP path. Other parameters take the general
 * requantization of raw.
 */
#include "tinyengine/te_elementwise.h"
#include "tinyengine/te_requantize.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

/* The linear input's doubled scaled value: q << 20 (TFLite's 20-bit left shift times 1/2, doubled). */
#define TE_ADD_LINEAR_SHIFT2 20

/* 2 * raw: the table entry plus the doubled linear part. */
static inline int32_t te_add_table_raw2(const int32_t *table, int8_t t, int8_t l)
{
    return (int32_t)((uint32_t)table[(uint8_t)t] + ((uint32_t)(int32_t)l << TE_ADD_LINEAR_SHIFT2));
}

static inline int8_t te_add_table_sat(int32_t v)
{
#if defined(__ARM_FEATURE_DSP)
    return (int8_t)__ssat(v, 8);
#else
    return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
#endif
}

#if defined(__ARM_FEATURE_DSP)
/*
 * Two elements of the fast loop, pointers advanced: te_add_table_raw2, te_requant2, SSAT and the
 * store, scheduled pairwise (GCC's own schedule spends extra moves and index registers).
 * Registers: a, b = table index, then 2 raw, then the output; x, y = linear input, then the
 * te_requant2 rounding term round + (2 raw asr 31).
 */
static inline void te_add_table_pair(const int32_t *table, const int8_t **t, const int8_t **l, int8_t **out,
                                     int32_t m, int32_t round, int32_t e)
{
    int32_t a;
    int32_t b;
    int32_t x;
    int32_t y;
    __asm__ volatile("ldrb %[a], [%[t]], #1\n\t"
                     "ldrsb %[x], [%[l]], #1\n\t"
                     "ldrb %[b], [%[t]], #1\n\t"
                     "ldrsb %[y], [%[l]], #1\n\t"
                     "ldr %[a], [%[table], %[a], lsl #2]\n\t"
                     "ldr %[b], [%[table], %[b], lsl #2]\n\t"
                     "add %[a], %[a], %[x], lsl #20\n\t"
                     "add %[b], %[b], %[y], lsl #20\n\t"
                     "add %[x], %[round], %[a], asr #31\n\t"
                     "add %[y], %[round], %[b], asr #31\n\t"
                     "smmlar %[a], %[a], %[m], %[x]\n\t"
                     "smmlar %[b], %[b], %[m], %[y]\n\t"
                     "asr %[a], %[a], %[e]\n\t"
                     "asr %[b], %[b], %[e]\n\t"
                     "ssat %[a], #8, %[a]\n\t"
                     "ssat %[b], #8, %[b]\n\t"
                     "strb %[a], [%[out]], #1\n\t"
                     "strb %[b], [%[out]], #1"
                     : [a] "=&r"(a), [b] "=&r"(b), [x] "=&r"(x), [y] "=&r"(y), [t] "+r"(*t), [l] "+r"(*l),
                       [out] "+r"(*out)
                     : [table] "r"(table), [m] "r"(m), [round] "r"(round), [e] "r"(e)
                     : "memory");
}
#endif

te_status te_add_table_s8(const te_add_table_params *params, const int32_t *table, int32_t size,
                          const int8_t *table_input, const int8_t *linear_input, int8_t *output)
{
    const te_add_table_params p = *params; /* int8 stores may alias *params */
    int32_t i = 0;
    if (table == NULL || table_input == NULL || linear_input == NULL || output == NULL || size < 0) {
        return TE_ERROR_ARGUMENT;
    }
    if (te_requant2_applies(p.output_multiplier, p.output_shift) && p.activation.min <= -128 &&
        p.activation.max >= 127) {
        const int32_t round = te_requant2_round(p.output_shift, p.output_offset);
        const int32_t e = -p.output_shift;
        const int32_t m = p.output_multiplier;
        const int8_t *t = table_input;
        const int8_t *l = linear_input;
        int8_t *out = output;
#if defined(__ARM_FEATURE_DSP)
        const int8_t *const quads_end = table_input + (size & ~3);
        while (t != quads_end) {
            te_add_table_pair(table, &t, &l, &out, m, round, e);
            te_add_table_pair(table, &t, &l, &out, m, round, e);
        }
        i = size & ~3;
#endif
        for (; i < size; ++i) {
            *out++ = te_add_table_sat(te_requant2(te_add_table_raw2(table, *t++, *l++), m, round, e));
        }
        return TE_OK;
    }
    for (; i < size; ++i) {
        const int32_t raw = te_add_table_raw2(table, table_input[i], linear_input[i]) >> 1; /* even: exact */
        output[i] = te_requantize_s8(raw, p.output_multiplier, p.output_shift, p.output_offset, p.activation);
    }
    return TE_OK;
}

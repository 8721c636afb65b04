/* MEAN over H and W (int8): TFLite's reference QuantizedMeanOrSum (compute_sum = false). */
#include <string.h>

#include "tinyengine/te_fixedpoint.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pooling.h"

/* Sums over the count = H * W pixels of channels [c, c + 4). The DSP path accumulates four
 * channels at once in 16-bit lanes (SXTAB16), flushing to 32 bits every 256 pixels. */
static void te_mean_sum4(const int8_t *base, int32_t count, int32_t channels, int32_t sum[4])
{
    int32_t k;
    int32_t i = 0;
    for (k = 0; k < 4; ++k) {
        sum[k] = 0;
    }
#if defined(__ARM_FEATURE_DSP)
    while (i < count) {
        const int32_t stop = count - i > 256 ? i + 256 : count;
        int32_t s02 = 0;
        int32_t s13 = 0;
        for (; i < stop; ++i) {
            const int32_t v = te_read_s8x4(base + i * channels);
            s02 = __sxtab16(s02, v);
            s13 = te_sxtab16_ror8(s13, v);
        }
        sum[0] += (int16_t)s02;
        sum[1] += (int16_t)s13;
        sum[2] += s02 >> 16;
        sum[3] += s13 >> 16;
    }
#else
    for (; i < count; ++i) {
        for (k = 0; k < 4; ++k) {
            sum[k] += base[i * channels + k];
        }
    }
#endif
}

/* The output requantization of one MEAN, prepared once: te_requant2 (doubled sum, output offset
 * folded) when it applies, else the general MultiplyByQuantizedMultiplier. */
typedef struct {
    int32_t count;
    int32_t input_offset;
    int32_t multiplier;
    int32_t shift;
    int32_t output_offset;
    int32_t fast;
    int32_t round;
} te_mean_requant;

/* The general requantization, out of line (rare: te_requant2 covers the usual scales). */
TE_NOINLINE static int32_t te_mean_general(const te_mean_requant *q, int32_t shifted_sum)
{
    return te_multiply_by_quantized_multiplier(shifted_sum, q->multiplier, q->shift) + q->output_offset;
}

static inline int8_t te_mean_output(const te_mean_requant *q, int32_t sum)
{
    const int32_t shifted_sum = sum + q->input_offset * q->count;
    int32_t v;
    if (q->fast) {
        v = te_requant2(2 * shifted_sum, q->multiplier, q->round, -q->shift);
    } else {
        v = te_mean_general(q, shifted_sum);
    }
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    return (int8_t)v;
}

te_status te_mean_hw_s8(const te_mean_params *params, const te_dims *input_dims, const int8_t *input,
                        int8_t *output)
{
    int32_t count;
    int32_t bits;
    int32_t multiplier;
    int32_t shift;
    int32_t n, c;
    te_mean_requant q;
    if (params == NULL || input_dims == NULL || input == NULL || output == NULL || input_dims->n < 1 ||
        input_dims->h < 1 || input_dims->w < 1 || input_dims->c < 1) {
        return TE_ERROR_ARGUMENT;
    }
    count = input_dims->h * input_dims->w;
    /* Fold 1 / count into the multiplier as TFLite does: shift by floor(log2(count)), capped so
     * that the product fits and the final shift stays >= -31. */
    bits = 31 - te_clz32((uint32_t)count);
    bits = bits < 32 ? bits : 32;
    bits = bits < 31 + params->shift ? bits : 31 + params->shift;
    bits = bits > 0 ? bits : 0;
    multiplier = (int32_t)(((int64_t)params->multiplier << bits) / count);
    shift = params->shift - bits;
    q.count = count;
    q.input_offset = params->input_offset;
    q.multiplier = multiplier;
    q.shift = shift;
    q.output_offset = params->output_offset;
    /* te_requant2 needs |sum + input_offset * count| < 2^30: |q + offset| <= 255 per value. */
    q.fast = te_requant2_applies(multiplier, shift) && count < (1 << 21);
    q.round = q.fast ? te_requant2_round(shift, params->output_offset) : 0;
    if (input_dims->c == 1) { /* one channel (a MEAN over the innermost axis): contiguous sums */
        const int32_t total = input_dims->n;
        for (n = 0; n < total; ++n) {
            int32_t sum = 0;
            int32_t i;
            for (i = 0; i < count; ++i) {
                sum += *input++;
            }
            *output++ = te_mean_output(&q, sum);
        }
        return TE_OK;
    }
    for (n = 0; n < input_dims->n; ++n) {
        const int8_t *base = input + n * count * input_dims->c;
        c = 0;
        for (; c + 4 <= input_dims->c; c += 4) {
            int32_t sum[4];
            int32_t k;
            te_mean_sum4(base + c, count, input_dims->c, sum);
            for (k = 0; k < 4; ++k) {
                *output++ = te_mean_output(&q, sum[k]);
            }
        }
        for (; c < input_dims->c; ++c) {
            int32_t sum = 0;
            int32_t i;
            for (i = 0; i < count; ++i) {
                sum += base[i * input_dims->c + c];
            }
            *output++ = te_mean_output(&q, sum);
        }
    }
    return TE_OK;
}

/*
 * int8 FULLY_CONNECTED, per-tensor and per-channel weights: one dot product per (batch, output)
 * of (input + input_offset) with (weights + filter_offset), plus bias, requantized.
 * The DSP path adds the offsets and multiplies two pairs per step with SXTAB16 + SMLAD, two
 * outputs per pass so that every input word feeds four SMLADs.
 * te_fully_connected_packed_s8 (te-gen's packed weights, input offset folded into the bias):
 * rows in pairs sharing every SMLAD (one row's weights + 128 in the low byte of an int16 halfword,
 * the other's in the high byte), four rows per pass: 16 instructions per 16 MACs, 2 per 64 for the loop.
 * Requantization rounds once (TFLite's FULLY_CONNECTED does; CONV_2D rounds twice).
 */
#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_mac.h"

TE_NOINLINE static int32_t te_fc_dot(const int8_t *x, const int8_t *w, int32_t length, int32_t input_offset,
                         int32_t filter_offset, int32_t acc)
{
    int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
    const int32_t in2 = te_pack_s16x2(input_offset);
    const int32_t w2 = te_pack_s16x2(filter_offset);
    for (; i + 4 <= length; i += 4) {
        const int32_t xv = te_read_s8x4(x + i);
        const int32_t wv = te_read_s8x4(w + i);
        acc = __smlad(__sxtab16(in2, xv), __sxtab16(w2, wv), acc);
        acc = __smlad(te_sxtab16_ror8(in2, xv), te_sxtab16_ror8(w2, wv), acc);
    }
#endif
    for (; i < length; ++i) {
        acc += ((int32_t)x[i] + input_offset) * ((int32_t)w[i] + filter_offset);
    }
    return acc;
}

#if defined(__ARM_FEATURE_DSP)
/* Two outputs (rows w0, w1) sharing every input word: acc[0] += x . w0, acc[1] += x . w1. */
TE_NOINLINE static void te_fc_dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t length,
                                   int32_t input_offset, int32_t filter_offset, int32_t acc[2])
{
    const int32_t in2 = te_pack_s16x2(input_offset);
    const int32_t f2 = te_pack_s16x2(filter_offset);
    int32_t a0 = acc[0];
    int32_t a1 = acc[1];
    int32_t i = 0;
    for (; i + 4 <= length; i += 4) {
        const int32_t xv = te_read_s8x4(x + i);
        const int32_t v0 = te_read_s8x4(w0 + i);
        const int32_t v1 = te_read_s8x4(w1 + i);
        const int32_t xe = __sxtab16(in2, xv);
        const int32_t xo = te_sxtab16_ror8(in2, xv);
        a0 = __smlad(xe, __sxtab16(f2, v0), a0);
        a0 = __smlad(xo, te_sxtab16_ror8(f2, v0), a0);
        a1 = __smlad(xe, __sxtab16(f2, v1), a1);
        a1 = __smlad(xo, te_sxtab16_ror8(f2, v1), a1);
    }
    for (; i < length; ++i) {
        const int32_t xi = (int32_t)x[i] + input_offset;
        a0 += xi * ((int32_t)w0[i] + filter_offset);
        a1 += xi * ((int32_t)w1[i] + filter_offset);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif

/* One requantized FULLY_CONNECTED output (single rounding), any shift: out of line (rare: a real
 * multiplier of 1/2 or more, or below 2^-32). */
TE_NOINLINE static int8_t te_fc_out_general(const te_fully_connected_params *params, int32_t acc,
                                            int32_t multiplier, int32_t shift)
{
    const int32_t scaled = te_multiply_by_quantized_multiplier_single_round(acc, multiplier, shift);
    return te_offset_clamp_s8(scaled, params->output_offset, params->activation);
}

/*
 * te_multiply_by_quantized_multiplier_single_round for shift in [-32, -1] (total shift t = 31 - shift
 * in [32, 63]) plus the output offset: x * m + 2^(t-1) is one SMLAL onto a constant (no saturation
 * can occur: the product is below 2^62), the high word shifted right by e = t - 32. The constant's
 * words: hi = 2^e / 2, lo = 2^31 when e = 0 (LSL, LSR, LSL, no branch).
 */
static inline int32_t te_fcp_requant(int32_t x, int32_t multiplier, int32_t shift, int32_t output_offset)
{
    const int32_t e = -shift - 1;
    const uint32_t one = 1u << e;
    const int64_t k = (int64_t)(((uint64_t)(one >> 1) << 32) | (uint32_t)(one << 31));
    return ((int32_t)(((int64_t)x * (int64_t)multiplier + k) >> 32) >> e) + output_offset;
}

/* One requantized output: te_fcp_requant for shifts in [-32, -1], else te_fc_out_general. offset,
 * lo, hi: p's output offset and clamp, passed as values (int8 stores may alias *p). */
static inline int8_t te_fc_out(const te_fully_connected_params *p, int32_t offset, int32_t lo, int32_t hi,
                               int32_t acc, int32_t multiplier, int32_t shift)
{
    int32_t v;
    if ((uint32_t)(shift + 32) > 31u) {
        return te_fc_out_general(p, acc, multiplier, shift);
    }
    v = te_fcp_requant(acc, multiplier, shift, offset);
#if defined(__ARM_FEATURE_DSP)
    v = __ssat(v, 8);
    if (lo <= -128 && hi >= 127) { /* SSAT alone clamps */
        return (int8_t)v;
    }
#endif
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* Shared body: quant_step is 1 for per-channel arrays, 0 for one per-tensor value. */
static te_status te_fc_run(const te_fully_connected_params *params, const int32_t *multiplier, const int32_t *shift,
                           int32_t quant_step, const te_fully_connected_dims *dims, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t offset = params->output_offset;
    const int32_t lo = params->activation.min;
    const int32_t hi = params->activation.max;
    int32_t b;
    if (dims->batches < 1 || dims->in_features < 1 || dims->out_features < 1) {
        return TE_ERROR_ARGUMENT;
    }
    for (b = 0; b < dims->batches; ++b) {
        const int8_t *x = input + (size_t)b * (size_t)dims->in_features;
        int32_t o = 0;
#if defined(__ARM_FEATURE_DSP)
        for (; o + 2 <= dims->out_features; o += 2) {
            const int8_t *w = filter + (size_t)o * (size_t)dims->in_features;
            int32_t acc[2];
            acc[0] = bias != NULL ? bias[o] : 0;
            acc[1] = bias != NULL ? bias[o + 1] : 0;
            te_fc_dot2(x, w, w + dims->in_features, dims->in_features, params->input_offset, params->filter_offset,
                       acc);
            *output++ = te_fc_out(params, offset, lo, hi, acc[0], multiplier[o * quant_step], shift[o * quant_step]);
            *output++ = te_fc_out(params, offset, lo, hi, acc[1], multiplier[(o + 1) * quant_step],
                                  shift[(o + 1) * quant_step]);
        }
#endif
        for (; o < dims->out_features; ++o) {
            const int8_t *w = filter + (size_t)o * (size_t)dims->in_features;
            const int32_t acc = te_fc_dot(x, w, dims->in_features, params->input_offset, params->filter_offset,
                                          bias != NULL ? bias[o] : 0);
            *output++ = te_fc_out(params, offset, lo, hi, acc, multiplier[o * quant_step], shift[o * quant_step]);
        }
    }
    return TE_OK;
}

#if !defined(__ARM_FEATURE_DSP)
/* Portable: the DSP path's sums (acc[2p] = m, acc[2p + 1] = c) for `pairs` pairs of rows; with one
 * pair, acc[2] += sum(x). */
static const int8_t *te_fcp_rows_c(const int8_t *x, const int8_t *w, int32_t groups, int32_t pairs, uint32_t *acc)
{
    int32_t k, p, h, lane;
    for (k = 0; k < groups; ++k, x += 4) {
        if (pairs == 1) {
            acc[2] += (uint32_t)(x[0] + x[1] + x[2] + x[3]);
        }
        for (p = 0; p < pairs; ++p) {
            for (h = 0; h < 2; ++h, w += 4) {
                for (lane = 0; lane < 2; ++lane) {
                    const int32_t xi = x[h + 2 * lane];
                    const int32_t hi = w[2 * lane + 1];
                    acc[2 * p] += (uint32_t)(xi * (256 * hi + (int32_t)(uint8_t)w[2 * lane]));
                    acc[2 * p + 1] += (uint32_t)(xi * hi);
                }
            }
        }
    }
    return w;
}
#endif

/*
 * Packed weights (te_fully_connected_packed_s8). Rows go in pairs (lo, hi); one int32 word holds
 * two inputs i, j of a pair, bytes [w[lo][i] ^ 0x80, w[hi][i], w[lo][j] ^ 0x80, w[hi][j]]: its
 * int16 halves are 256 * w[hi] + (w[lo] + 128). With (x_i, x_j) as an int16 pair,
 *   m += SMLAD(x, word)                  = x . (256 * w[hi] + w[lo] + 128)
 *   c += SMLAD(x, SXTB16(word, ROR #8))  = x . w[hi]
 * so that row hi = c and row lo = m - 256 * c - 128 * sum(x), all exact modulo 2^32 (int32
 * wrapping, as TFLite's accumulator): 3 instructions per 4 MACs. Per group of four inputs
 * 4k..4k+3, a pair has two words: inputs (4k, 4k+2) then (4k+1, 4k+3), which match the int16
 * pairs SXTB16 makes of the input word ((x0, x2) and, with ROR #8, (x1, x3)).
 * acc[] holds m, c per pair; the caller starts m at bias[lo] - 128 * sum(x) + 256 * bias[hi].
 */
#if defined(__ARM_FEATURE_DSP)
/* One pair's two words wa, wb (destroyed): 6 instructions, 8 MACs. */
#define TE_FCP_PAIR(wa, wb, m, c)                                                                   \
    "smlad %[" m "], %[xe], %[" wa "], %[" m "]\n\t"                                                \
    "sxtb16 %[" wa "], %[" wa "], ror #8\n\t"                                                       \
    "smlad %[" c "], %[xe], %[" wa "], %[" c "]\n\t"                                                \
    "smlad %[" m "], %[xo], %[" wb "], %[" m "]\n\t"                                                \
    "sxtb16 %[" wb "], %[" wb "], ror #8\n\t"                                                       \
    "smlad %[" c "], %[xo], %[" wb "], %[" c "]\n\t"
/* Four input bytes into (x0, x2) = xe and (x1, x3) = xo, the input pointer advanced. */
#define TE_FCP_INPUT                                                                                \
    "ldr %[xo], [%[xp]], #4\n\t"                                                                    \
    "sxtb16 %[xe], %[xo]\n\t"                                                                       \
    "sxtb16 %[xo], %[xo], ror #8\n\t"
/* One group of four rows: LDM of the group's four words (r8..r11), two pairs. 16 instructions,
 * 16 MACs. */
#define TE_FCP_GROUP4                                                                               \
    "ldm %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" TE_FCP_INPUT TE_FCP_PAIR("w0", "w1", "m0", "c0")   \
        TE_FCP_PAIR("w2", "w3", "m1", "c1")
#endif

/* `rows` (4: two pairs, or 2: one pair) over `groups` >= 1 groups; acc[] = m, c per pair (with
 * two rows, acc[2] += sum(x) instead). Returns the weights after them. */
static inline const int8_t *te_fcp_rows(const int8_t *x, const int8_t *w, int32_t groups, int32_t rows,
                                       uint32_t acc[4])
{
#if defined(__ARM_FEATURE_DSP)
    register int32_t w0 __asm__("r8"); /* LDM wants its registers ascending */
    register int32_t w1 __asm__("r9");
    register int32_t w2 __asm__("r10");
    register int32_t w3 __asm__("r11");
    uint32_t m0 = acc[0], c0 = acc[1], m1 = acc[2], c1 = acc[3];
    const int8_t *const x_end = x + 4 * groups;
    int32_t xe, xo;
    if (rows == 4) {
        /* Four groups per pass; a count of 4q + r (r > 0) enters at the (5 - r)th. xe holds
         * 4 * r first. */
        __asm__ volatile("sub %[xe], %[xend], %[xp]\n\t"
                         "ands %[xe], %[xe], #12\n\t"
                         "beq 1f\n\t"
                         "cmp %[xe], #8\n\t"
                         "beq 3f\n\t"
                         "bhi 2f\n\t"
                         "b 4f\n"
                         "1:\n\t" TE_FCP_GROUP4 "2:\n\t" TE_FCP_GROUP4 "3:\n\t" TE_FCP_GROUP4 "4:\n\t" TE_FCP_GROUP4
                         "cmp %[xp], %[xend]\n\t"
                         "bne 1b\n\t"
                         : [m0] "+r"(m0), [c0] "+r"(c0), [m1] "+r"(m1), [c1] "+r"(c1), [xp] "+r"(x), [wp] "+r"(w),
                           [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2),
                           [w3] "=&r"(w3)
                         : [xend] "r"(x_end)
                         : "cc", "memory");
    } else {
        /* One pair, and m1 += sum(x) (layers of two or three rows need no separate pass for it):
         * 13 instructions per 8 MACs, the loop included. */
        __asm__ volatile("1:\n\t"
                         "ldrd %[w0], %[w1], [%[wp]], #8\n\t" TE_FCP_INPUT TE_FCP_PAIR("w0", "w1", "m0", "c0")
                         "smlad %[m1], %[xe], %[ones], %[m1]\n\t"
                         "smlad %[m1], %[xo], %[ones], %[m1]\n\t"
                         "cmp %[xp], %[xend]\n\t"
                         "bne 1b\n\t"
                         : [m0] "+r"(m0), [c0] "+r"(c0), [m1] "+r"(m1), [xp] "+r"(x), [wp] "+r"(w), [xe] "=&r"(xe),
                           [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1)
                         : [xend] "r"(x_end), [ones] "r"(0x00010001)
                         : "cc", "memory");
    }
    acc[0] = m0;
    acc[1] = c0;
    acc[2] = m1;
    acc[3] = c1;
    return w;
#else
    return te_fcp_rows_c(x, w, groups, rows / 2, acc);
#endif
}

/* sum(x[0..n)), n % 4 == 0 (DSP: USADA8 of the bytes + 128, 8 instructions per 8 inputs). */
TE_NOINLINE static int32_t te_fcp_input_sum(const int8_t *x, int32_t n)
{
#if defined(__ARM_FEATURE_DSP)
    uint32_t s = 0;
    const int8_t *const x_end = x + n;
    int32_t t0, t1;
    if ((n & 4) != 0) {
        s = __usada8((uint32_t)te_read_s8x4(x) ^ 0x80808080u, 0u, 0u);
        x += 4; /* then a multiple of 8 bytes */
    }
    /* s += (x0..x3 + 128) + (x4..x7 + 128) per pass; t0, t1 the two words */
    if (x != x_end) {
        __asm__ volatile("1:\n\t"
                         "ldr %[t0], [%[xp]], #4\n\t" /* LDR: the input may be unaligned */
                         "ldr %[t1], [%[xp]], #4\n\t"
                         "eor %[t0], %[t0], #0x80808080\n\t"
                         "eor %[t1], %[t1], #0x80808080\n\t"
                         "usada8 %[s], %[t0], %[zero], %[s]\n\t"
                         "usada8 %[s], %[t1], %[zero], %[s]\n\t"
                         "cmp %[xp], %[xend]\n\t"
                         "bne 1b\n\t"
                         : [s] "+r"(s), [xp] "+r"(x), [t0] "=&r"(t0), [t1] "=&r"(t1)
                         : [xend] "r"(x_end), [zero] "r"(0)
                         : "cc", "memory");
    }
    return (int32_t)s - 128 * n;
#else
    int32_t i, s = 0;
    for (i = 0; i < n; ++i) {
        s += x[i];
    }
    return s;
#endif
}

/* One batch's walk over the rows, in memory for te_fcp_block (its multiply loop wants every
 * register). */
typedef struct {
    const int8_t *x;           /* the batch's inputs */
    const int8_t *w;           /* the next block's packed weights */
    const int32_t *bias;       /* the next row's folded bias */
    const int32_t *multiplier; /* the next row's (per channel) or the layer's */
    const int32_t *shift;
    int8_t *out;
    int32_t groups;            /* in_features / 4 */
    int32_t step;              /* 1 per channel, 0 per tensor */
    uint32_t lo_fix;           /* -128 * sum(x) (the lo rows' weights are stored + 128): blocks of 4 */
    const te_fully_connected_params *params;
} te_fcp_job;

/* The next `rows` outputs (4 or 2: pairs of packed rows; 1: a row-major last row). The layer's
 * values are read after the multiply loop (nothing held across it: no spills). */
TE_NOINLINE_ONE_COPY static void te_fcp_block(te_fcp_job *job, int32_t rows)
{
    uint32_t acc[4] = {0, 0, 0, 0};
    const uint32_t *a = acc;
    int32_t r;
    if (rows == 1) {
        acc[0] = (uint32_t)te_fc_dot(job->x, job->w, 4 * job->groups, 0, 0, job->bias[0]);
    } else {
        for (r = 0; r < rows; r += 2) {
            acc[r + 1] = (uint32_t)job->bias[r + 1];
            acc[r] = (uint32_t)job->bias[r] + (rows == 4 ? job->lo_fix : 0u) + (acc[r + 1] << 8);
        }
        job->w = te_fcp_rows(job->x, job->w, job->groups, rows, acc);
        if (rows == 2) { /* the pair loop's sum(x) */
            acc[0] += acc[2] * 0xFFFFFF80u;
            acc[2] = 0;
        }
        for (r = 0; r < rows; r += 2) {
            acc[r] -= acc[r + 1] << 8;
        }
    }
    {
        const te_fully_connected_params *p = job->params;
        const int32_t offset = p->output_offset;
        const int32_t lo = p->activation.min;
        const int32_t hi = p->activation.max;
        const int32_t *multiplier = job->multiplier;
        const int32_t *shift = job->shift;
        const int32_t step = job->step;
        int8_t *out = job->out;
        int8_t *const end = out + rows;
#if defined(__ARM_FEATURE_DSP)
        const int32_t sh = *shift;
        if (step == 0 && (uint32_t)(sh + 32) <= 31u && lo <= -128 && hi >= 127) {
            /* per tensor, whole range: te_fcp_requant's constants once, SSAT clamps */
            const int32_t m = *multiplier;
            const int32_t e = -sh - 1;
            const uint32_t one = 1u << e;
            const int64_t k = (int64_t)(((uint64_t)(one >> 1) << 32) | (uint32_t)(one << 31));
            for (; out != end; ++a) {
                *out++ = (int8_t)__ssat(((int32_t)(((int64_t)(int32_t)*a * m + k) >> 32) >> e) + offset, 8);
            }
        }
#endif
        for (; out != end; ++a, multiplier += step, shift += step) {
            *out++ = te_fc_out(p, offset, lo, hi, (int32_t)*a, *multiplier, *shift);
        }
        job->bias += rows;
        job->multiplier = multiplier;
        job->shift = shift;
        job->out = out;
    }
}

te_status te_fully_connected_packed_s8(const te_fully_connected_params *params, const int32_t *multiplier,
                                       const int32_t *shift, int32_t per_channel,
                                       const te_fully_connected_dims *dims, const int8_t *input,
                                       const int8_t *packed_filter, const int32_t *folded_bias, int8_t *output)
{
    const int32_t n = dims->in_features;
    const int32_t outs = dims->out_features;
    te_fcp_job job;
    int32_t b;
    if (dims->batches < 1 || n < 1 || outs < 1 || n % 4 != 0 || params->filter_offset != 0 || folded_bias == NULL) {
        return TE_ERROR_ARGUMENT;
    }
    job.groups = n / 4;
    job.step = per_channel ? 1 : 0;
    job.params = params;
    job.out = output;
    for (b = 0; b < dims->batches; ++b) {
        int32_t left = outs;
        job.x = input + (size_t)b * (size_t)n;
        job.w = packed_filter;
        job.bias = folded_bias;
        job.multiplier = multiplier;
        job.shift = shift;
        job.lo_fix = outs >= 4 ? (uint32_t)te_fcp_input_sum(job.x, n) * 0xFFFFFF80u : 0u;
        for (; left >= 4; left -= 4) {
            te_fcp_block(&job, 4);
        }
        if ((left & 2) != 0) {
            te_fcp_block(&job, 2);
        }
        if ((left & 1) != 0) {
            te_fcp_block(&job, 1);
        }
    }
    return TE_OK;
}

te_status te_fully_connected_s8(const te_fully_connected_params *params, const te_per_tensor_quant *quant,
                                const te_fully_connected_dims *dims, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output)
{
    return te_fc_run(params, &quant->multiplier, &quant->shift, 0, dims, input, filter, bias, output);
}

te_status te_fully_connected_per_channel_s8(const te_fully_connected_params *params,
                                            const te_per_channel_quant *quant, const te_fully_connected_dims *dims,
                                            const int8_t *input, const int8_t *filter, const int32_t *bias,
                                            int8_t *output)
{
    return te_fc_run(params, quant->multiplier, quant->shift, 1, dims, input, filter, bias, output);
}

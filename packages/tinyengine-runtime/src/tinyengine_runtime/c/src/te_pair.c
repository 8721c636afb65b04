/*
 * tinyengine-runtime: what te_conv_1x1_s8 and the im2col kernels share, one copy in a firmware
 * that links several (declared in te_pair.h): the exact per-pixel loop and, on the Cortex-M path, the
 * three-pixel block's assembly and its exact general requantization.
 */
#include "tinyengine/te_pair.h"

/* te_requantize_s8 in one out-of-line copy (declared in te_pair.h). */
TE_NOINLINE_ONE_COPY
int8_t te_pair_requantize(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                          te_activation activation)
{
    return te_requantize_s8(acc, multiplier, shift, output_offset, activation);
}

/**
 * One output pixel, exact for any quantization: every channel's dot product of its packed row
 * with column[0..length) (input + offset, 0 for padding) plus its bias, requantized into
 * out[0..out_channels).
 */
void te_pair3_pixel_exact(const int16_t *column, int32_t length, const int8_t *filter, int32_t out_channels,
                          int32_t output_offset, te_activation activation, int8_t *out)
{
    const int32_t row = te_pair3_row(length);
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        /* row lo: the low bytes of the halfwords (stored ^ 0x80), row hi: the high bytes */
        const uint8_t *w = (const uint8_t *)filter + (size_t)(oc >> 1) * te_pair3_stride(row) + 8u + (size_t)(oc & 1);
        const uint32_t flip = oc & 1 ? 0u : 0x80u;
        int32_t acc = te_pair3_bias(filter, row, oc);
        int32_t k;
        for (k = 0; k < length; ++k) { /* halfwords k0 k2 k1 k3 of each group: bytes 0, 4, 2, 6 */
            acc += (int32_t)(int8_t)(w[2 * (k & ~3) + (k & 1) * 4 + (k & 2)] ^ flip) * (int32_t)column[k];
        }
        out[oc] = te_pair_requantize(acc, te_pair3_word(filter, row, oc, 1), te_pair3_shift(filter, row, oc),
                                   output_offset, activation);
    }
}

#if defined(TE_PAIR3_ASM)
/* True when the doubled accumulators cannot overflow: |bias| < 2^29 and at most 8192 taps. */
int te_pair3_fits(const int8_t *filter, int32_t length, int32_t out_channels)
{
    const size_t stride = te_pair3_stride(te_pair3_row(length));
    int32_t oc;
    if (length > TE_PAIR3_MAX_LENGTH) {
        return 0;
    }
    /* a pair block at a time (an odd count's zero channel fits): |bias| < 2^29 iff |2 * bias| < 2^30 */
    for (oc = 0; oc < out_channels; oc += 2, filter += stride) {
        const uint32_t w0 = (uint32_t)te_pair3_bias2(filter, 0, 0);
        const uint32_t w1 = (uint32_t)te_pair3_bias2(filter, 0, 1);
        if (w0 + 0x3FFFFFFFu >= 0x7FFFFFFFu || w1 + 0x3FFFFFFFu >= 0x7FFFFFFFu) {
            return 0;
        }
    }
    return 1;
}

/**
 * True when every channel's scale takes te_requant2's form (multiplier >= 0, right shift 1..22),
 * checked a pair block at a time (an odd count's zero channel counts as not).
 */
static int te_pair3_all_requant2(const int8_t *filter, int32_t row, int32_t out_channels)
{
    const size_t stride = te_pair3_stride(row);
    uint32_t bad = 0;
    int32_t oc;
    for (oc = 0; oc < out_channels; oc += 2, filter += stride) {
        const int32_t m0 = te_pair3_word(filter, row, 0, 1);
        const int32_t m1 = te_pair3_word(filter, row, 1, 1);
        const uint32_t e0 = (uint32_t)te_pair3_word(filter, row, 0, 2) - 1u;
        const uint32_t e1 = (uint32_t)te_pair3_word(filter, row, 1, 2) - 1u;
        bad |= (uint32_t)(m0 | m1) | (e0 >= (uint32_t)TE_REQ2_MAX_EXPONENT) << 31 |
               (e1 >= (uint32_t)TE_REQ2_MAX_EXPONENT) << 31;
    }
    return (bad >> 31) == 0;
}

/* The constants of one layer (declared in te_pair.h). */
void te_pair3_setup(const int8_t *filter, int32_t length, int32_t out_channels, int32_t output_offset,
                    te_activation activation, te_pair3_out *q, te_pair3_job *job)
{
    const int32_t row = te_pair3_row(length);
    int folded = 1;
    int unshifted = 1;
    int zero_shift = 0;
    int32_t oc;
    q->filter = filter;
    q->row = row;
    q->output_offset = output_offset;
    q->activation = activation;
    q->general = 0;
    if (te_pair3_all_requant2(filter, row, out_channels)) {
        unshifted = out_channels == 0; /* the common case: te_requant2 applies to every channel */
        oc = out_channels;
    } else {
        oc = 0;
    }
    for (; oc < out_channels; ++oc) {
        const int32_t multiplier = te_pair3_word(filter, row, oc, 1);
        const int32_t shift = te_pair3_shift(filter, row, oc);
        unshifted = unshifted && shift == 0;
        zero_shift = zero_shift || shift == 0;
        if (multiplier < 0 || shift > 0 || shift < -31) {
            q->general = 1;
        } else if (!te_requant2_applies(multiplier, shift)) {
            folded = 0;
        }
    }
    if (unshifted && !q->general) { /* every shift 0: SMMLAR(acc2, m, offset) is SRDHM + offset */
        folded = 0;
    } else if (!folded) { /* te_requant2's rounding term needs e >= 1 on every channel */
        q->general = q->general || zero_shift;
    }
    job->unshifted = unshifted && !q->general;
    job->offset21 = folded ? 2 * output_offset + 1 : 1;
    job->add_offset = folded ? 0 : output_offset;
    job->clamp = activation.min > -128 || activation.max < 127;
    job->dot_only = 0;
    job->subs_left = 0;
    job->slow = job->unshifted || job->add_offset != 0 || job->clamp;
    job->lo2 = te_pack_s8x2(activation.min);
    job->hi2 = te_pack_s8x2(activation.max);
}

/*
 * Every full channel pair of a three-pixel block: accumulators m = the pair's first word and c =
 * 2 * bias[hi], the dot loop, row lo = m + end word - 256 * c,
 * te_requant2 of the six outputs, te_store_s8x2 of the three pixels' byte pairs. Registers: r0
 * column pointer (then scratch), r1 weight pointer (kept across pairs), r2-r4 pixel A, B, C x
 * row lo (m), r5-r7 x row hi (c), r8/r9 the pair's two halfword words (then multipliers, bounds,
 * output strides), r10-r12 three column words (then end words, exponents), lr a rounding term; the
 * frame: see TE_PAIR_ASM_PROLOGUE.
 */
__attribute__((naked, noinline))
void te_pair3_pairs(__attribute__((unused)) te_pair3_job *job)
{
    __asm__ volatile(
        TE_PAIR_ASM_PROLOGUE
        "ldm r0!, {r10, r11, r12}\n\t" TE_PAIR3_ASM_EVEN_FIRST TE_PAIR3_ASM_ODD
        "ldr pc, [sp, #8]\n"
        "4:\n\t" TE_PAIR3_ASM_EVEN TE_PAIR3_ASM_ODD
        "8:\n\t" TE_PAIR3_ASM_EVEN TE_PAIR3_ASM_ODD
        TE_PAIR_ASM_LOOP
        "16:\n\t" TE_PAIR3_ASM_LO
        TE_PAIR_ASM_PLAIN_OR_7 TE_PAIR3_ASM_REQUANT_ALL
        "ldr ip, [sp, #4]\n\t" TE_PAIR_ASM_PACK("r2", "r5") TE_PAIR_ASM_PACK("r3", "r6") TE_PAIR_ASM_PACK("r4", "r7")
        "5:\n\t"
        "ldm ip, {r0, r8, r9, r10}\n\t"
        "strh r3, [r0, r8]\n\t"
        "strh r4, [r0, r9]\n\t"
        "strh r2, [r0], #2\n\t"
        "str r0, [ip]\n\t"
        "cmp r0, r10\n\t"
        "bne 1b\n\t"
        /* every pair done: on to the next sub-block (its column, outputs, the first pair) or return */
        "ldr r2, [ip, #20]\n\t"
        "cbz r2, 18f\n\t"
        "sub r2, r2, #1\n\t"
        "ldrd r3, r4, [ip, #24]\n\t"
        "ldr r5, [ip, #16]\n\t"
        "ldr r6, [ip, #60]\n\t"
        "str r2, [ip, #20]\n\t"
        "add r0, r0, r3\n\t"
        "add r10, r10, r4\n\t"
        "add r5, r5, r6\n\t"
        "str r0, [ip]\n\t"
        "str r10, [ip, #12]\n\t"
        "str r5, [ip, #16]\n\t"
        "ldr r1, [ip, #48]\n\t"
        "b 1b\n"
        "18:\n\t"
        "add sp, sp, #4\n\t"
        "pop {r0, r1, r2, r4-r11, pc}\n"
        "7:\n\t" /* dot only; all shifts 0; the offset after the shift; a narrower activation range */
        "ldr ip, [sp, #4]\n\t"
        "ldr r0, [ip, #72]\n\t"
        "cbz r0, 15f\n\t"
        "add r0, ip, #76\n\t"
        "stm r0, {r2-r7}\n\t"
        "add sp, sp, #4\n\t"
        "pop {r0, r1, r2, r4-r11, pc}\n"
        "15:\n\t" TE_PAIR_ASM_UNSHIFTED
        "smmlar r2, r2, r8, r0\n\t"
        "smmlar r3, r3, r8, r0\n\t"
        "smmlar r4, r4, r8, r0\n\t"
        "smmlar r5, r5, r9, r0\n\t"
        "smmlar r6, r6, r9, r0\n\t"
        "smmlar r7, r7, r9, r0\n\t"
        "b 12f\n"
        "13:\n\t" TE_PAIR3_ASM_REQUANT_ALL
        "ldr ip, [sp, #4]\n\t"
        "ldr r0, [ip, #52]\n\t"
        "add r2, r2, r0\n\t"
        "add r3, r3, r0\n\t"
        "add r4, r4, r0\n\t"
        "add r5, r5, r0\n\t"
        "add r6, r6, r0\n\t"
        "add r7, r7, r0\n"
        "12:\n\t" TE_PAIR_ASM_PACK("r2", "r5") TE_PAIR_ASM_PACK("r3", "r6") TE_PAIR_ASM_PACK("r4", "r7")
            TE_PAIR_ASM_CLAMP_OR_5 TE_PAIR_ASM_CLAMP("r2") TE_PAIR_ASM_CLAMP("r3") TE_PAIR_ASM_CLAMP("r4")
        "b 5b\n\t");
}

/* The outputs of one pixel for channels oc and (pair) oc + 1, from doubled accumulators. */
TE_NOINLINE_ONE_COPY static void te_pair3_store_general(int8_t *out, int32_t acc2_0, int32_t acc2_1, int32_t oc,
                                                        int pair, const te_pair3_out *q)
{
    out[0] = te_pair_requantize(acc2_0 / 2, te_pair3_word(q->filter, q->row, oc, 1),
                              te_pair3_shift(q->filter, q->row, oc), q->output_offset, q->activation);
    if (pair) {
        out[1] = te_pair_requantize(acc2_1 / 2, te_pair3_word(q->filter, q->row, oc + 1, 1),
                                  te_pair3_shift(q->filter, q->row, oc + 1), q->output_offset, q->activation);
    }
}

/*
 * Output pixels A, B, C (their column prepared) for output channels [oc_begin, out_channels), two
 * per pass, requantized by the exact general form: layers with degenerate scales, and the odd last
 * channel. te_pair3_pairs computes each pair's bias and dot products only (job dot_only; the
 * packed filter pads an odd count with a zero channel). filter: channel oc_begin's pair block;
 * row: the row length; out_*: the pixels' first output bytes.
 */
void te_pair3_block_general(const int32_t *column, const int8_t *filter, int32_t row, int32_t oc_begin,
                            int32_t out_channels, const te_pair3_out *q, te_pair3_job *job, int8_t *out_a,
                            int8_t *out_b, int8_t *out_c)
{
    const int32_t slow = job->slow;
    int32_t oc;
    job->slow = 1;
    job->dot_only = 1;
    for (oc = oc_begin; oc < out_channels; oc += 2) {
        const int pair = oc + 1 < out_channels;
        te_pair_job_block(job, column, filter + (size_t)((oc - oc_begin) >> 1) * te_pair3_stride(row), row, out_a + oc,
                          out_b + oc, 2);
        job->to_c = (int32_t)(out_c - out_a);
        te_pair3_pairs(job);
        te_pair3_store_general(out_a + oc, job->acc[0], job->acc[3], oc, pair, q);
        te_pair3_store_general(out_b + oc, job->acc[1], job->acc[4], oc, pair, q);
        te_pair3_store_general(out_c + oc, job->acc[2], job->acc[5], oc, pair, q);
    }
    job->dot_only = 0;
    job->slow = slow;
}
#endif

/*
 * tinyengine-runtime: the three-pixel blocks of te_conv_1x1_s8 and te_conv_3x3_c3_s8 (internal, static).
 *
 * Both kernels read a PACKED filter (te_conv.h): rows of `length` weights (1x1: the input
 * channels; stem: the 27 taps) padded with zeros to row = te_pair3_row(length), in pairs, per
 * group of four weights the first row's four then the second's.
 *
 * The Cortex-M path (TE_PAIR3_ASM) gathers three output pixels A, B, C into one int16 column in
 * scratch: per group of four taps the words
 *   A(t0,t2) B(t0,t2) C(t0,t2) A(t1,t3) B(t1,t3) C(t1,t3),   each lane 2 * (input + offset)
 * (0 for padding and past the last tap; te_pair3_slot gives a tap's place), then a sentinel group
 * (0x7F7F7F7F cannot be a column word: lanes are within +-510). te_pair3_block computes every
 * output channel of the three pixels: full channel pairs in assembly (te_pair3_pairs: one LDRD
 * for the pair's eight weights, one LDM per three column words, every SXTB16'd weight word feeds
 * three SMLADs: 21 instructions per 24 MACs; accumulators start at 2 * bias; te_requant2 in three
 * instructions per output, te_store_s8x2 for a pixel's two bytes), the odd last channel and layers
 * whose scales te_requant2 does not cover in C (te_pair3_block_general: the same loop, the exact
 * general requantization). The doubled accumulators need |bias| < 2^29 and at most 8192 taps
 * (te_pair3_fits); otherwise, in builds without optimisation (the loop needs 14 registers and no
 * frame pointer) and on the portable path the kernels use te_pair3_pixel_exact.
 */
#ifndef TINYENGINE_TE_PAIR_H
#define TINYENGINE_TE_PAIR_H

#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && defined(__OPTIMIZE__)
#define TE_PAIR3_ASM 1
#endif

#define TE_PAIR3_SENTINEL 0x7F7F7F7F
/* Out of line, one copy, and no warning in a file that includes the header without using it. */
#if defined(__GNUC__)
#define TE_PAIR3_HELPER TE_NOINLINE_ONE_COPY __attribute__((unused))
#else
#define TE_PAIR3_HELPER TE_NOINLINE_ONE_COPY
#endif
#define TE_PAIR3_MAX_LENGTH 8192

/** Packed row length: length rounded up to a multiple of four. */
static inline int32_t te_pair3_row(int32_t length)
{
    return (length + 3) & ~3;
}

/**
 * One output pixel, exact for any quantization: every channel's dot product of the packed rows
 * with column[0..length) (input + offset, 0 for padding), requantized into out[0..out_channels).
 */
TE_NOINLINE_HELPER static void te_pair3_pixel_exact(const int16_t *column, int32_t length, const int8_t *filter,
                                                    const int32_t *bias, int32_t out_channels,
                                                    const te_per_channel_quant *quant, int32_t output_offset,
                                                    te_activation activation, int8_t *out)
{
    const int32_t row = te_pair3_row(length);
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        const int8_t *w = filter + (size_t)(oc >> 1) * 2u * (size_t)row + (size_t)(oc & 1) * 4u;
        int32_t acc = bias != NULL ? bias[oc] : 0;
        int32_t k;
        for (k = 0; k < length; ++k) {
            acc += (int32_t)w[(k >> 2) * 8 + (k & 3)] * (int32_t)column[k];
        }
        out[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], output_offset, activation);
    }
}

#if defined(TE_PAIR3_ASM)
/** The int16 index of tap t of pixel p (0..2) in a three-pixel column. */
static inline int32_t te_pair3_slot(int32_t t, int32_t p)
{
    return (t >> 2) * 12 + (t & 1) * 6 + p * 2 + ((t >> 1) & 1);
}

/** Int16 values a three-pixel column of length taps takes, sentinel included (3 * row + 6). */
static inline int32_t te_pair3_column_values(int32_t length)
{
    return 3 * te_pair3_row(length) + 6;
}

/** True when the doubled accumulators cannot overflow: |bias| < 2^29 and at most 8192 taps. */
static inline int te_pair3_fits(const int32_t *bias, int32_t length, int32_t out_channels)
{
    int32_t oc;
    if (length > TE_PAIR3_MAX_LENGTH) {
        return 0;
    }
    for (oc = 0; bias != NULL && oc < out_channels; ++oc) {
        if (bias[oc] >= (1 << 29) || bias[oc] <= -(1 << 29)) {
            return 0;
        }
    }
    return 1;
}

/** The sentinel group after group `groups` of a column (words). */
static inline void te_pair3_end(int32_t *words, int32_t groups)
{
    words += 6 * groups;
    words[0] = TE_PAIR3_SENTINEL;
    words[1] = TE_PAIR3_SENTINEL;
    words[2] = TE_PAIR3_SENTINEL;
}

/*
 * One block of three pixels for te_pair3_pairs (assembly): the fields it advances (bias, multiplier,
 * shift, out, pairs) are set again for every block. Offsets are fixed: see the assembly.
 */
typedef struct {
    const int32_t *column;   /* 0: the block's column */
    const int32_t *bias;     /* 4: the pair's two biases, NULL when none (+8 per pair) */
    const int32_t *multiplier; /* 8: (+8 per pair) */
    const int32_t *shift;    /* 12: (+8 per pair) */
    int8_t *out;             /* 16: pixel A's output of the pair's first channel (+2 per pair) */
    int32_t to_b;            /* 20: pixel B's output - pixel A's */
    int32_t to_c;            /* 24: pixel C's output - pixel A's */
    int32_t pairs;           /* 28: pairs left (>= 1 on entry) */
    int32_t offset21;        /* 32: 2 * output_offset + 1 (te_requant2_round) */
    int32_t clamp;           /* 36: the activation range is narrower than int8 */
    int32_t lo2;             /* 40: te_pack_s8x2(activation.min) */
    int32_t hi2;             /* 44: te_pack_s8x2(activation.max) */
    const int8_t *filter;    /* 48: the packed rows of the first pair */
} te_pair3_job;

typedef char te_pair3_job_layout[(sizeof(te_pair3_job) == 52 && sizeof(void *) == 4) ? 1 : -1];

/*
 * Every full channel pair of one block: accumulators = 2 * bias, the dot loop, te_requant2 of the
 * six outputs, te_store_s8x2 of the three pixels' byte pairs. Registers: r0 column pointer (then
 * scratch), r1 weight pointer (kept across pairs), r2-r4 pixel A, B, C x channel 0, r5-r7 x
 * channel 1, r8/r9 the pair's four weights (then multipliers, shifts, offsets), r10-r12 three
 * column words, lr one SXTB16'd weight word (then a rounding term); [sp] = job.
 */
__attribute__((naked, noinline, unused)) static void te_pair3_pairs(__attribute__((unused)) te_pair3_job *job)
{
    __asm__ volatile(
        "push {r0, r4-r11, lr}\n\t"
        "mov ip, r0\n\t"
        "ldr r1, [ip, #48]\n"
        "1:\n\t" /* next pair: accumulators = 2 * bias */
        "ldr r0, [ip, #4]\n\t"
        "cbz r0, 2f\n\t"
        "ldrd r2, r5, [r0], #8\n\t"
        "str r0, [ip, #4]\n\t"
        "lsls r2, r2, #1\n\t"
        "lsls r5, r5, #1\n\t"
        "b 3f\n"
        "2:\n\t"
        "movs r2, #0\n\t"
        "movs r5, #0\n"
        "3:\n\t"
        "mov r3, r2\n\t"
        "mov r4, r2\n\t"
        "mov r6, r5\n\t"
        "mov r7, r5\n\t"
        "ldr r0, [ip, #0]\n\t"
        "ldm r0!, {r10, r11, r12}\n"
        "4:\n\t" /* four input channels: (k0, k2) then (k1, k3) words of pixels A, B, C */
        "ldrd r8, r9, [r1], #8\n\t"
        "sxtb16 lr, r8\n\t"
        "smlad r2, r10, lr, r2\n\t"
        "smlad r3, r11, lr, r3\n\t"
        "smlad r4, r12, lr, r4\n\t"
        "sxtb16 lr, r9\n\t"
        "smlad r5, r10, lr, r5\n\t"
        "smlad r6, r11, lr, r6\n\t"
        "smlad r7, r12, lr, r7\n\t"
        "ldm r0!, {r10, r11, r12}\n\t"
        "sxtb16 r8, r8, ror #8\n\t"
        "smlad r2, r10, r8, r2\n\t"
        "smlad r3, r11, r8, r3\n\t"
        "smlad r4, r12, r8, r4\n\t"
        "sxtb16 r9, r9, ror #8\n\t"
        "smlad r5, r10, r9, r5\n\t"
        "smlad r6, r11, r9, r6\n\t"
        "smlad r7, r12, r9, r7\n\t"
        "ldm r0!, {r10, r11, r12}\n\t"
        "cmp r10, #0x7F7F7F7F\n\t" /* the sentinel group */
        "bne 4b\n\t"
        /* te_requant2: r8/r9 multipliers, r10/r11 exponents, lr round, ip scratch */
        "ldr ip, [sp]\n\t"
        "ldr r0, [ip, #8]\n\t"
        "ldrd r8, r9, [r0], #8\n\t"
        "str r0, [ip, #8]\n\t"
        "ldr r0, [ip, #12]\n\t"
        "ldrd r10, r11, [r0], #8\n\t"
        "str r0, [ip, #12]\n\t"
        "ldr r0, [ip, #32]\n\t"
        "mvn lr, r10\n\t"
        "lsl lr, r0, lr\n\t"
        "rsb r10, r10, #0\n\t"
        "add ip, lr, r2, asr #31\n\t"
        "smmlar r2, r2, r8, ip\n\t"
        "asr r2, r2, r10\n\t"
        "add ip, lr, r3, asr #31\n\t"
        "smmlar r3, r3, r8, ip\n\t"
        "asr r3, r3, r10\n\t"
        "add ip, lr, r4, asr #31\n\t"
        "smmlar r4, r4, r8, ip\n\t"
        "asr r4, r4, r10\n\t"
        "mvn lr, r11\n\t"
        "lsl lr, r0, lr\n\t"
        "rsb r11, r11, #0\n\t"
        "add ip, lr, r5, asr #31\n\t"
        "smmlar r5, r5, r9, ip\n\t"
        "asr r5, r5, r11\n\t"
        "add ip, lr, r6, asr #31\n\t"
        "smmlar r6, r6, r9, ip\n\t"
        "asr r6, r6, r11\n\t"
        "add ip, lr, r7, asr #31\n\t"
        "smmlar r7, r7, r9, ip\n\t"
        "asr r7, r7, r11\n\t"
        /* te_store_s8x2: (channel 0, channel 1) bytes of each pixel into r2, r3, r4 */
        "ssat r2, #8, r2\n\t"
        "ssat r5, #8, r5\n\t"
        "bfi r2, r5, #8, #8\n\t"
        "ssat r3, #8, r3\n\t"
        "ssat r6, #8, r6\n\t"
        "bfi r3, r6, #8, #8\n\t"
        "ssat r4, #8, r4\n\t"
        "ssat r7, #8, r7\n\t"
        "bfi r4, r7, #8, #8\n\t"
        "ldr ip, [sp]\n\t"
        "ldr r0, [ip, #36]\n\t"
        "cbz r0, 5f\n\t"
        "ldrd r8, r9, [ip, #40]\n\t" /* per byte: max(lo), then min(hi) */
        "ssub8 r0, r2, r8\n\t"
        "sel r2, r2, r8\n\t"
        "ssub8 r0, r9, r2\n\t"
        "sel r2, r2, r9\n\t"
        "ssub8 r0, r3, r8\n\t"
        "sel r3, r3, r8\n\t"
        "ssub8 r0, r9, r3\n\t"
        "sel r3, r3, r9\n\t"
        "ssub8 r0, r4, r8\n\t"
        "sel r4, r4, r8\n\t"
        "ssub8 r0, r9, r4\n\t"
        "sel r4, r4, r9\n"
        "5:\n\t"
        "ldr r0, [ip, #16]\n\t"
        "ldrd r8, r9, [ip, #20]\n\t"
        "strh r2, [r0]\n\t"
        "strh r3, [r0, r8]\n\t"
        "strh r4, [r0, r9]\n\t"
        "adds r0, r0, #2\n\t"
        "str r0, [ip, #16]\n\t"
        "ldr r0, [ip, #28]\n\t"
        "subs r0, r0, #1\n\t"
        "str r0, [ip, #28]\n\t"
        "bne 1b\n\t"
        "pop {r0, r4-r11, pc}\n\t");
}

/* Requantization constants of a layer (the C side of a block). */
typedef struct {
    const int32_t *multiplier;
    const int32_t *shift;
    const int32_t *bias;
    int32_t output_offset;
    te_activation activation;
    int general; /* some channel's scale is outside te_requant2's range */
} te_pair3_out;

/* The outputs of one pixel for channels oc and (pair) oc + 1, from doubled accumulators. */
TE_PAIR3_HELPER static void te_pair3_store_general(int8_t *out, int32_t acc2_0, int32_t acc2_1, int32_t oc, int pair,
                                                   const te_pair3_out *q)
{
    out[0] = te_requantize_s8(acc2_0 / 2, q->multiplier[oc], q->shift[oc], q->output_offset, q->activation);
    if (pair) {
        out[1] = te_requantize_s8(acc2_1 / 2, q->multiplier[oc + 1], q->shift[oc + 1], q->output_offset,
                                  q->activation);
    }
}

/*
 * Output pixels A, B, C (their column prepared) for output channels [oc_begin, out_channels), two
 * per pass, requantized by the exact general form: layers with degenerate scales, and the odd last
 * channel. filter: the packed rows of channel oc_begin's pair; out_*: the pixels' first output bytes.
 */
TE_PAIR3_HELPER static void te_pair3_block_general(const int32_t *column, const int8_t *filter, int32_t oc_begin,
                                                   int32_t out_channels, const te_pair3_out *q, int8_t *out_a,
                                                   int8_t *out_b, int8_t *out_c)
{
    const int8_t *w = filter;
    int32_t oc;
    for (oc = oc_begin; oc < out_channels; oc += 2) {
        const int pair = oc + 1 < out_channels;
        const int32_t *col = column;
        int32_t a0 = q->bias != NULL ? 2 * q->bias[oc] : 0;
        int32_t a1 = q->bias != NULL && pair ? 2 * q->bias[oc + 1] : 0;
        int32_t b0 = a0;
        int32_t b1 = a1;
        int32_t c0 = a0;
        int32_t c1 = a1;
        int32_t w0;
        int32_t w1;
        int32_t t;
        /* LDM fills its registers in ascending order: pa, pb, pc must be too */
        register int32_t pa __asm__("r10");
        register int32_t pb __asm__("r11");
        register int32_t pc __asm__("r12");
        /* the dot loop of te_pair3_pairs (x0 / x1: pixel x's accumulators of the pair's channels) */
        __asm__ volatile(
            "ldm %[col]!, {%[pa], %[pb], %[pc]}\n"
            "1:\n\t"
            "ldrd %[w0], %[w1], [%[w]], #8\n\t"
            "sxtb16 %[t], %[w0]\n\t"
            "smlad %[a0], %[pa], %[t], %[a0]\n\t"
            "smlad %[b0], %[pb], %[t], %[b0]\n\t"
            "smlad %[c0], %[pc], %[t], %[c0]\n\t"
            "sxtb16 %[t], %[w1]\n\t"
            "smlad %[a1], %[pa], %[t], %[a1]\n\t"
            "smlad %[b1], %[pb], %[t], %[b1]\n\t"
            "smlad %[c1], %[pc], %[t], %[c1]\n\t"
            "ldm %[col]!, {%[pa], %[pb], %[pc]}\n\t"
            "sxtb16 %[w0], %[w0], ror #8\n\t"
            "smlad %[a0], %[pa], %[w0], %[a0]\n\t"
            "smlad %[b0], %[pb], %[w0], %[b0]\n\t"
            "smlad %[c0], %[pc], %[w0], %[c0]\n\t"
            "sxtb16 %[w1], %[w1], ror #8\n\t"
            "smlad %[a1], %[pa], %[w1], %[a1]\n\t"
            "smlad %[b1], %[pb], %[w1], %[b1]\n\t"
            "smlad %[c1], %[pc], %[w1], %[c1]\n\t"
            "ldm %[col]!, {%[pa], %[pb], %[pc]}\n\t"
            "cmp %[pa], #0x7F7F7F7F\n\t"
            "bne 1b"
            : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [c0] "+r"(c0), [c1] "+r"(c1),
              [col] "+r"(col), [w] "+r"(w), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t), [pa] "=&r"(pa),
              [pb] "=&r"(pb), [pc] "=&r"(pc)
            :
            : "cc", "memory");
        te_pair3_store_general(out_a + oc, a0, a1, oc, pair, q);
        te_pair3_store_general(out_b + oc, b0, b1, oc, pair, q);
        te_pair3_store_general(out_c + oc, c0, c1, oc, pair, q);
    }
}

/* Output pixels A, B, C of a prepared column: full pairs in assembly, the rest in C. */
static inline void te_pair3_block(const int32_t *column, const int8_t *filter, int32_t row, int32_t out_channels,
                          const te_pair3_out *q, te_pair3_job *job, int8_t *out_a, int8_t *out_b, int8_t *out_c)
{
    const int32_t pairs = q->general ? 0 : out_channels >> 1;
    if (pairs > 0) {
        job->column = column;
        job->bias = q->bias;
        job->multiplier = q->multiplier;
        job->shift = q->shift;
        job->out = out_a;
        job->to_b = (int32_t)(out_b - out_a);
        job->to_c = (int32_t)(out_c - out_a);
        job->pairs = pairs;
        job->filter = filter;
        te_pair3_pairs(job);
    }
    if (2 * pairs < out_channels) {
        te_pair3_block_general(column, filter + (size_t)pairs * 2u * (size_t)row, 2 * pairs, out_channels, q, out_a,
                              out_b, out_c);
    }
}


/** The constants of one layer for te_pair3_block (job: the assembly's, per-block fields set later). */
static inline void te_pair3_setup(const te_per_channel_quant *quant, const int32_t *bias, int32_t out_channels,
                                  int32_t output_offset, te_activation activation, te_pair3_out *q,
                                  te_pair3_job *job)
{
    int32_t oc;
    q->multiplier = quant->multiplier;
    q->shift = quant->shift;
    q->bias = bias;
    q->output_offset = output_offset;
    q->activation = activation;
    q->general = 0;
    for (oc = 0; oc < out_channels; ++oc) {
        if (!te_requant2_applies(quant->multiplier[oc], quant->shift[oc])) {
            q->general = 1;
        }
    }
    job->offset21 = 2 * output_offset + 1;
    job->clamp = activation.min > -128 || activation.max < 127;
    job->lo2 = te_pack_s8x2(activation.min);
    job->hi2 = te_pack_s8x2(activation.max);
}
#endif

#endif /* TINYENGINE_TE_PAIR_H */

/*
 * tinyengine-runtime: the pixel blocks of te_conv_1x1_s8 and te_conv_im2col(_rows)_s8 (internal). The
 * out-of-line pieces these kernels share live once in te_pair.c (te_pair3_pixel_exact, the
 * three-pixel assembly te_pair3_pairs, te_pair3_block_general, te_pair_requantize); the two-pixel
 * blocks (te_pair2_*) and the small-K stream, used by the 1x1 kernel only, in te_conv_1x1_s8.c.
 *
 * Both kernels read a PACKED filter (te_conv.h): per channel pair (lo, hi) the words 2 * bias[lo] +
 * 256 * 2 * bias[hi] - 2^30 (wrapping) and 2 * bias[hi], its two rows of `length` weights (1x1: the
 * input channels; im2col: the window's taps) padded with zeros to row = te_pair3_row(length) and
 * sharing halfwords: per group of four taps k0..k3 the int16s h(k0) h(k2) h(k1) h(k3), h(k) =
 * 256 * w[hi][k] + (w[lo][k] + 128) (bytes w[lo] ^ 0x80, w[hi]), then its two multipliers and two
 * right shifts: te_pair3_stride(row) bytes, read in one stream.
 *
 * The Cortex-M path (TE_PAIR3_ASM) gathers three output pixels A, B, C into one int16 column in
 * scratch: per group of four taps the words
 *   A(t0,t2) B(t0,t2) C(t0,t2) A(t1,t3) B(t1,t3) C(t1,t3),   each lane 2 * (input + offset)
 * (0 for padding and past the last tap; te_pair3_slot gives a tap's place), then the end group: per
 * pixel 2^30 - 128 * (the sum of its column), written by whoever builds the column (in (2^29,
 * 3 * 2^29): no column word reaches 2^29, lanes are within +-510, so it ends the loop too).
 * te_pair3_block_summed computes every
 * output channel of the three pixels, channel pairs in assembly (te_pair3_pairs, a naked function:
 * one LDRD for the pair's four halfword pairs, one LDM per three column words, every weight word
 * feeds three SMLADs raw (m) and three after SXTB16 ROR 8 (c, row hi), two groups per loop
 * iteration: 36 instructions per 48 MACs; m starts at the pair's first word, c at 2 * bias[hi] (one
 * LDRD from the stream before the weights, the scales one LDM after them); after the loop row lo
 * is m + end word - 256 * c: exact modulo 2^32 for every int8 weight); te_requant2 in three
 * instructions per output, te_store_s8x2's
 * SSAT/BFI/STRH for a pixel's two bytes). One call may run up to four three-pixel sub-blocks
 * (te_conv_1x1_s8 on small channel counts: columns one after the other, job subs_left, sub_next,
 * sub_out, sub_column): every pair of one, then every pair of the next. Blocks of two pixels (te_pair2_*: A(t0,t2) B(t0,t2)
 * A(t1,t3) B(t1,t3)) finish a 1x1 image whose pixel count leaves 1, 2 or 4. Scales: right shifts
 * 1..22 fold the output offset into the rounding term, 23..31 add it after the shift, all-zero
 * shifts are one SMMLAR; anything else (negative multipliers, left shifts, a mix of shift 0 and
 * others) and the odd last channel requantize by the exact general form in C on the assembly's
 * accumulators (te_pair3_block_general; the constants read by te_pair3_word). The doubled
 * accumulators need |bias| < 2^29 and at most 8192 taps (te_pair3_fits); otherwise, and on the
 * portable path, the kernels use te_pair3_pixel_exact.
 */
#ifndef TINYENGINE_TE_PAIR_H
#define TINYENGINE_TE_PAIR_H

#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#define TE_PAIR3_ASM 1
#endif

#define TE_PAIR3_SENTINEL 0x40000000 /* the end word of a column summing to 0 */
#define TE_PAIR3_MAX_LENGTH 8192

/** Packed row length: length rounded up to a multiple of four. */
static inline int32_t te_pair3_row(int32_t length)
{
    return (length + 3) & ~3;
}

/** Bytes of one channel pair in the packed filter: 2 biases, 2 rows, 2 multipliers, 2 right shifts. */
static inline size_t te_pair3_stride(int32_t row)
{
    return 24u + 2u * (size_t)row;
}

/**
 * Word `k` of channel oc's pair block: 0 the bias word (lo: 2 * bias[lo] + 256 * 2 * bias[hi] -
 * 2^30, hi: 2 * bias[hi]), 1 its multiplier, 2 its right shift (little-endian).
 */
static inline int32_t te_pair3_word(const int8_t *filter, int32_t row, int32_t oc, int32_t k)
{
    const uint8_t *at = (const uint8_t *)filter + (size_t)(oc >> 1) * te_pair3_stride(row) + (size_t)(oc & 1) * 4u +
                        (k == 0 ? 0u : 8u + 2u * (size_t)row + 8u * (size_t)(k - 1));
    return (int32_t)((uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24);
}

/** Channel oc's doubled bias from the packed filter (lo: its word less 256 * hi's, plus 2^30). */
static inline int32_t te_pair3_bias2(const int8_t *filter, int32_t row, int32_t oc)
{
    const uint32_t hi = (uint32_t)te_pair3_word(filter, row, oc | 1, 0);
    return (int32_t)(oc & 1 ? hi : (uint32_t)te_pair3_word(filter, row, oc, 0) + 0x40000000u - (hi << 8));
}

/** Channel oc's bias from the packed filter. */
static inline int32_t te_pair3_bias(const int8_t *filter, int32_t row, int32_t oc)
{
    return te_pair3_bias2(filter, row, oc) >> 1; /* even: the shift is exact */
}

/** Channel oc's TFLite shift (> 0: left) from the packed filter, which holds the right shift. */
static inline int32_t te_pair3_shift(const int8_t *filter, int32_t row, int32_t oc)
{
    return -te_pair3_word(filter, row, oc, 2);
}

/** te_requantize_s8 in one out-of-line copy (te_pair.c): the exact, rare paths of both kernels. */
int8_t te_pair_requantize(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                          te_activation activation);

/**
 * One output pixel, exact for any quantization: every channel's dot product of the packed rows
 * with column[0..length) (input + offset, 0 for padding), requantized into out[0..out_channels)
 * (te_pair.c).
 */
void te_pair3_pixel_exact(const int16_t *column, int32_t length, const int8_t *filter, int32_t out_channels,
                          int32_t output_offset, te_activation activation, int8_t *out);

#if defined(TE_PAIR3_ASM)
/** The int16 index of tap t of pixel p (0..2) in a three-pixel column. */
static inline int32_t te_pair3_slot(int32_t t, int32_t p)
{
    return (t >> 2) * 12 + (t & 1) * 6 + p * 2 + ((t >> 1) & 1);
}

/** Int16 values a three-pixel column of length taps takes, end group included (3 * row + 6). */
static inline int32_t te_pair3_column_values(int32_t length)
{
    return 3 * te_pair3_row(length) + 6;
}

/** True when the doubled accumulators cannot overflow: |bias| < 2^29 and at most 8192 taps (te_pair.c). */
int te_pair3_fits(const int8_t *filter, int32_t length, int32_t out_channels);

/** The end group after group `groups` of a column (words), as for columns summing to 0. */
static inline void te_pair3_end(int32_t *words, int32_t groups)
{
    words += 6 * groups;
    words[0] = TE_PAIR3_SENTINEL;
    words[1] = TE_PAIR3_SENTINEL;
    words[2] = TE_PAIR3_SENTINEL;
}

/*
 * One block for te_pair3_pairs / te_pair2_pairs (assembly): the field they advance (out) is set
 * again for every block. Offsets are fixed: see the assembly.
 */
typedef struct {
    int8_t *out;               /* 0: pixel A's output of the pair's first channel (+2 per pair) */
    int32_t to_b;              /* 4: pixel B's output - pixel A's */
    int32_t to_c;              /* 8: pixel C's output - pixel A's (three-pixel blocks) */
    int8_t *out_end;           /* 12: out after the last pair (0..12: one LDM for the stores) */
    const int32_t *column;     /* 16: the block's column */
    int32_t subs_left;         /* 20: sub-blocks left after this one (te_pair3_pairs; 0 after the call) */
    int32_t sub_next;          /* 24: out_end -> the next sub-block's first out (bytes) */
    int32_t sub_out;           /* 28: output bytes from a sub-block's pixel A to the next one's */
    int32_t offset21;          /* 32: 2 * output_offset + 1 (te_requant2_round) */
    int32_t slow;              /* 36: take the slow tail: add_offset, clamp, unshifted or dot_only */
    int32_t lo2;               /* 40: te_pack_s8x2(activation.min) */
    int32_t hi2;               /* 44: te_pack_s8x2(activation.max) */
    const int8_t *filter;      /* 48: the first pair's block of the packed filter */
    int32_t add_offset;        /* 52: output offset added after the shift (0 when folded into round) */
    int32_t groups;            /* 56: groups of four taps in the column (>= 1) */
    int32_t sub_column;        /* 60: bytes from a sub-block's column to the next one's */
    int32_t unshifted;         /* 64: every shift is 0: out = SMMLAR(acc, m, add_offset) (slow set) */
    int32_t clamp;             /* 68: the activation range is narrower than int8 (slow set) */
    int32_t dot_only;          /* 72: one pair, no requantization: accumulators to acc (slow set) */
    int32_t acc[6];            /* 76: 2 * (bias + dot), pixels A, B, C x rows 0 (acc[0..2]), 1 (acc[3..5]) */
} te_pair3_job;

typedef char te_pair3_job_layout[(sizeof(te_pair3_job) == 100 && sizeof(void *) == 4) ? 1 : -1];

/*
 * The first group runs peeled (its SMLADs start from the bias registers), then the loop two groups
 * per iteration: entered at its first group (label 4) for an even rest, its second (8) for an odd
 * one, or skipped (16) for a single group. Computed once per call into r1 (the frame's entry); the
 * tail after the dot loop (label 10, or 7 when the job is slow) into r2 (its tail). Both are
 * branched to by LDR PC, so they carry the Thumb bit.
 */
#define TE_PAIR_ASM_ENTRY                                                                                         \
    "ldr r2, [r0, #56]\n\t"                                                                                       \
    "adr r1, 16f\n\t"                                                                                             \
    "cmp r2, #1\n\t"                                                                                              \
    "beq 9f\n\t"                                                                                                  \
    "adr r1, 4f\n\t"                                                                                              \
    "tst r2, #1\n\t"                                                                                              \
    "bne 9f\n\t"                                                                                                  \
    "adr r1, 8f\n"                                                                                                \
    "9:\n\t"                                                                                                      \
    "orr r1, r1, #1\n\t"                                                                                          \
    "ldr r3, [r0, #36]\n\t"                                                                                       \
    "adr r2, 10f\n\t"                                                                                             \
    "cbz r3, 17f\n\t"                                                                                             \
    "adr r2, 7f\n"                                                                                                \
    "17:\n\t"                                                                                                     \
    "orr r2, r2, #1\n\t"

/*
 * One group of four taps, three pixels: the (k0, k2) words of A, B, C (r10-r12) with the halfword
 * word h(k0) h(k2) (r8): raw into m (r2-r4), its high bytes (SXTB16 ROR 8: row hi) into c (r5-r7).
 */
#define TE_PAIR3_ASM_EVEN                                                                                         \
    "ldrd r8, r9, [r1], #8\n\t"                                                                                   \
    "smlad r2, r10, r8, r2\n\t"                                                                                   \
    "smlad r3, r11, r8, r3\n\t"                                                                                   \
    "smlad r4, r12, r8, r4\n\t"                                                                                   \
    "sxtb16 r8, r8, ror #8\n\t"                                                                                   \
    "smlad r5, r10, r8, r5\n\t"                                                                                   \
    "smlad r6, r11, r8, r6\n\t"                                                                                   \
    "smlad r7, r12, r8, r7\n\t"

/* The first group's (k0, k2) half: m starts from the pair's first word (r2), c from 2 * bias[hi] (r5). */
#define TE_PAIR3_ASM_EVEN_FIRST                                                                                   \
    "ldrd r8, r9, [r1], #8\n\t"                                                                                   \
    "smlad r3, r11, r8, r2\n\t"                                                                                   \
    "smlad r4, r12, r8, r2\n\t"                                                                                   \
    "smlad r2, r10, r8, r2\n\t"                                                                                   \
    "sxtb16 r8, r8, ror #8\n\t"                                                                                   \
    "smlad r6, r11, r8, r5\n\t"                                                                                   \
    "smlad r7, r12, r8, r5\n\t"                                                                                   \
    "smlad r5, r10, r8, r5\n\t"

/* The (k1, k3) half with h(k1) h(k3) (r9), then the next group's (k0, k2) words (or the end group). */
#define TE_PAIR3_ASM_ODD                                                                                          \
    "ldm r0!, {r10, r11, r12}\n\t"                                                                                \
    "smlad r2, r10, r9, r2\n\t"                                                                                   \
    "smlad r3, r11, r9, r3\n\t"                                                                                   \
    "smlad r4, r12, r9, r4\n\t"                                                                                   \
    "sxtb16 r9, r9, ror #8\n\t"                                                                                   \
    "smlad r5, r10, r9, r5\n\t"                                                                                   \
    "smlad r6, r11, r9, r6\n\t"                                                                                   \
    "smlad r7, r12, r9, r7\n\t"                                                                                   \
    "ldm r0!, {r10, r11, r12}\n\t"

/* Loop while r10 is a column word, not an end word (> 2^29). */
#define TE_PAIR_ASM_LOOP                                                                                          \
    "cmp r10, #0x20000000\n\t"                                                                                    \
    "blt 4b\n"

/* After the loop: row lo = m + end word - 256 * c, three pixels (r10-r12: the end group). */
#define TE_PAIR3_ASM_LO                                                                                           \
    "add r2, r2, r10\n\t"                                                                                         \
    "sub r2, r2, r5, lsl #8\n\t"                                                                                  \
    "add r3, r3, r11\n\t"                                                                                         \
    "sub r3, r3, r6, lsl #8\n\t"                                                                                  \
    "add r4, r4, r12\n\t"                                                                                         \
    "sub r4, r4, r7, lsl #8\n\t"

/* The same for two pixels (r10, r11). */
#define TE_PAIR2_ASM_LO                                                                                           \
    "add r2, r2, r10\n\t"                                                                                         \
    "sub r2, r2, r5, lsl #8\n\t"                                                                                  \
    "add r3, r3, r11\n\t"                                                                                         \
    "sub r3, r3, r6, lsl #8\n\t"

/* One group of four taps, two pixels (the first group's even half starts from the bias). */
#define TE_PAIR2_ASM_EVEN                                                                                         \
    "ldrd r8, r9, [r1], #8\n\t"                                                                                   \
    "smlad r2, r10, r8, r2\n\t"                                                                                   \
    "smlad r3, r11, r8, r3\n\t"                                                                                   \
    "sxtb16 r8, r8, ror #8\n\t"                                                                                   \
    "smlad r5, r10, r8, r5\n\t"                                                                                   \
    "smlad r6, r11, r8, r6\n\t"

#define TE_PAIR2_ASM_EVEN_FIRST                                                                                   \
    "ldrd r8, r9, [r1], #8\n\t"                                                                                   \
    "smlad r3, r11, r8, r2\n\t"                                                                                   \
    "smlad r2, r10, r8, r2\n\t"                                                                                   \
    "sxtb16 r8, r8, ror #8\n\t"                                                                                   \
    "smlad r6, r11, r8, r5\n\t"                                                                                   \
    "smlad r5, r10, r8, r5\n\t"

#define TE_PAIR2_ASM_ODD                                                                                          \
    "ldm r0!, {r10, r11}\n\t"                                                                                     \
    "smlad r2, r10, r9, r2\n\t"                                                                                   \
    "smlad r3, r11, r9, r3\n\t"                                                                                   \
    "sxtb16 r9, r9, ror #8\n\t"                                                                                   \
    "smlad r5, r10, r9, r5\n\t"                                                                                   \
    "smlad r6, r11, r9, r6\n\t"                                                                                   \
    "ldm r0!, {r10, r11}\n\t"

/* Accumulators: m (r2) = the pair's first word, c (r5) = 2 * bias[hi] from its block (r1), r0 = the column. */
#define TE_PAIR_ASM_BIAS                                                                                          \
    "ldr r0, [ip, #16]\n\t"                                                                                       \
    "ldrd r2, r5, [r1], #8\n\t"

/* The pair's multipliers into r8, r9, right shifts e into r10, r11 (after its rows: r1), offset21 into r0. */
#define TE_PAIR_ASM_SCALES                                                                                        \
    "ldm r1!, {r8, r9, r10, r11}\n\t"                                                                             \
    "ldr r0, [sp]\n\t"

/* lr = round = offset21 << (e - 1) of right shift reg (e >= 1); uses r0 = offset21. */
#define TE_PAIR_ASM_ROUND(reg)                                                                                    \
    "sub lr, " reg ", #1\n\t"                                                                                     \
    "lsl lr, r0, lr\n\t"

/* te_requant2 in place: acc = (SMMLAR(acc, m, round + (acc asr 31))) asr e; ip scratch. */
#define TE_PAIR_ASM_REQUANT(acc, m, e)                                                                            \
    "add ip, lr, " acc ", asr #31\n\t"                                                                            \
    "smmlar " acc ", " acc ", " m ", ip\n\t"                                                                      \
    "asr " acc ", " acc ", " e "\n\t"

/* te_requant2 of a three-pixel block's six accumulators (ip scratch). */
#define TE_PAIR3_ASM_REQUANT_ALL                                                                                  \
    TE_PAIR_ASM_SCALES TE_PAIR_ASM_ROUND("r10") TE_PAIR_ASM_REQUANT("r2", "r8", "r10")                            \
        TE_PAIR_ASM_REQUANT("r3", "r8", "r10") TE_PAIR_ASM_REQUANT("r4", "r8", "r10") TE_PAIR_ASM_ROUND("r11")    \
            TE_PAIR_ASM_REQUANT("r5", "r9", "r11") TE_PAIR_ASM_REQUANT("r6", "r9", "r11")                         \
                TE_PAIR_ASM_REQUANT("r7", "r9", "r11")

/* te_requant2 of a two-pixel block's four accumulators. */
#define TE_PAIR2_ASM_REQUANT_ALL                                                                                  \
    TE_PAIR_ASM_SCALES TE_PAIR_ASM_ROUND("r10") TE_PAIR_ASM_REQUANT("r2", "r8", "r10")                            \
        TE_PAIR_ASM_REQUANT("r3", "r8", "r10") TE_PAIR_ASM_ROUND("r11") TE_PAIR_ASM_REQUANT("r5", "r9", "r11")    \
            TE_PAIR_ASM_REQUANT("r6", "r9", "r11")

/*
 * The loop entry and tail, save registers, the frame: offset21 [sp], the job [sp, #4], the entry
 * [sp, #8], the tail [sp, #12]; r1 = the first pair's block, then pair label 1 and the accumulators'
 * bias.
 */
#define TE_PAIR_ASM_PROLOGUE                                                                                      \
    TE_PAIR_ASM_ENTRY "push {r0, r1, r2, r4-r11, lr}\n\t"                                                         \
    "mov ip, r0\n\t"                                                                                              \
    "ldr r3, [ip, #32]\n\t"                                                                                       \
    "push {r3}\n\t"                                                                                               \
    "ldr r1, [ip, #48]\n"                                                                                         \
    "1:\n\t" TE_PAIR_ASM_BIAS

/* After the dot loop, on to the tail: label 7 for the slow one (it loads ip = job), else 10. */
#define TE_PAIR_ASM_PLAIN_OR_7                                                                                    \
    "ldr pc, [sp, #12]\n"                                                                                         \
    "10:\n\t"

/* r0 = the advanced out pointer: store it, next pair until out_end, else return. */
#define TE_PAIR_ASM_NEXT                                                                                          \
    "str r0, [ip]\n\t"                                                                                            \
    "cmp r0, r10\n\t"                                                                                             \
    "bne 1b\n\t"                                                                                                  \
    "add sp, sp, #4\n\t"                                                                                          \
    "pop {r0, r1, r2, r4-r11, pc}\n"

/* Slow path (ip = job): when every shift is 0 (unshifted), r8/r9 = multipliers, r0 = the offset; else to 13. */
#define TE_PAIR_ASM_UNSHIFTED                                                                                     \
    "ldr r0, [ip, #64]\n\t"                                                                                       \
    "cbz r0, 13f\n\t"                                                                                             \
    "ldm r1!, {r8, r9, r10, r11}\n\t"                                                                             \
    "ldr r0, [ip, #52]\n\t"

/* a = (sat8(a), sat8(b)) as the two low bytes. */
#define TE_PAIR_ASM_PACK(a, b)                                                                                    \
    "ssat " a ", #8, " a "\n\t"                                                                                   \
    "ssat " b ", #8, " b "\n\t"                                                                                   \
    "bfi " a ", " b ", #8, #8\n\t"

/* Slow tail: back to the stores (label 5) unless the activation range clamps; r8, r9 = lo2, hi2. */
#define TE_PAIR_ASM_CLAMP_OR_5                                                                                    \
    "ldr r0, [ip, #68]\n\t"                                                                                       \
    "cmp r0, #0\n\t"                                                                                              \
    "beq 5b\n\t"                                                                                                  \
    "ldrd r8, r9, [ip, #40]\n\t"

/* Byte-wise max(lo2 = r8), min(hi2 = r9) of a packed pair; r0 scratch. */
#define TE_PAIR_ASM_CLAMP(a)                                                                                      \
    "ssub8 r0, " a ", r8\n\t"                                                                                     \
    "sel " a ", " a ", r8\n\t"                                                                                    \
    "ssub8 r0, r9, " a "\n\t"                                                                                     \
    "sel " a ", " a ", r9\n\t"

/* Requantization constants of a layer (the C side of a block). */
typedef struct {
    const int8_t *filter; /* the packed filter: biases and scales per pair */
    int32_t row;          /* its row length */
    int32_t output_offset;
    te_activation activation;
    int general; /* some channel's scale is outside te_requant2's range */
} te_pair3_out;

/* The per-block fields of a job: channels [0, channels) of the block's pixels A (out_a) and B. */
static inline void te_pair_job_block(te_pair3_job *job, const int32_t *column, const int8_t *filter, int32_t row,
                                     int8_t *out_a, int8_t *out_b, int32_t channels)
{
    job->column = column;
    job->out = out_a;
    job->to_b = (int32_t)(out_b - out_a);
    job->out_end = out_a + channels;
    job->filter = filter;
    job->groups = row >> 2;
}

/* Every full channel pair of a block (assembly, te_pair.c): see te_pair3_pairs there. */
void te_pair3_pairs(te_pair3_job *job);

/* Channels [oc_begin, out_channels) of a block by the exact general requantization (te_pair.c). */
void te_pair3_block_general(const int32_t *column, const int8_t *filter, int32_t row, int32_t oc_begin,
                            int32_t out_channels, const te_pair3_out *q, te_pair3_job *job, int8_t *out_a,
                            int8_t *out_b, int8_t *out_c);

/* Output pixels A, B, C of a prepared column, its end group included: full pairs in assembly, the rest in C. */
static inline void te_pair3_block_summed(const int32_t *column, const int8_t *filter, int32_t row,
                                         int32_t out_channels, const te_pair3_out *q, te_pair3_job *job,
                                         int8_t *out_a, int8_t *out_b, int8_t *out_c)
{
    const int32_t pairs = q->general ? 0 : out_channels >> 1;
    if (pairs > 0) {
        te_pair_job_block(job, column, filter, row, out_a, out_b, 2 * pairs);
        job->to_c = (int32_t)(out_c - out_a);
        te_pair3_pairs(job);
    }
    if (2 * pairs < out_channels) {
        te_pair3_block_general(column, filter + (size_t)pairs * te_pair3_stride(row), row, 2 * pairs, out_channels, q,
                               job, out_a, out_b, out_c);
    }
}

/** The int16 index of tap t of pixel p (0..1) in a two-pixel column. */
static inline int32_t te_pair2_slot(int32_t t, int32_t p)
{
    return (t >> 2) * 8 + (t & 1) * 4 + p * 2 + ((t >> 1) & 1);
}

/** True when te_pair2_block applies to the layer. */
static inline int te_pair2_applies(const te_pair3_out *q, int32_t out_channels)
{
    return !q->general && (out_channels & 1) == 0;
}

/**
 * The constants of one layer for te_pair3_block_summed / te_pair2_block (job: the assembly's, the
 * per-block fields set later). Right shifts e of 1..22 fold the output offset into te_requant2's
 * rounding term; 23..31 (channels of tiny scale, e.g. dead ones) add it after the shift (the
 * term alone still fits: |h| < 2^30, 2^(e-1) <= 2^30); others use the exact general form
 * (te_pair.c).
 */
void te_pair3_setup(const int8_t *filter, int32_t length, int32_t out_channels, int32_t output_offset,
                    te_activation activation, te_pair3_out *q, te_pair3_job *job);
#endif

#endif /* TINYENGINE_TE_PAIR_H */

/*
 * Pointwise (1x1) int8 CONV_2D on the packed filter layout of te_conv.h (rows in pairs sharing
 * int16 halfwords 256 * w[hi] + (w[lo] + 128), rows padded to a multiple of four with zeros).
 *
 * The Cortex-M path runs three output pixels at a time through te_pair.h's blocks: their input
 * pixels become one column (2 * (input + offset), two SXTAB16 + two SADD16 per four channels of a
 * pixel, two SMLADs for the pixel's end word: 2^30 - 128 * its column's sum), then
 * te_pair3_block_summed computes every output channel of the three. Small channel counts
 * gather up to four such blocks (twelve pixels, te_1x1_subs) before one te_pair3_pairs call runs
 * them all. A short last block repeats its last pixel. Otherwise the exact per-pixel loop runs
 * (te_pair3_pixel_exact).
 *
 * The small-K variant (first word odd; te-gen writes it for 8 or 16 input channels,
 * conv_layout.pack_conv_1x1_small): a header word, then one record per output channel:
 *   2 * bias, row / 2 words of doubled weights as int16 pairs (per group of four channels
 *   (2w0, 2w2) then (2w1, 2w3)), multiplier, right shift e (low 16 bits; bit 16 set on the last
 *   channel), round = (2 * output_offset + 1) << (e - 1).
 * Header: bit 0 set, bit 1 "fast" (every channel: multiplier >= 0, e in 1..22, |bias| < 2^29),
 * bits 8..15 the output offset the rounds hold. The Cortex-M path (te_1x1_small_k8 / _k16) keeps
 * one input pixel in registers (K / 2 words of input + offset, int16 pairs) and streams every
 * record through it: one output per record, no scratch. It runs when the header is fast for this
 * output offset, the activation is the whole int8 range, K is 8 or 16, the output channel count
 * even and input and filter 4-byte aligned; else the exact C loop (te_1x1_small_exact).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pair.h"

/*
 * Three-pixel sub-blocks per block (1..4): as many 6 * row + 12 byte columns as fit in 512 bytes
 * (small channel counts: the column is small, the per-block bookkeeping is not).
 */
static int32_t te_1x1_subs(int32_t row)
{
    const int32_t subs = 512 / (6 * row + 12);
    return subs > 4 ? 4 : subs < 1 ? 1 : subs;
}

size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims)
{
    const int32_t row = te_pair3_row(input_dims->c);
    return (size_t)te_1x1_subs(row) * (6u * (size_t)row + 12u);
}

size_t te_conv_1x1_s8_filter_bytes(const te_dims *filter_dims)
{
    return (size_t)((filter_dims->n + 1) >> 1) * te_pair3_stride(te_pair3_row(filter_dims->c));
}

/* Input pixel of output pixel index p (raster order within one batch image). */
static const int8_t *te_1x1_pixel(const te_conv_params *params, const te_dims *input_dims,
                                  const te_dims *output_dims, const int8_t *image, int32_t p)
{
    const int32_t oy = p / output_dims->w;
    const int32_t ox = p - oy * output_dims->w;
    return image + ((size_t)(oy * params->stride_h) * (size_t)input_dims->w + (size_t)(ox * params->stride_w)) *
                       (size_t)input_dims->c;
}

#if defined(TE_PAIR3_ASM)
/*
 * te_pair3_pairs for a two-pixel block (column: per group of four taps A(t0,t2) B(t0,t2)
 * A(t1,t3) B(t1,t3), then the two end words). Registers as there, without pixel C (r4, r7, r12).
 */
__attribute__((naked, noinline, unused)) static void te_pair2_pairs(__attribute__((unused)) te_pair3_job *job)
{
    __asm__ volatile(
        TE_PAIR_ASM_PROLOGUE
        "ldm r0!, {r10, r11}\n\t" TE_PAIR2_ASM_EVEN_FIRST TE_PAIR2_ASM_ODD
        "ldr pc, [sp, #8]\n"
        "4:\n\t" TE_PAIR2_ASM_EVEN TE_PAIR2_ASM_ODD
        "8:\n\t" TE_PAIR2_ASM_EVEN TE_PAIR2_ASM_ODD
        TE_PAIR_ASM_LOOP
        "16:\n\t" TE_PAIR2_ASM_LO
        TE_PAIR_ASM_PLAIN_OR_7 TE_PAIR2_ASM_REQUANT_ALL
        "ldr ip, [sp, #4]\n\t" TE_PAIR_ASM_PACK("r2", "r5") TE_PAIR_ASM_PACK("r3", "r6")
        "5:\n\t"
        "ldm ip, {r0, r8, r9, r10}\n\t"
        "strh r3, [r0, r8]\n\t"
        "strh r2, [r0], #2\n\t"
        TE_PAIR_ASM_NEXT
        "7:\n\t"
        "ldr ip, [sp, #4]\n\t"
        TE_PAIR_ASM_UNSHIFTED
        "smmlar r2, r2, r8, r0\n\t"
        "smmlar r3, r3, r8, r0\n\t"
        "smmlar r5, r5, r9, r0\n\t"
        "smmlar r6, r6, r9, r0\n\t"
        "b 12f\n"
        "13:\n\t" TE_PAIR2_ASM_REQUANT_ALL
        "ldr ip, [sp, #4]\n\t"
        "ldr r0, [ip, #52]\n\t"
        "add r2, r2, r0\n\t"
        "add r3, r3, r0\n\t"
        "add r5, r5, r0\n\t"
        "add r6, r6, r0\n"
        "12:\n\t" TE_PAIR_ASM_PACK("r2", "r5") TE_PAIR_ASM_PACK("r3", "r6")
            TE_PAIR_ASM_CLAMP_OR_5 TE_PAIR_ASM_CLAMP("r2") TE_PAIR_ASM_CLAMP("r3")
        "b 5b\n\t");
}

/**
 * Output pixels A, B of a two-pixel column (end group after group row / 4: two words) for every
 * channel; only for layers te_requant2 covers with an even channel count (te_pair2_applies).
 */
static inline void te_pair2_block(const int32_t *column, const int8_t *filter, int32_t row, int32_t out_channels,
                                  te_pair3_job *job, int8_t *out_a, int8_t *out_b)
{
    te_pair_job_block(job, column, filter, row, out_a, out_b, out_channels);
    te_pair2_pairs(job);
}

/*
 * 2 * (input + offset) of four channels as the even (k0, k2) and odd (k1, k3) column words; *end
 * less 128 times their sum (the pixel's end word, te_pair.h).
 */
static inline void te_1x1_widen(int32_t x, int32_t off2, int32_t *even, int32_t *odd, int32_t *end)
{
    const int32_t minus256 = (int32_t)0xFF00FF00u;
    const int32_t e = __sxtab16(off2, x);
    const int32_t o = te_sxtab16_ror8(off2, x);
    *even = __sadd16(e, e);
    *odd = __sadd16(o, o);
    *end = __smlad(o, minus256, __smlad(e, minus256, *end));
}

/*
 * The column (te_pair.h) of `count` (2 or 3) input pixels src[0..count), end group included: per
 * group of four channels `count` even words then `count` odd words.
 */
static void te_1x1_column(const int8_t *const *src, int32_t count, int32_t channels, int32_t input_offset,
                          int32_t *column)
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t *words = column;
    int32_t end[3] = {TE_PAIR3_SENTINEL, TE_PAIR3_SENTINEL, TE_PAIR3_SENTINEL};
    int32_t i = 0;
    if (count == 3) {
        for (; i + 4 <= channels; i += 4) {
            te_1x1_widen(te_read_s8x4(src[0] + i), off2, &words[0], &words[3], &end[0]);
            te_1x1_widen(te_read_s8x4(src[1] + i), off2, &words[1], &words[4], &end[1]);
            te_1x1_widen(te_read_s8x4(src[2] + i), off2, &words[2], &words[5], &end[2]);
            words += 6;
        }
    } else {
        for (; i + 4 <= channels; i += 4) {
            te_1x1_widen(te_read_s8x4(src[0] + i), off2, &words[0], &words[2], &end[0]);
            te_1x1_widen(te_read_s8x4(src[1] + i), off2, &words[1], &words[3], &end[1]);
            words += 4;
        }
    }
    if (i < channels) { /* the last, partial group: zeros past the last channel */
        int16_t *half = (int16_t *)(void *)column;
        int32_t t;
        int32_t p;
        for (t = i; t < i + 4; ++t) {
            for (p = 0; p < count; ++p) {
                const int16_t v = (int16_t)(t < channels ? 2 * ((int32_t)src[p][t] + input_offset) : 0);
                half[count == 3 ? te_pair3_slot(t, p) : te_pair2_slot(t, p)] = v;
                end[p] -= 128 * v;
            }
        }
        words += 2 * count;
    }
    for (i = 0; i < count; ++i) {
        words[i] = end[i];
    }
}

/* Input pixel p of a batch image (dense: stride 1 over the whole width, the p-th). */
static inline const int8_t *te_1x1_src(const te_conv_params *params, const te_dims *input_dims,
                                       const te_dims *output_dims, const int8_t *image, int dense, int32_t p)
{
    return dense ? image + (size_t)p * (size_t)input_dims->c : te_1x1_pixel(params, input_dims, output_dims, image, p);
}

/*
 * Pixels [p, p + 3 * subs) as `subs` three-pixel sub-blocks of one te_pair3_pairs call, their
 * columns one after the other (every input pixel is read before any output is written); only for
 * layers te_pair2_block applies to. Returns the next pixel.
 */
static int32_t te_1x1_subblocks(const te_conv_params *params, te_pair3_job *job, const te_dims *input_dims,
                                const te_dims *output_dims, const int8_t *image, const int8_t *filter,
                                int32_t *column, int8_t *output, int32_t p, int32_t subs)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t row = te_pair3_row(channels);
    const int32_t words = 6 * (row >> 2) + 3; /* one sub-block's column, end group included */
    const int dense = params->stride_h == 1 && params->stride_w == 1 && output_dims->w == input_dims->w;
    int8_t *out = output + (size_t)p * (size_t)out_channels;
    int32_t s;
    for (s = 0; s < subs; ++s) {
        const int8_t *src[3];
        int32_t k;
        for (k = 0; k < 3; ++k) {
            src[k] = te_1x1_src(params, input_dims, output_dims, image, dense, p + 3 * s + k);
        }
        te_1x1_column(src, 3, channels, params->input_offset, column + s * words);
    }
    te_pair_job_block(job, column, filter, row, out, out + out_channels, out_channels);
    job->to_c = 2 * out_channels;
    job->subs_left = subs - 1;
    job->sub_out = 3 * out_channels;
    job->sub_next = 2 * out_channels;
    job->sub_column = 4 * words;
    te_pair3_pairs(job);
    return p + 3 * subs;
}

/*
 * Every pixel of one batch image: blocks of two to four three-pixel sub-blocks while six pixels or
 * more are left and te_pair2_block applies (small input channel counts, te_1x1_subs), then blocks
 * of three, the last two, three or four pixels as blocks of two when te_pair2_block applies (a
 * lone pixel goes twice), else a short block of three repeats its last pixel.
 */
static void te_1x1_image_fast(const te_conv_params *params, const te_pair3_out *q, te_pair3_job *job,
                              const te_dims *input_dims, const te_dims *output_dims, const int8_t *image,
                              const int8_t *filter, int32_t *column, int8_t *output)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t pixels = output_dims->h * output_dims->w;
    const int pairs2 = te_pair2_applies(q, out_channels);
    /* stride 1 over the whole width: input pixel p is the p-th */
    const int dense = params->stride_h == 1 && params->stride_w == 1 && output_dims->w == input_dims->w;
    const int32_t subs = pairs2 ? te_1x1_subs(te_pair3_row(channels)) : 1;
    int32_t p = 0;
    while (p < pixels) {
        const int32_t left = pixels - p;
        const int32_t count = pairs2 && (left <= 2 || left == 4) ? 2 : 3;
        const int8_t *src[3];
        int8_t *out[3];
        int32_t k;
        if (subs > 1 && left >= 6) {
            /* whole sub-blocks; a remainder of one pixel leaves four (two blocks of two) */
            const int32_t whole = left / 3 - (left % 3 == 1);
            if (whole >= 2) {
                p = te_1x1_subblocks(params, job, input_dims, output_dims, image, filter, column, output, p,
                                     whole < subs ? whole : subs);
                continue;
            }
        }
        for (k = 0; k < count; ++k) {
            const int32_t at = p + k < pixels ? p + k : pixels - 1;
            src[k] = te_1x1_src(params, input_dims, output_dims, image, dense, at);
            out[k] = output + (size_t)at * (size_t)out_channels;
        }
        te_1x1_column(src, count, channels, params->input_offset, column);
        if (count == 3) {
            te_pair3_block_summed(column, filter, te_pair3_row(channels), out_channels, q, job, out[0], out[1],
                                  out[2]);
        } else {
            te_pair2_block(column, filter, te_pair3_row(channels), out_channels, job, out[0], out[1]);
        }
        p += count;
    }
}
#endif

/* Word i of the small-K stream (little-endian, any alignment). */
static int32_t te_1x1_small_word(const int8_t *filter, size_t i)
{
    const uint8_t *at = (const uint8_t *)filter + 4u * i;
    return (int32_t)((uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24);
}

/* One output pixel of the small-K stream, exact for any quantization (records from word 1). */
static void te_1x1_small_exact(const int8_t *src, int32_t channels, const te_conv_params *params,
                               const int8_t *filter, int32_t out_channels, int8_t *out)
{
    const size_t words = 4u + (size_t)te_pair3_row(channels) / 2u; /* one record */
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        const size_t rec = 1u + (size_t)oc * words;
        int32_t acc = te_1x1_small_word(filter, rec) / 2; /* the stream holds bias and weights doubled */
        int32_t k;
        for (k = 0; k < channels; ++k) {
            /* lane of channel k: word 2g (k0, k2) or 2g + 1 (k1, k3) of group g, low or high half */
            const uint32_t word = (uint32_t)te_1x1_small_word(filter, rec + 1u + (size_t)(k >> 2) * 2u + (k & 1));
            const int32_t w2 = (int16_t)(uint16_t)(k & 2 ? word >> 16 : word);
            acc += (w2 / 2) * ((int32_t)src[k] + params->input_offset);
        }
        out[oc] = te_pair_requantize(acc, te_1x1_small_word(filter, rec + words - 3u),
                                     -(int16_t)(uint16_t)te_1x1_small_word(filter, rec + words - 2u),
                                     params->output_offset, params->activation);
    }
}

#if defined(TE_PAIR3_ASM)
/* One run of output pixels for te_1x1_small_k8 / _k16 (copied to their frame: offsets fixed). */
typedef struct {
    const int8_t *records;  /* 0: the first channel's record */
    const int8_t *src;      /* 4: the first pixel's input (4-byte aligned) */
    int32_t step;           /* 8: bytes from one input pixel to the next */
    int32_t off2;           /* 12: te_pack_s16x2(input_offset) */
    int8_t *out_end;        /* 16: out after the last pixel */
    int8_t *out;            /* 20: the first pixel's output */
} te_1x1_small_job;

/* Save registers, copy the job to the frame [sp, #0..16], r0 = out; r1 = records, src, step, off2 each pixel. */
#define TE_1X1S_PROLOGUE                                                                                          \
    "push {r4-r11, lr}\n\t"                                                                                       \
    "ldm r0, {r1, r2, r3, r4, r5, r6}\n\t"                                                                        \
    "push {r1, r2, r3, r4, r5}\n\t"                                                                               \
    "mov r0, r6\n"

/* After a pixel's channels: next pixel until out_end (r6 scratch), else return. */
#define TE_1X1S_NEXT_PIXEL                                                                                        \
    "ldr r6, [sp, #16]\n\t"                                                                                       \
    "cmp r0, r6\n\t"                                                                                              \
    "bne 1b\n\t"                                                                                                  \
    "add sp, sp, #20\n\t"                                                                                         \
    "pop {r4-r11, pc}\n"

/* te_requant2 of acc (round in rnd, multiplier m, shift e), SSAT, one output byte (r0 advances). */
#define TE_1X1S_OUT(acc, m, e, rnd)                                                                               \
    "add " rnd ", " rnd ", " acc ", asr #31\n\t"                                                                  \
    "smmlar " acc ", " acc ", " m ", " rnd "\n\t"                                                                 \
    "asr " acc ", " acc ", " e "\n\t"                                                                             \
    "ssat " acc ", #8, " acc "\n\t"                                                                               \
    "strb " acc ", [r0], #1\n\t"

/* K = 8, one channel: one LDM of its record (r6 2 * bias, r7-r10 weights, r11 m, r12 e, lr round). */
#define TE_1X1S_K8_CHANNEL                                                                                        \
    "ldm r1!, {r6, r7, r8, r9, r10, r11, r12, lr}\n\t"                                                            \
    "smlad r6, r2, r7, r6\n\t"                                                                                    \
    "smlad r6, r3, r8, r6\n\t"                                                                                    \
    "smlad r6, r4, r9, r6\n\t"                                                                                    \
    "smlad r6, r5, r10, r6\n\t" TE_1X1S_OUT("r6", "r11", "r12", "lr")

/*
 * K = 8: per pixel r2-r5 = its column (input + offset: (k0, k2) (k1, k3) (k4, k6) (k5, k7)), then
 * two channels per loop pass (an even count) until the record whose shift has bit 16: 10
 * instructions per output (and one loop test per two), 11 per pixel.
 */
__attribute__((naked, noinline)) static void te_1x1_small_k8(__attribute__((unused)) const te_1x1_small_job *job)
{
    __asm__ volatile(
        TE_1X1S_PROLOGUE
        "1:\n\t"
        "ldm sp, {r1, r6, r7, r8}\n\t"
        "ldrd r9, r10, [r6]\n\t"
        "add r6, r6, r7\n\t"
        "str r6, [sp, #4]\n\t"
        "sxtab16 r2, r8, r9\n\t"
        "sxtab16 r3, r8, r9, ror #8\n\t"
        "sxtab16 r4, r8, r10\n\t"
        "sxtab16 r5, r8, r10, ror #8\n"
        "2:\n\t" TE_1X1S_K8_CHANNEL TE_1X1S_K8_CHANNEL
        "tst r12, #0x10000\n\t"
        "beq 2b\n\t" TE_1X1S_NEXT_PIXEL);
}

/* K = 16, one channel: its record in four loads into r10 (2 * bias, the accumulator), r11, r12, lr. */
#define TE_1X1S_K16_CHANNEL                                                                                       \
    "ldm r1!, {r10, r11, r12, lr}\n\t"                                                                            \
    "smlad r10, r2, r11, r10\n\t"                                                                                 \
    "smlad r10, r3, r12, r10\n\t"                                                                                 \
    "smlad r10, r4, lr, r10\n\t"                                                                                  \
    "ldm r1!, {r11, r12, lr}\n\t"                                                                                 \
    "smlad r10, r5, r11, r10\n\t"                                                                                 \
    "smlad r10, r6, r12, r10\n\t"                                                                                 \
    "smlad r10, r7, lr, r10\n\t"                                                                                  \
    "ldm r1!, {r11, r12, lr}\n\t"                                                                                 \
    "smlad r10, r8, r11, r10\n\t"                                                                                 \
    "smlad r10, r9, r12, r10\n\t"                                                                                 \
    "ldrd r11, r12, [r1], #8\n\t" TE_1X1S_OUT("r10", "lr", "r11", "r12")

/* K = 16: as K = 8 with r2-r9 the column (the raw pixel in r6-r9 first): 18 instructions per output, 15 per pixel. */
__attribute__((naked, noinline)) static void te_1x1_small_k16(__attribute__((unused)) const te_1x1_small_job *job)
{
    __asm__ volatile(
        TE_1X1S_PROLOGUE
        "1:\n\t"
        "ldm sp, {r1, r10, r11, r12}\n\t"
        "ldm r10, {r6, r7, r8, r9}\n\t"
        "add r10, r10, r11\n\t"
        "str r10, [sp, #4]\n\t"
        "sxtab16 r2, r12, r6\n\t"
        "sxtab16 r3, r12, r6, ror #8\n\t"
        "sxtab16 r4, r12, r7\n\t"
        "sxtab16 r5, r12, r7, ror #8\n\t"
        "sxtab16 r6, r12, r8\n\t"
        "sxtab16 r7, r12, r8, ror #8\n\t"
        "sxtab16 r8, r12, r9\n\t"
        "sxtab16 r9, r12, r9, ror #8\n"
        "2:\n\t" TE_1X1S_K16_CHANNEL TE_1X1S_K16_CHANNEL
        "tst r11, #0x10000\n\t"
        "beq 2b\n\t" TE_1X1S_NEXT_PIXEL);
}

/* True when the assembly runs the layer (see the file comment). */
static int te_1x1_small_fast(const te_conv_params *params, const te_dims *input_dims, const te_dims *output_dims,
                             const int8_t *input, const int8_t *filter)
{
    const int32_t header = te_1x1_small_word(filter, 0);
    return (header & 2) && (int8_t)(header >> 8) == params->output_offset && params->activation.min == -128 &&
           params->activation.max == 127 && (input_dims->c == 8 || input_dims->c == 16) &&
           (output_dims->c & 1) == 0 && (((uintptr_t)input | (uintptr_t)filter) & 3u) == 0;
}
#endif

/*
 * Every output pixel of one batch image from the small-K stream, a row at a time (stride 1 over
 * the whole width: the image is one row). Out of line: inlined, it costs the pair path's block
 * loop registers (measured: +0.1..0.5% instructions on every other 1x1 layer).
 */
TE_NOINLINE static void te_1x1_small_image(const te_conv_params *params, const te_dims *input_dims,
                                           const te_dims *output_dims, const int8_t *image, const int8_t *filter,
                                           int8_t *output)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int dense = params->stride_h == 1 && params->stride_w == 1 && output_dims->w == input_dims->w;
    const int32_t rows = dense ? 1 : output_dims->h;
    const int32_t cols = dense ? output_dims->h * output_dims->w : output_dims->w;
    const int32_t step = params->stride_w * channels;
    int32_t y;
#if defined(TE_PAIR3_ASM)
    const int fast = te_1x1_small_fast(params, input_dims, output_dims, image, filter);
    te_1x1_small_job job;
    job.records = filter + 4;
    job.step = step;
    job.off2 = te_pack_s16x2(params->input_offset);
#endif
    for (y = 0; y < rows; ++y) {
        const int8_t *src = image + (size_t)(y * params->stride_h * input_dims->w) * (size_t)channels;
        int8_t *out = output + (size_t)(y * cols) * (size_t)out_channels;
        int32_t x;
#if defined(TE_PAIR3_ASM)
        if (fast && cols > 0) { /* the assembly does at least one pixel */
            job.src = src;
            job.out = out;
            job.out_end = out + cols * out_channels;
            if (channels == 8) {
                te_1x1_small_k8(&job);
            } else {
                te_1x1_small_k16(&job);
            }
            continue;
        }
#endif
        for (x = 0; x < cols; ++x) {
            te_1x1_small_exact(src + x * step, channels, params, filter, out_channels, out + x * out_channels);
        }
    }
}

te_status te_conv_1x1_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                         const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims, int8_t *output,
                         void *scratch)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t pixels = output_dims->h * output_dims->w;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)channels;
    const size_t image_out = (size_t)pixels * (size_t)out_channels;
    int16_t *column = (int16_t *)scratch;
    int32_t b;
    if (filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != channels || out_channels != filter_dims->n ||
        output_dims->n != input_dims->n || params->pad_top != 0 || params->pad_left != 0 || params->stride_h < 1 ||
        params->stride_w < 1 || (output_dims->h - 1) * params->stride_h >= input_dims->h ||
        (output_dims->w - 1) * params->stride_w >= input_dims->w) {
        return TE_ERROR_ARGUMENT;
    }
    if (scratch == NULL) {
        return TE_ERROR_SCRATCH;
    }
    if (te_1x1_small_word(filter, 0) & 1) {
        for (b = 0; b < input_dims->n; ++b) {
            te_1x1_small_image(params, input_dims, output_dims, input + (size_t)b * image_in, filter,
                               output + (size_t)b * image_out);
        }
        return TE_OK;
    }
#if defined(TE_PAIR3_ASM)
    if (te_pair3_fits(filter, channels, out_channels) && (((uintptr_t)filter | (uintptr_t)scratch) & 3u) == 0) {
        te_pair3_out q;
        te_pair3_job job;
        te_pair3_setup(filter, channels, out_channels, params->output_offset, params->activation, &q, &job);
        for (b = 0; b < input_dims->n; ++b) {
            te_1x1_image_fast(params, &q, &job, input_dims, output_dims, input + (size_t)b * image_in, filter,
                              (int32_t *)scratch, output + (size_t)b * image_out);
        }
        return TE_OK;
    }
#endif
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t p;
        for (p = 0; p < pixels; ++p) {
            const int8_t *src = te_1x1_pixel(params, input_dims, output_dims, image, p);
            int32_t c;
            for (c = 0; c < channels; ++c) {
                column[c] = (int16_t)(src[c] + params->input_offset);
            }
            te_pair3_pixel_exact(column, channels, filter, out_channels, params->output_offset, params->activation,
                                 output + (size_t)b * image_out + (size_t)p * out_channels);
        }
    }
    return TE_OK;
}

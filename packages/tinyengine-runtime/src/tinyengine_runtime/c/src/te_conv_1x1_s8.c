/*
 * Pointwise (1x1) int8 CONV_2D on the packed filter layout of te_conv.h (rows in pairs, four
 * weights of one row then four of the other, rows padded to a multiple of four with zeros).
 *
 * The Cortex-M path computes three output pixels x two output channels per pass. The three input
 * pixels become one int16 column in scratch: per group of four channels the words
 *   A(k0,k2) B(k0,k2) C(k0,k2) A(k1,k3) B(k1,k3) C(k1,k3),   each lane 2 * (input + offset),
 * then a sentinel group (0x7F7F7F7F cannot be a column word: lanes are within +-510). The inner
 * loop (inline assembly) loads the pair's eight weights with one LDRD, each three column words
 * with one LDM, and feeds every SXTB16'd weight word to three SMLADs: 21 instructions per 24 MACs.
 * The accumulators are doubled (column and bias), so te_requant2 requantizes each output in three
 * instructions, and te_store_s8x2 stores the pair's two bytes of a pixel with one STRH.
 * A layer with a channel outside te_requant2's range (degenerate scales) requantizes with the
 * exact general form instead; a bias of 2^29 or more, more than 8192 input channels, builds
 * without optimisation (the loop needs 14 registers and no frame pointer) and the portable path
 * use the exact per-pixel loop.
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && defined(__OPTIMIZE__)
#define TE_1X1_ASM 1
#endif

#define TE_1X1_SENTINEL 0x7F7F7F7F
#define TE_1X1_MAX_CHANNELS 8192

/* Input channels rounded up to a multiple of four (the packed row length). */
static int32_t te_1x1_row(int32_t channels)
{
    return (channels + 3) & ~3;
}

size_t te_conv_1x1_s8_scratch_bytes(const te_dims *input_dims)
{
    return 6u * (size_t)te_1x1_row(input_dims->c) + 12u;
}

size_t te_conv_1x1_s8_filter_bytes(const te_dims *filter_dims)
{
    return (size_t)((filter_dims->n + 1) & ~1) * (size_t)te_1x1_row(filter_dims->c);
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

/* One output pixel, exact for any quantization: every channel's dot product read from the packed rows. */
static void te_1x1_pixel_exact(const te_conv_params *params, const te_per_channel_quant *quant, const int8_t *src,
                               int32_t channels, const int8_t *filter, const int32_t *bias, int32_t out_channels,
                               int8_t *out)
{
    const int32_t row = te_1x1_row(channels);
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        const int8_t *w = filter + (size_t)(oc >> 1) * 2u * (size_t)row + (size_t)(oc & 1) * 4u;
        int32_t acc = bias != NULL ? bias[oc] : 0;
        int32_t k;
        for (k = 0; k < channels; ++k) {
            acc += (int32_t)w[(k >> 2) * 8 + (k & 3)] * ((int32_t)src[k] + params->input_offset);
        }
        out[oc] = te_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc], params->output_offset,
                                   params->activation);
    }
}

#if defined(TE_1X1_ASM)
/* True when the doubled accumulators cannot overflow: |bias| < 2^29 and at most 8192 channels. */
static int te_1x1_fits(const int32_t *bias, int32_t channels, int32_t out_channels)
{
    int32_t oc;
    if (channels > TE_1X1_MAX_CHANNELS) {
        return 0;
    }
    for (oc = 0; bias != NULL && oc < out_channels; ++oc) {
        if (bias[oc] >= (1 << 29) || bias[oc] <= -(1 << 29)) {
            return 0;
        }
    }
    return 1;
}

/* True when te_requant2 applies to every channel (else the exact general requantization runs). */
static int te_1x1_requant2_all(const te_per_channel_quant *quant, int32_t out_channels)
{
    int32_t oc;
    for (oc = 0; oc < out_channels; ++oc) {
        if (!te_requant2_applies(quant->multiplier[oc], quant->shift[oc])) {
            return 0;
        }
    }
    return 1;
}

/* 2 * (input + offset) of four channels as the even (k0, k2) and odd (k1, k3) column words. */
static inline void te_1x1_widen(int32_t x, int32_t off2, int32_t *even, int32_t *odd)
{
    const int32_t e = __sxtab16(off2, x);
    const int32_t o = te_sxtab16_ror8(off2, x);
    *even = __sadd16(e, e);
    *odd = __sadd16(o, o);
}

/* The column of input pixels a, b, c (layout above), sentinel included. */
static void te_1x1_column3(const int8_t *a, const int8_t *b, const int8_t *c, int32_t channels,
                           int32_t input_offset, int32_t *words)
{
    const int32_t off2 = te_pack_s16x2(input_offset);
    int32_t i = 0;
    for (; i + 4 <= channels; i += 4) {
        te_1x1_widen(te_read_s8x4(a + i), off2, &words[0], &words[3]);
        te_1x1_widen(te_read_s8x4(b + i), off2, &words[1], &words[4]);
        te_1x1_widen(te_read_s8x4(c + i), off2, &words[2], &words[5]);
        words += 6;
    }
    if (i < channels) { /* the last, partial group: zeros past the last channel */
        int16_t *half = (int16_t *)(void *)words;
        const int8_t *src[3];
        int32_t j;
        int32_t p;
        src[0] = a;
        src[1] = b;
        src[2] = c;
        for (j = 0; j < 4; ++j) {
            for (p = 0; p < 3; ++p) {
                half[(j & 1) * 6 + p * 2 + (j >> 1)] =
                    (int16_t)(i + j < channels ? 2 * ((int32_t)src[p][i + j] + input_offset) : 0);
            }
        }
        words += 6;
    }
    words[0] = TE_1X1_SENTINEL;
    words[1] = TE_1X1_SENTINEL;
    words[2] = TE_1X1_SENTINEL;
}

/*
 * One block of three pixels for te_1x1_pairs (assembly): the fields it advances (bias, multiplier,
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
} te_1x1_job;

typedef char te_1x1_job_layout[(sizeof(te_1x1_job) == 52 && sizeof(void *) == 4) ? 1 : -1];

/*
 * Every full channel pair of one block: accumulators = 2 * bias, the dot loop, te_requant2 of the
 * six outputs, te_store_s8x2 of the three pixels' byte pairs. Registers: r0 column pointer (then
 * scratch), r1 weight pointer (kept across pairs), r2-r4 pixel A, B, C x channel 0, r5-r7 x
 * channel 1, r8/r9 the pair's four weights (then multipliers, shifts, offsets), r10-r12 three
 * column words, lr one SXTB16'd weight word (then a rounding term); [sp] = job.
 */
__attribute__((naked, noinline)) static void te_1x1_pairs(__attribute__((unused)) te_1x1_job *job)
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
} te_1x1_out;

/* The outputs of one pixel for channels oc and (pair) oc + 1, from doubled accumulators. */
TE_NOINLINE_ONE_COPY static void te_1x1_store_general(int8_t *out, int32_t acc2_0, int32_t acc2_1, int32_t oc,
                                                      int pair, const te_1x1_out *q)
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
TE_NOINLINE_ONE_COPY static void te_1x1_block3_general(const int32_t *column, const int8_t *filter, int32_t oc_begin,
                                                       int32_t out_channels, const te_1x1_out *q, int8_t *out_a,
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
        /* the dot loop of te_1x1_pairs (x0 / x1: pixel x's accumulators of the pair's channels) */
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
        te_1x1_store_general(out_a + oc, a0, a1, oc, pair, q);
        te_1x1_store_general(out_b + oc, b0, b1, oc, pair, q);
        te_1x1_store_general(out_c + oc, c0, c1, oc, pair, q);
    }
}

/* Output pixels A, B, C of a prepared column: full pairs in assembly, the rest in C. */
static void te_1x1_block3(const int32_t *column, const int8_t *filter, int32_t row, int32_t out_channels,
                          const te_1x1_out *q, te_1x1_job *job, int8_t *out_a, int8_t *out_b, int8_t *out_c)
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
        te_1x1_pairs(job);
    }
    if (2 * pairs < out_channels) {
        te_1x1_block3_general(column, filter + (size_t)pairs * 2u * (size_t)row, 2 * pairs, out_channels, q, out_a,
                              out_b, out_c);
    }
}

/* Every pixel of one batch image, three at a time (a short last block repeats its last pixel). */
static void te_1x1_image_fast(const te_conv_params *params, const te_1x1_out *q, te_1x1_job *job,
                              const te_dims *input_dims, const te_dims *output_dims, const int8_t *image,
                              const int8_t *filter, int32_t *column, int8_t *output)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t pixels = output_dims->h * output_dims->w;
    int32_t p;
    for (p = 0; p < pixels; p += 3) {
        const int32_t pb = p + 1 < pixels ? p + 1 : pixels - 1;
        const int32_t pc = p + 2 < pixels ? p + 2 : pixels - 1;
        te_1x1_column3(te_1x1_pixel(params, input_dims, output_dims, image, p),
                       te_1x1_pixel(params, input_dims, output_dims, image, pb),
                       te_1x1_pixel(params, input_dims, output_dims, image, pc), channels, params->input_offset,
                       column);
        te_1x1_block3(column, filter, te_1x1_row(channels), out_channels, q, job,
                      output + (size_t)p * (size_t)out_channels, output + (size_t)pb * (size_t)out_channels,
                      output + (size_t)pc * (size_t)out_channels);
    }
}
#endif

te_status te_conv_1x1_s8(const te_conv_params *params, const te_per_channel_quant *quant,
                         const te_dims *input_dims, const int8_t *input, const te_dims *filter_dims,
                         const int8_t *filter, const int32_t *bias, const te_dims *output_dims, int8_t *output,
                         void *scratch)
{
    const int32_t channels = input_dims->c;
    const int32_t out_channels = output_dims->c;
    const int32_t pixels = output_dims->h * output_dims->w;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)channels;
    const size_t image_out = (size_t)pixels * (size_t)out_channels;
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
#if defined(TE_1X1_ASM)
    if (te_1x1_fits(bias, channels, out_channels) && (((uintptr_t)filter | (uintptr_t)scratch) & 3u) == 0) {
        te_1x1_out q;
        te_1x1_job job;
        q.multiplier = quant->multiplier;
        q.shift = quant->shift;
        q.bias = bias;
        q.output_offset = params->output_offset;
        q.activation = params->activation;
        q.general = !te_1x1_requant2_all(quant, out_channels);
        job.offset21 = 2 * params->output_offset + 1;
        job.clamp = params->activation.min > -128 || params->activation.max < 127;
        job.lo2 = te_pack_s8x2(params->activation.min);
        job.hi2 = te_pack_s8x2(params->activation.max);
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
            te_1x1_pixel_exact(params, quant, te_1x1_pixel(params, input_dims, output_dims, image, p), channels,
                               filter, bias, out_channels, output + (size_t)b * image_out + (size_t)p * out_channels);
        }
    }
    return TE_OK;
}

/*
 * int8 CONV_2D on windows of at most TE_CONV_STREAM_MAX_TAPS taps (kh * kw * in_c; dilation 1) by
 * a per-pixel stream (te_conv.h: te_conv_im2col_stream_s8; person_detect's 3x3 one-channel layer):
 * an output pixel's taps x + input_offset (padding 0) are gathered as int16 pairs, then every
 * output channel's record (te_conv.h) runs through them: SMLADs on its doubled weights from its
 * doubled bias, te_requant2, SSAT. Tap pair order ("row pairs"): kernel rows (span = kw * in_c
 * bytes each) are taken two at a time, rows (a, b) giving the words (a[j], b[j]) for j < span; an
 * odd last row r gives (r[0], r[1]), (r[2], r[3]), ..., (r[span - 1], 0) when span is odd.
 * Cortex-M: three kernel rows of 3 bytes (person_detect's 3x3 on one channel) run whole rows of
 * inside windows in one assembly call (te_stream_run3 / _run3x4: word loads, SXTAB16, PKHBT/PKHTB
 * straight into the tap registers, then the channel stream; border windows from a 12-byte patch
 * of the padded image); other windows inside the input with span <= 4 gather with one word load
 * per kernel row in C, the rest tap by tap, then te_stream5 / te_stream6. The portable path is the
 * exact C loop over the same records; so is the Cortex-M path for a clamped activation, an odd
 * channel count or an unaligned filter. No scratch. One output pixel at a time, its window read
 * before its outputs are written (te_conv.h's overlap contract).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_requantize.h"

/* Tap pair words a record holds for a window of k taps: 5 up to 10 taps, else 6. */
static int32_t te_stream_words(int32_t k)
{
    return k <= 10 ? 5 : 6;
}

size_t te_conv_im2col_stream_s8_scratch_bytes(const te_dims *filter_dims)
{
    (void)filter_dims;
    return 0;
}

/* One layer's geometry as the gathers read it. */
typedef struct {
    int32_t in_h, in_w, in_c, kh, kw, span, row, stride_h, stride_w, pad_top, pad_left, offset;
} te_stream_geom;

/* Tap j of kernel row ky of the window at input (y0, x0): x + offset, 0 outside the input. */
static int32_t te_stream_tap(const te_stream_geom *g, const int8_t *image, int32_t y0, int32_t x0, int32_t ky,
                             int32_t j)
{
    const int32_t y = y0 + ky;
    const int32_t x = x0 + j / g->in_c;
    if (y < 0 || y >= g->in_h || x < 0 || x >= g->in_w) {
        return 0;
    }
    return image[y * g->row + x * g->in_c + j % g->in_c] + g->offset;
}

/* The window at input (y0, x0) as tap pair words in row-pair order, `words` of them (the rest 0). */
static void te_stream_gather(const te_stream_geom *g, const int8_t *image, int32_t y0, int32_t x0, uint32_t *taps,
                             int32_t words)
{
    int32_t n = 0;
    int32_t ky;
    int32_t j;
    for (ky = 0; ky + 1 < g->kh; ky += 2) {
        for (j = 0; j < g->span; ++j) {
            const uint32_t a = (uint32_t)te_stream_tap(g, image, y0, x0, ky, j) & 0xFFFFu;
            taps[n++] = a | ((uint32_t)te_stream_tap(g, image, y0, x0, ky + 1, j) << 16);
        }
    }
    if (ky < g->kh) {
        for (j = 0; j < g->span; j += 2) {
            const uint32_t a = (uint32_t)te_stream_tap(g, image, y0, x0, ky, j) & 0xFFFFu;
            const int32_t b = j + 1 < g->span ? te_stream_tap(g, image, y0, x0, ky, j + 1) : 0;
            taps[n++] = a | ((uint32_t)b << 16);
        }
    }
    while (n < words) {
        taps[n++] = 0;
    }
}

/* One output pixel, exactly: every channel's record through the taps, clamped to [lo, hi]. */
static void te_stream_pixel_c(const uint32_t *taps, const int32_t *rec, int32_t words, int32_t channels, int32_t lo,
                              int32_t hi, int8_t *out)
{
    int32_t o;
    int32_t i;
    for (o = 0; o < channels; ++o, rec += words + 4) {
        int32_t acc = rec[0];
        for (i = 0; i < words; ++i) {
            const uint32_t w = (uint32_t)rec[1 + i];
            acc += (int32_t)(int16_t)(taps[i] & 0xFFFFu) * (int32_t)(int16_t)(w & 0xFFFFu);
            acc += (int32_t)(int16_t)(taps[i] >> 16) * (int32_t)(int16_t)(w >> 16);
        }
        int32_t v = te_requant2(acc, rec[words + 1], rec[words + 2], rec[words + 3]);
        out[o] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

#if defined(__ARM_FEATURE_DSP)
/*
 * One output channel of te_stream5 (assembly): taps t0..t4 in r0-r4, record at ip (advanced), the
 * output at lr (advanced). r5 = 2 * bias, r6-r10 = the weight pairs: five SMLADs into r5; r6-r8 =
 * multiplier, round, right shift: te_requant2 (ADD, SMMLAR, ASR), SSAT, STRB.
 */
#define TE_STREAM5_CHANNEL                                                                                      \
    "ldm ip!, {r5-r10}\n\t"                                                                                       \
    "smlad r5, r0, r6, r5\n\t"                                                                                    \
    "smlad r5, r1, r7, r5\n\t"                                                                                    \
    "smlad r5, r2, r8, r5\n\t"                                                                                    \
    "smlad r5, r3, r9, r5\n\t"                                                                                    \
    "smlad r5, r4, r10, r5\n\t"                                                                                   \
    "ldm ip!, {r6-r8}\n\t"                                                                                        \
    "add r7, r7, r5, asr #31\n\t"                                                                                 \
    "smmlar r5, r5, r6, r7\n\t"                                                                                   \
    "asr r5, r5, r8\n\t"                                                                                          \
    "ssat r5, #8, r5\n\t"                                                                                         \
    "strb r5, [lr], #1\n\t"

/*
 * One output channel of te_stream6 (assembly): taps t0..t5 in r0-r5, record at ip, output at lr.
 * r6 = 2 * bias, r7-r10 = pairs 0..3 (four SMLADs), then r7-r10 = pairs 4, 5, multiplier, round
 * (two SMLADs, ADD, SMMLAR), r7 = right shift (ASR), SSAT, STRB.
 */
#define TE_STREAM6_CHANNEL                                                                                      \
    "ldm ip!, {r6-r10}\n\t"                                                                                       \
    "smlad r6, r0, r7, r6\n\t"                                                                                    \
    "smlad r6, r1, r8, r6\n\t"                                                                                    \
    "smlad r6, r2, r9, r6\n\t"                                                                                    \
    "smlad r6, r3, r10, r6\n\t"                                                                                   \
    "ldm ip!, {r7-r10}\n\t"                                                                                       \
    "smlad r6, r4, r7, r6\n\t"                                                                                    \
    "smlad r6, r5, r8, r6\n\t"                                                                                    \
    "add r10, r10, r6, asr #31\n\t"                                                                               \
    "smmlar r6, r6, r9, r10\n\t"                                                                                  \
    "ldr r7, [ip], #4\n\t"                                                                                        \
    "asr r6, r6, r7\n\t"                                                                                          \
    "ssat r6, #8, r6\n\t"                                                                                         \
    "strb r6, [lr], #1\n\t"

/*
 * Every channel of one output pixel (assembly; r0 = taps, r1 = records, r2 = output, r3 = its end:
 * an even channel count): the taps into r0..LAST, two channels per loop pass.
 */
#define TE_STREAM_FN(name, LAST, CHANNEL)                                                                       \
    __attribute__((naked, noinline)) static void name(__attribute__((unused)) const uint32_t *taps,            \
                                                      __attribute__((unused)) const int32_t *rec,              \
                                                      __attribute__((unused)) int8_t *out,                     \
                                                      __attribute__((unused)) int8_t *end)                     \
    {                                                                                                            \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                                                 \
                         "mov ip, r1\n\t"                                                                      \
                         "mov lr, r2\n\t"                                                                      \
                         "mov r11, r3\n\t"                                                                     \
                         "ldm r0, {r0-" LAST "}\n"                                                              \
                         "1:\n\t" CHANNEL CHANNEL "cmp lr, r11\n\t"                                            \
                         "bne 1b\n\t"                                                                          \
                         "pop {r4-r11, pc}\n");                                                                 \
    }

TE_STREAM_FN(te_stream5, "r4", TE_STREAM5_CHANNEL)
TE_STREAM_FN(te_stream6, "r5", TE_STREAM6_CHANNEL)

/* One output channel of te_stream_run3: taps in r5, r6, r7, r8, r4 (see there). */
#define TE_STREAM_RUN_CHANNEL                                                                                   \
    "ldm ip!, {r0-r3, r9, r10}\n\t"                                                                              \
    "smlad r0, r5, r1, r0\n\t"                                                                                    \
    "smlad r0, r6, r2, r0\n\t"                                                                                    \
    "smlad r0, r7, r3, r0\n\t"                                                                                    \
    "smlad r0, r8, r9, r0\n\t"                                                                                    \
    "smlad r0, r4, r10, r0\n\t"                                                                                   \
    "ldm ip!, {r1-r3}\n\t"                                                                                        \
    "add r2, r2, r0, asr #31\n\t"                                                                                 \
    "smmlar r0, r0, r1, r2\n\t"                                                                                   \
    "asr r0, r0, r3\n\t"                                                                                          \
    "ssat r0, #8, r0\n\t"                                                                                         \
    "strb r0, [lr], #1\n\t"

/* What te_stream_run3 reads (and advances: src). */
typedef struct {
    const int8_t *src;      /* [0] the next window's first byte (inside the input) */
    int32_t row;            /* [4] bytes of one input row */
    int32_t step;           /* [8] bytes from one window to the next: stride_w * in_c */
    uint32_t off2;          /* [12] the input offset in both halves */
    const int32_t *records; /* [16] */
    int32_t channels;       /* [20] even */
} te_stream_run;

/*
 * `pixels` consecutive output pixels of one row (assembly; r0 = run, r1 = output, r2 = pixels >= 1),
 * windows of three kernel rows of 3 bytes each (word loads inside the input), K = 9 (five tap words).
 * Per pixel: the rows' words A, B, C (one LDR each), SXTAB16 of each and of it rotated by 8 (x +
 * offset: A02 = (a0, a2), A13 = (a1, a3), ...), packed into the row-pair order t0 = (a0, b0), t1 =
 * (a1, b1), t2 = (a2, b2), t3 = (c0, c1), t4 = (c2, c3) in r5, r6, r7, r8, r4 (PKHBT / PKHTB; taps
 * past the window meet zero weights). Then every channel, two (or four) a pass: r0 = 2 * bias, r1-r3, r9,
 * r10 = the weight pairs (one LDM, five SMLADs into r0), r1-r3 = multiplier, round, right shift
 * (one LDM): te_requant2 (ADD, SMMLAR, ASR), SSAT, STRB at lr; ip the records, r11 the pixel's end.
 * [sp] holds run, [sp, #4] the pixels left.
 */
#define TE_STREAM_RUN3_FN(name, CHANNELS)                                                                       \
    __attribute__((naked, noinline)) static void name(__attribute__((unused)) te_stream_run *run,             \
                                                      __attribute__((unused)) int8_t *out,                     \
                                                      __attribute__((unused)) int32_t pixels)                  \
    {                                                                                                            \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                                                 \
                         "mov lr, r1\n\t"                                                                      \
                         "push {r0, r2}\n"                                                                      \
                         "2:\n\t"                                                                              \
                         "ldr ip, [sp]\n\t"                                                                    \
                         "ldm ip, {r5-r10}\n\t" /* src, row, step, off2, records, channels */                 \
                         "ldr r0, [r5]\n\t"                                                                    \
                         "ldr r1, [r5, r6]\n\t"                                                                \
                         "ldr r2, [r5, r6, lsl #1]\n\t"                                                        \
                         "add r5, r5, r7\n\t"                                                                  \
                         "str r5, [ip]\n\t"                                                                    \
                         "add r11, lr, r10\n\t"                                                                \
                         "mov ip, r9\n\t"                                                                      \
                         "sxtab16 r3, r8, r0\n\t"                                                              \
                         "sxtab16 r0, r8, r0, ror #8\n\t"                                                      \
                         "sxtab16 r4, r8, r1\n\t"                                                              \
                         "sxtab16 r1, r8, r1, ror #8\n\t"                                                      \
                         "sxtab16 r9, r8, r2\n\t"                                                              \
                         "sxtab16 r10, r8, r2, ror #8\n\t"                                                     \
                         "pkhbt r5, r3, r4, lsl #16\n\t"                                                       \
                         "pkhbt r6, r0, r1, lsl #16\n\t"                                                       \
                         "pkhtb r7, r4, r3, asr #16\n\t"                                                       \
                         "pkhbt r8, r9, r10, lsl #16\n\t"                                                      \
                         "pkhtb r4, r10, r9, asr #16\n"                                                         \
                         "1:\n\t" CHANNELS "cmp lr, r11\n\t"                                                   \
                         "bne 1b\n\t"                                                                          \
                         "ldr r0, [sp, #4]\n\t"                                                                \
                         "subs r0, r0, #1\n\t"                                                                 \
                         "str r0, [sp, #4]\n\t"                                                                \
                         "bne 2b\n\t"                                                                          \
                         "add sp, sp, #8\n\t"                                                                  \
                         "pop {r4-r11, pc}\n");                                                                 \
    }

/* Two channels a loop pass (an even channel count), and four (a multiple of four). */
TE_STREAM_RUN3_FN(te_stream_run3, TE_STREAM_RUN_CHANNEL TE_STREAM_RUN_CHANNEL)
TE_STREAM_RUN3_FN(te_stream_run3x4, TE_STREAM_RUN_CHANNEL TE_STREAM_RUN_CHANNEL TE_STREAM_RUN_CHANNEL
                                        TE_STREAM_RUN_CHANNEL)

/*
 * A window of three kernel rows of 3 bytes reaching outside the input as three 4-byte rows of
 * the padded image in patch (padding: the byte -offset, whose tap is 0), for te_stream_run3.
 */
static void te_stream_patch3(const te_stream_geom *g, const int8_t *image, int32_t y0, int32_t x0, int8_t *patch)
{
    const int8_t pad = (int8_t)-g->offset;
    int32_t ky;
    int32_t j;
    for (ky = 0; ky < 3; ++ky) {
        const int32_t y = y0 + ky;
        const int row_in = y >= 0 && y < g->in_h;
        for (j = 0; j < 3; ++j) {
            const int32_t x = x0 + j / g->in_c;
            patch[4 * ky + j] = row_in && x >= 0 && x < g->in_w ? image[y * g->row + x0 * g->in_c + j] : pad;
        }
        patch[4 * ky + 3] = pad;
    }
}

/* (lo, hi) low halves: PKHBT. */
static inline uint32_t te_pk_lo(uint32_t lo, uint32_t hi)
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

/* (lo, hi) high halves: PKHTB. */
static inline uint32_t te_pk_hi(uint32_t lo, uint32_t hi)
{
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}

/*
 * A window inside the input whose kernel rows are at most four bytes (one word load each: the
 * word stays inside the input row): tap pair words in row-pair order, the taps x + offset
 * (off2 = the offset in both halves; SXTAB16 of the word and of it rotated by 8).
 */
static void te_stream_gather_words(const te_stream_geom *g, const int8_t *src, uint32_t off2, uint32_t *taps)
{
    const int32_t span = g->span;
    int32_t ky;
    for (ky = 0; ky + 1 < g->kh; ky += 2, src += 2 * g->row, taps += span) {
        const int32_t a = te_read_s8x4(src);
        const int32_t b = te_read_s8x4(src + g->row);
        const uint32_t a02 = (uint32_t)__sxtab16((int32_t)off2, a);
        const uint32_t a13 = (uint32_t)te_sxtab16_ror8((int32_t)off2, a);
        const uint32_t b02 = (uint32_t)__sxtab16((int32_t)off2, b);
        const uint32_t b13 = (uint32_t)te_sxtab16_ror8((int32_t)off2, b);
        taps[0] = te_pk_lo(a02, b02);
        taps[1] = te_pk_lo(a13, b13);
        taps[2] = te_pk_hi(a02, b02);
        taps[3] = te_pk_hi(a13, b13);
    }
    if (ky < g->kh) { /* the odd last row: (r0, r1), (r2, r3) (r3 times a zero weight when span is 3) */
        const int32_t a = te_read_s8x4(src);
        const uint32_t a02 = (uint32_t)__sxtab16((int32_t)off2, a);
        const uint32_t a13 = (uint32_t)te_sxtab16_ror8((int32_t)off2, a);
        taps[0] = te_pk_lo(a02, a13);
        taps[1] = te_pk_hi(a02, a13);
    }
}

/* The first and last output index whose window (`kernel` elements read) lies inside [0, size). */
static void te_stream_inner(int32_t size, int32_t kernel, int32_t stride, int32_t pad, int32_t out, int32_t *first,
                            int32_t *last)
{
    const int32_t hi = size - kernel + pad;
    *first = (pad + stride - 1) / stride;
    *last = hi < 0 ? -1 : hi / stride;
    if (*last > out - 1) {
        *last = out - 1;
    }
}
#endif

te_status te_conv_im2col_stream_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                                   const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                                   int8_t *output, void *scratch)
{
    const int32_t k = filter_dims->h * filter_dims->w * filter_dims->c;
    const int32_t words = te_stream_words(k);
    const int32_t channels = output_dims->c;
    const int32_t *records = (const int32_t *)(const void *)filter;
    const int32_t lo = params->activation.min;
    const int32_t hi = params->activation.max;
    te_stream_geom g;
    uint32_t taps[12] = {0}; /* the word gathers write up to 9 words; unused pairs meet zero weights */
    int32_t b;
    int32_t o;
    (void)scratch;
    if (k > TE_CONV_STREAM_MAX_TAPS || filter_dims->c != input_dims->c || params->dilation_h != 1 ||
        params->dilation_w != 1 || ((uintptr_t)filter & 3u) != 0) {
        return TE_ERROR_ARGUMENT;
    }
    for (o = 0; o < channels; ++o) { /* te_requant2's range, the round made for this output offset */
        const int32_t *r = records + o * (words + 4);
        const int32_t e = r[words + 3];
        if (r[words + 1] < 0 || e < 1 || e > TE_REQ2_MAX_EXPONENT || r[0] >= (1 << 30) || r[0] <= -(1 << 30) ||
            r[words + 2] != te_requant2_round(-e, params->output_offset)) {
            return TE_ERROR_ARGUMENT;
        }
    }
    g.in_h = input_dims->h;
    g.in_w = input_dims->w;
    g.in_c = input_dims->c;
    g.kh = filter_dims->h;
    g.kw = filter_dims->w;
    g.span = g.kw * g.in_c;
    g.row = g.in_w * g.in_c;
    g.stride_h = params->stride_h;
    g.stride_w = params->stride_w;
    g.pad_top = params->pad_top;
    g.pad_left = params->pad_left;
    g.offset = params->input_offset;
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + b * input_dims->h * g.row;
        int8_t *out = output + b * output_dims->h * output_dims->w * channels;
        int32_t oy;
        int32_t ox;
#if defined(__ARM_FEATURE_DSP)
        if (lo <= -128 && hi >= 127 && channels % 2 == 0 && channels > 0) {
            void (*stream)(const uint32_t *, const int32_t *, int8_t *, int8_t *) = words == 5 ? te_stream5
                                                                                               : te_stream6;
            const uint32_t off2 = (uint32_t)(g.offset & 0xFFFF) * 0x00010001u;
            /* the word loads need 4 bytes of each kernel row inside the input row */
            const int32_t kw4 = (4 + g.in_c - 1) / g.in_c;
            int32_t y_first;
            int32_t y_last;
            int32_t x_first;
            int32_t x_last;
            te_stream_inner(g.in_h, g.kh, g.stride_h, g.pad_top, output_dims->h, &y_first, &y_last);
            te_stream_inner(g.in_w, kw4 > g.kw ? kw4 : g.kw, g.stride_w, g.pad_left, output_dims->w, &x_first,
                            &x_last);
            /* three kernel rows of 3 bytes: te_stream_run3 */
            void (*run3)(te_stream_run *, int8_t *, int32_t) =
                g.kh != 3 || g.span != 3 ? NULL : channels % 4 ? te_stream_run3 : te_stream_run3x4;
            te_stream_run run = {NULL, g.row, g.stride_w * g.in_c, off2, records, channels};
            if (g.span > 4) {
                y_last = -1; /* every window tap by tap */
            }
            for (oy = 0; oy < output_dims->h; ++oy) {
                const int32_t y0 = oy * g.stride_h - g.pad_top;
                const int row_in = oy >= y_first && oy <= y_last;
                for (ox = 0; ox < output_dims->w; ++ox, out += channels) {
                    const int32_t x0 = ox * g.stride_w - g.pad_left;
                    if (row_in && ox >= x_first && ox <= x_last) {
                        if (run3) { /* the row's inside windows in one call */
                            run.src = image + y0 * g.row + x0 * g.in_c;
                            run3(&run, out, x_last - ox + 1);
                            out += (x_last - ox) * channels;
                            ox = x_last;
                            continue;
                        }
                        te_stream_gather_words(&g, image + y0 * g.row + x0 * g.in_c, off2, taps);
                    } else if (run3) { /* a border window from a patch of the padded image */
                        te_stream_run border = {NULL, 4, 0, off2, records, channels};
                        uint32_t patch[3];
                        te_stream_patch3(&g, image, y0, x0, (int8_t *)patch);
                        border.src = (const int8_t *)patch;
                        run3(&border, out, 1);
                        continue;
                    } else {
                        te_stream_gather(&g, image, y0, x0, taps, words);
                    }
                    stream(taps, records, out, out + channels);
                }
            }
            continue;
        }
#endif
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox, out += channels) {
                te_stream_gather(&g, image, oy * g.stride_h - g.pad_top, ox * g.stride_w - g.pad_left, taps,
                                 words);
                te_stream_pixel_c(taps, records, words, channels, lo, hi, out);
            }
        }
    }
    return TE_OK;
}

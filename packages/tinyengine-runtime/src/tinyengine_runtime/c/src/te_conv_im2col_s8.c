/*
 * int8 CONV_2D by im2col for a small window (K = kh * kw * in_c <= TE_CONV_IM2COL_MAX_TAPS): network
 * stems (3x3 on 3 channels) and DEPTHWISE_CONV_2D on one input channel (te-gen lowers it to this
 * kernel: multiplier M = M output channels, its filter transposed to [M, kh, kw, 1]), on the packed
 * filter of te_conv.h (rows of the K taps, padded to a multiple of four, in pairs) whose biases
 * hold the input offset's part: bias + (input_offset - 128) * (sum of the channel's weights).
 *
 * So every tap counts as input + 128 (x ^ 0x80 as an unsigned byte) and a padding tap as the byte
 * -input_offset: (-input_offset + 128) * w cancels that bias term. The Cortex-M path builds one
 * te_pair.h column of three output pixels (raster order; a short last block repeats its last
 * pixel) and runs te_pair3_block on it. The column is converted four taps of the three pixels at a
 * time (te_im2col_gather, assembly: one word load per pixel, EOR and two masked ANDs give the
 * words 2 * (x + 128) of taps (0, 2) and (1, 3), one STM writes the group's six words) straight
 * from the input rows for windows inside the input when a kernel row is a whole number of groups
 * (kw * in_c a multiple of four, dilation 1), else from byte patches in scratch (each window's K
 * bytes in tap order); 3x3 windows on 3 channels inside the input take the stem's spliced loads
 * (te_stem_interior). The portable path converts one patch to int16 (x + 128) for
 * te_pair3_pixel_exact.
 */
#include <string.h>

#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pair.h"

/* Geometry of one layer, read per output pixel. */
typedef struct {
    int32_t in_h, in_w, in_c;
    int32_t kh, kw;
    int32_t span;  /* kw * in_c: the bytes of one kernel row (dilation 1) */
    int32_t row;   /* in_w * in_c: bytes of one input row */
    int32_t stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w;
    int8_t pad;    /* -input_offset: a padding tap (its value + offset is 0) */
    int plain;     /* dilation 1 */
} te_im2col_geom;

size_t te_conv_im2col_s8_scratch_bytes(const te_dims *filter_dims)
{
    return 9u * (size_t)te_pair3_row(filter_dims->h * filter_dims->w * filter_dims->c) + 12u;
}

/* n bytes from src to dst, a word at a time (the last word may overlap the one before it). */
TE_NOINLINE_ONE_COPY static void te_im2col_copy(int8_t *dst, const int8_t *src, int32_t n)
{
    int32_t j;
    if (n < 4) {
        for (j = 0; j < n; ++j) {
            dst[j] = src[j];
        }
        return;
    }
    for (j = 0; j + 4 < n; j += 4) {
        memcpy(dst + j, src + j, 4);
    }
    memcpy(dst + n - 4, src + n - 4, 4);
}

/*
 * n bytes of pad4's value at dst, whole words: up to 3 more bytes are written past n (a patch is
 * filled in order, so they land where the next bytes go, past K, or on the column: rewritten).
 */
TE_NOINLINE_ONE_COPY static void te_im2col_fill(int8_t *dst, int32_t n, uint32_t pad4)
{
    int32_t j;
    for (j = 0; j < n; j += 4) {
        memcpy(dst + j, &pad4, 4);
    }
}

/*
 * The K bytes of output pixel (oy, ox)'s window into patch, tap order (ky, kx, channel), padding
 * g->pad: per kernel row, runs of padding columns and of input columns (one run of input columns
 * per row without dilation).
 */
TE_NOINLINE_ONE_COPY static void te_im2col_patch(const te_im2col_geom *g, const int8_t *image, int32_t oy, int32_t ox,
                                                 int8_t *patch)
{
    const int32_t y0 = oy * g->stride_h - g->pad_top;
    const int32_t x0 = ox * g->stride_w - g->pad_left;
    const uint32_t pad4 = (uint8_t)g->pad * 0x01010101u;
    int32_t ky;
    if (g->plain) { /* per kernel row: padding columns, the columns inside the input, padding columns */
        const int32_t span = g->span;
        const int32_t left = (x0 < 0 ? (-x0 < g->kw ? -x0 : g->kw) : 0) * g->in_c;
        const int32_t end = (g->in_w - x0 < g->kw ? (g->in_w - x0 > 0 ? g->in_w - x0 : 0) : g->kw) * g->in_c;
        const int32_t mid = end > left ? end - left : 0;
        const int8_t *src = image + y0 * g->row + x0 * g->in_c + left;
        for (ky = 0; ky < g->kh; ++ky, patch += span, src += g->row) {
            if (y0 + ky < 0 || y0 + ky >= g->in_h) {
                te_im2col_fill(patch, span, pad4);
                continue;
            }
            te_im2col_fill(patch, left, pad4);
            te_im2col_copy(patch + left, src, mid);
            te_im2col_fill(patch + left + mid, span - left - mid, pad4);
        }
        return;
    }
    for (ky = 0; ky < g->kh; ++ky) {
        const int32_t iy = y0 + ky * g->dilation_h;
        int32_t kx = 0;
        while (kx < g->kw) {
            const int32_t ix = x0 + kx * g->dilation_w;
            int32_t n = 1;
            if (iy < 0 || iy >= g->in_h) {
                n = g->kw;
                te_im2col_fill(patch, g->span, pad4);
            } else if (ix < 0 || ix >= g->in_w) {
                te_im2col_fill(patch, g->in_c, pad4);
            } else {
                te_im2col_copy(patch, image + iy * g->row + ix * g->in_c, g->in_c);
            }
            kx += n;
            patch += n * g->in_c;
        }
    }
}

#if defined(TE_PAIR3_ASM)
/* What te_im2col_gather reads: rows of `groups` four-tap groups, each pointer advanced by its step between rows. */
typedef struct {
    int32_t *words;   /* [0] the column */
    int32_t groups;   /* [4] groups per row */
    int32_t rows;     /* [8] */
    int32_t k;        /* [12] 0x01FE01FE */
    int32_t step[3];  /* [16] per pixel: bytes from the end of one row to the start of the next */
} te_im2col_job;

/*
 * The loop of te_im2col_gather: r0, r1, r2 the three pixels' source pointers, r3 the column, r4
 * the constant, r5 the groups left in the row, lr the rows left; per group one word per pixel
 * into r6, r7, r8, CONVERT leaves taps (0, 2) there and taps (1, 3) in r9, r10, r11, and one STM
 * writes A02 B02 C02 A13 B13 C13.
 */
#define TE_IM2COL_ASM_GATHER(CONVERT)                                                                             \
    "push {r4-r11, lr}\n\t"                                                                                       \
    "mov ip, r3\n\t"                                                                                              \
    "ldr r3, [ip]\n\t"                                                                                            \
    "ldr r4, [ip, #12]\n\t"                                                                                       \
    "ldr lr, [ip, #8]\n"                                                                                          \
    "1:\n\t"                                                                                                      \
    "ldr r5, [ip, #4]\n"                                                                                          \
    "2:\n\t"                                                                                                      \
    "ldr r6, [r0], #4\n\t"                                                                                        \
    "ldr r7, [r1], #4\n\t"                                                                                        \
    "ldr r8, [r2], #4\n\t" CONVERT("r6", "r9") CONVERT("r7", "r10") CONVERT("r8", "r11")                          \
    "stm r3!, {r6-r11}\n\t"                                                                                       \
    "subs r5, r5, #1\n\t"                                                                                         \
    "bne 2b\n\t"                                                                                                  \
    "ldr r5, [ip, #16]\n\t"                                                                                       \
    "add r0, r0, r5\n\t"                                                                                          \
    "ldr r5, [ip, #20]\n\t"                                                                                       \
    "add r1, r1, r5\n\t"                                                                                          \
    "ldr r5, [ip, #24]\n\t"                                                                                       \
    "add r2, r2, r5\n\t"                                                                                          \
    "subs lr, lr, #1\n\t"                                                                                         \
    "bne 1b\n\t"                                                                                                  \
    "pop {r4-r11, pc}\n"

/* 2 * (x + 128) = 2 * (x ^ 0x80) as an unsigned byte, masked into place (r4 = 0x01FE01FE). */
#define TE_IM2COL_ASM_CONVERT(x, odd)                                                                          \
    "eor " x ", " x ", #0x80808080\n\t"                                                                           \
    "and " odd ", r4, " x ", lsr #7\n\t"                                                                          \
    "and " x ", r4, " x ", lsl #1\n\t"

/* The column groups of pixels a, b, c: every tap 2 * (x + 128). */
__attribute__((naked, noinline)) static void te_im2col_gather(__attribute__((unused)) const int8_t *a,
                                                              __attribute__((unused)) const int8_t *b,
                                                              __attribute__((unused)) const int8_t *c,
                                                              __attribute__((unused)) const te_im2col_job *job)
{
    __asm__ volatile(TE_IM2COL_ASM_GATHER(TE_IM2COL_ASM_CONVERT));
}

/* The first and last output index whose window lies inside [0, size) along one axis (last < first: none). */
static void te_im2col_inner(int32_t size, int32_t kernel, int32_t stride, int32_t pad, int32_t out, int32_t *first,
                            int32_t *last)
{
    const int32_t hi = size - kernel + pad;
    *first = (pad + stride - 1) / stride;
    *last = hi < 0 ? -1 : hi / stride;
    if (*last > out - 1) {
        *last = out - 1;
    }
}

/*
 * The K bytes of a window inside the input (dilation 1) from its first byte src into patch: per
 * kernel row one word copy when the row is shorter than a word (the word's extra bytes land on the
 * next row's place or past K: rewritten, or read against a zero weight; reading them stays inside
 * the input: the caller checks), else word copies.
 */
TE_NOINLINE_ONE_COPY static void te_im2col_inside_patch(const te_im2col_geom *g, const int8_t *src, int8_t *patch, int words)
{
    int32_t ky;
    for (ky = 0; ky < g->kh; ++ky) {
        if (words) {
            memcpy(patch, src, 4);
        } else {
            te_im2col_copy(patch, src, g->span);
        }
        patch += g->span;
        src += g->row;
    }
}

/* 2 * (input + 128) of four taps x into the pixel's even (t0, t2) and odd (t1, t3) words of a group. */
static inline void te_stem_group(int32_t x, uint32_t mask, int32_t *words)
{
    const uint32_t u = (uint32_t)x ^ 0x80808080u;
    words[0] = (int32_t)((u << 1) & mask);
    words[3] = (int32_t)((u >> 7) & mask);
}

/*
 * A 3x3 window on 3 channels inside the input (dilation 1) from its three 9-byte kernel rows a,
 * b, c straight into its column words (words = the column + the pixel's index in the block).
 * Groups that straddle two rows are spliced; the last group's fourth tap (its weight is 0) reads as 0.
 */
static inline void te_stem_interior(const int8_t *a, const int8_t *b, const int8_t *c, int32_t *words)
{
    const uint32_t mask = 0x01FE01FEu;
    te_stem_group(te_read_s8x4(a), mask, words);
    te_stem_group(te_read_s8x4(a + 4), mask, words + 6);
    /* a[8], b[0..2]: the byte before b is inside the image (b's row is not the first) */
    te_stem_group((int32_t)(((uint32_t)te_read_s8x4(b - 1) & 0xFFFFFF00u) | (uint8_t)a[8]), mask, words + 12);
    te_stem_group(te_read_s8x4(b + 3), mask, words + 18);
    te_stem_group((int32_t)(te_read_u8x2(b + 7) | (te_read_u8x2(c) << 16)), mask, words + 24);
    te_stem_group(te_read_s8x4(c + 2), mask, words + 30);
    te_stem_group((int32_t)((uint32_t)te_read_s8x4(c + 5) >> 8), mask, words + 36);
}

/*
 * Every output pixel of one batch image, three at a time, through te_pair3_block. A window inside
 * the input (dilation 1) converts straight from the input rows when a kernel row is a whole number
 * of groups (kw * in_c a multiple of four), the others from patches; 3x3 windows on 3 channels
 * through te_stem_interior when the block's three lie inside; otherwise every window through a patch.
 */
static void te_im2col_image_fast(const te_im2col_geom *g, const te_pair3_out *q,
                                 te_pair3_job *job, const te_dims *output_dims, int32_t length, const int8_t *image,
                                 const int8_t *filter, int32_t *column, int8_t *patches, int8_t *output)
{
    const int32_t width = output_dims->w;
    const int32_t pixels = output_dims->h * width;
    const int32_t out_channels = output_dims->c;
    const int32_t row = te_pair3_row(length);
    const int32_t next = g->stride_w * g->in_c; /* input bytes from one pixel's window to the next's */
    const int direct = (g->span & 3) == 0;
    const int stem = g->kh == 3 && g->span == 9;
    /* windows starting before this byte may copy a short kernel row as a word */
    const int8_t *word_end = image + g->in_h * g->row - (g->kh - 1) * g->row - 4;
    te_im2col_job inside_job; /* three windows inside the input, straight from its rows */
    te_im2col_job mixed_job;  /* patches (and, direct, windows inside) */
    int32_t y_first;
    int32_t y_last;
    int32_t x_first;
    int32_t x_last;
    int32_t oy = 0;
    int32_t ox = 0;
    int row_in;
    const int8_t *line = image - g->pad_top * g->row - g->pad_left * g->in_c; /* window of (oy, 0) */
    int8_t *o = output;
    int32_t p;
    te_im2col_inner(g->in_h, g->kh, g->stride_h, g->pad_top, output_dims->h, &y_first, &y_last);
    te_im2col_inner(g->in_w, g->kw, g->stride_w, g->pad_left, width, &x_first, &x_last);
    if (!g->plain) {
        y_last = -1; /* every window through te_im2col_patch */
    }
    row_in = 0 >= y_first && 0 <= y_last;
    inside_job.words = column;
    inside_job.groups = direct ? g->span >> 2 : row >> 2;
    inside_job.rows = direct ? g->kh : 1;
    inside_job.k = 0x01FE01FE;
    inside_job.step[0] = g->row - g->span;
    inside_job.step[1] = g->row - g->span;
    inside_job.step[2] = g->row - g->span;
    mixed_job = inside_job;
    for (p = 0; p < pixels; p += 3, o += 3 * out_channels) {
        const int8_t *src[3];
        int8_t *out[3];
        int32_t at[3][2];
        int inside = 1;
        int32_t k;
#pragma GCC unroll 1
        for (k = 0; k < 3; ++k) {
            at[k][0] = oy;
            at[k][1] = ox;
            inside = inside && row_in && ox >= x_first && ox <= x_last;
            src[k] = line + ox * next;
            out[k] = p + k < pixels ? o + k * out_channels : out[k - 1]; /* a short last block repeats its last pixel */
            if (p + k + 1 < pixels && ++ox == width) {
                ox = 0;
                ++oy;
                line += g->stride_h * g->row;
                row_in = oy >= y_first && oy <= y_last;
            }
        }
        if (inside && stem) {
#pragma GCC unroll 1
            for (k = 0; k < 3; ++k) {
                te_stem_interior(src[k], src[k] + g->row, src[k] + 2 * g->row, column + k);
            }
        } else if (inside && direct) {
            te_im2col_gather(src[0], src[1], src[2], &inside_job);
        } else {
#pragma GCC unroll 1
            for (k = 0; k < 3; ++k) {
                const int32_t y = at[k][0];
                const int32_t x = at[k][1];
                int8_t *patch = patches + k * row;
                mixed_job.step[k] = 0;
                if (y < y_first || y > y_last || x < x_first || x > x_last) {
                    te_im2col_patch(g, image, y, x, patch);
                    src[k] = patch;
                } else if (direct) {
                    mixed_job.step[k] = g->row - g->span;
                } else {
                    te_im2col_inside_patch(g, src[k], patch, g->span < 4 && src[k] < word_end);
                    src[k] = patch;
                }
            }
            te_im2col_gather(src[0], src[1], src[2], &mixed_job);
        }
        te_pair3_block(column, filter, row, out_channels, q, job, out[0], out[1], out[2]);
    }
}
#endif

te_status te_conv_im2col_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                            const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                            int8_t *output, void *scratch)
{
    const int32_t length = filter_dims->h * filter_dims->w * filter_dims->c;
    const int32_t row = te_pair3_row(length);
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int8_t *patches = (int8_t *)scratch; /* then the column */
    te_im2col_geom g;
    int32_t b;
    if (filter_dims->h < 1 || filter_dims->w < 1 || filter_dims->c != input_dims->c || input_dims->c < 1 ||
        length > TE_CONV_IM2COL_MAX_TAPS || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
        params->stride_h < 1 || params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1 ||
        params->input_offset < -127 || params->input_offset > 128) {
        return TE_ERROR_ARGUMENT;
    }
    if (scratch == NULL) {
        return TE_ERROR_SCRATCH;
    }
    g.in_h = input_dims->h;
    g.in_w = input_dims->w;
    g.in_c = input_dims->c;
    g.kh = filter_dims->h;
    g.kw = filter_dims->w;
    g.span = filter_dims->w * input_dims->c;
    g.row = input_dims->w * input_dims->c;
    g.stride_h = params->stride_h;
    g.stride_w = params->stride_w;
    g.pad_top = params->pad_top;
    g.pad_left = params->pad_left;
    g.dilation_h = params->dilation_h;
    g.dilation_w = params->dilation_w;
    g.pad = (int8_t)(-params->input_offset);
    g.plain = params->dilation_h == 1 && params->dilation_w == 1;
    memset(patches, g.pad, 3u * (size_t)row); /* the taps past K keep it (their weights are 0) */
#if defined(TE_PAIR3_ASM)
    if (!te_pair3_fits(filter, length, output_dims->c) || (((uintptr_t)filter | (uintptr_t)scratch) & 3u) != 0) {
        return TE_ERROR_ARGUMENT; /* te-gen never asks: |bias| < 2^29, word arrays */
    }
    {
        const size_t image_out = (size_t)output_dims->h * (size_t)output_dims->w * (size_t)output_dims->c;
        int32_t *column = (int32_t *)(void *)(patches + 3 * row);
        te_pair3_out q;
        te_pair3_job job;
        te_pair3_setup(filter, length, output_dims->c, params->output_offset, params->activation, &q, &job);
        te_pair3_end(column, row >> 2);
        for (b = 0; b < input_dims->n; ++b) {
            te_im2col_image_fast(&g, &q, &job, output_dims, length, input + (size_t)b * image_in, filter,
                                 column, patches, output + (size_t)b * image_out);
        }
    }
#else
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                int16_t *column = (int16_t *)(void *)(patches + 3 * row);
                int32_t t;
                te_im2col_patch(&g, image, oy, ox, patches);
                for (t = 0; t < length; ++t) {
                    column[t] = (int16_t)(patches[t] + 128); /* the packed bias holds the offset's part */
                }
                te_pair3_pixel_exact(column, length, filter, output_dims->c, params->output_offset,
                                     params->activation, output);
                output += output_dims->c;
            }
        }
    }
#endif
    return TE_OK;
}

/*
 * tinyengine-runtime: the pieces te_conv_im2col_s8 and te_conv_im2col_rows_s8 share (te_im2col.h):
 * window patches, the Cortex-M column gather, the common entry with its portable exact loop.
 */
#include <string.h>

#include "tinyengine/te_im2col.h"
#include "tinyengine/te_mac.h"


/* n bytes from src to dst, a word at a time (the last word may overlap the one before it). */
TE_NOINLINE_ONE_COPY
void te_im2col_copy(int8_t *dst, const int8_t *src, int32_t n)
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
TE_NOINLINE_ONE_COPY
void te_im2col_patch(const te_im2col_geom *g, const int8_t *image, int32_t oy, int32_t ox, int8_t *patch)
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

/*
 * The loop of te_im2col_gather: r0, r1, r2 the three pixels' source pointers, r3 the column, r4
 * the constant, r5 the groups left in the row, lr the rows left; per group one word per pixel
 * into r6, r7, r8, CONVERT leaves taps (0, 2) there and taps (1, 3) in r9, r10, r11, and one STM
 * writes A02 B02 C02 A13 B13 C13.
 */
#define TE_IM2COL_ASM_GATHER                                                                                      \
    "push {r4-r11, lr}\n\t"                                                                                       \
    "mov ip, r3\n\t"                                                                                              \
    "ldr r3, [ip]\n\t"                                                                                            \
    "ldr r4, [ip, #12]\n\t"                                                                                       \
    "ldr lr, [ip, #8]\n"                                                                                          \
    "1:\n\t"                                                                                                      \
    "ldr r5, [ip, #4]\n"                                                                                          \
    "2:\n\t"                                                                                                      \
    TE_IM2COL_ASM_GROUP                                                                                           \
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

/* The column groups of pixels a, b, c: every tap 2 * (x + 128). */
__attribute__((naked, noinline))
void te_im2col_gather(__attribute__((unused)) const int8_t *a, __attribute__((unused)) const int8_t *b,
                      __attribute__((unused)) const int8_t *c, __attribute__((unused)) const te_im2col_job *job)
{
    __asm__ volatile(TE_IM2COL_ASM_GATHER);
}
#endif

/* Checks, the layer, every batch image (declared in te_im2col.h). */
te_status te_im2col_run(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                        const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims, int8_t *output,
                        void *scratch, te_im2col_image_fn image)
{
    const int32_t length = filter_dims->h * filter_dims->w * filter_dims->c;
    const int32_t row = te_pair3_row(length);
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * (size_t)input_dims->c;
    int8_t *patches = (int8_t *)scratch; /* then the column */
    te_im2col_layer layer;
    te_im2col_geom *g = &layer.g;
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
    g->in_h = input_dims->h;
    g->in_w = input_dims->w;
    g->in_c = input_dims->c;
    g->kh = filter_dims->h;
    g->kw = filter_dims->w;
    g->span = filter_dims->w * input_dims->c;
    g->row = input_dims->w * input_dims->c;
    g->stride_h = params->stride_h;
    g->stride_w = params->stride_w;
    g->pad_top = params->pad_top;
    g->pad_left = params->pad_left;
    g->dilation_h = params->dilation_h;
    g->dilation_w = params->dilation_w;
    g->pad = (int8_t)(-params->input_offset);
    g->plain = params->dilation_h == 1 && params->dilation_w == 1;
    layer.output_dims = output_dims;
    layer.length = length;
    layer.row = row;
    layer.filter = filter;
    layer.patches = patches;
    layer.column = (int32_t *)(void *)(patches + 3 * row);
    memset(patches, g->pad, 3u * (size_t)row); /* the taps past K keep it (their weights are 0) */
#if defined(TE_PAIR3_ASM)
    const size_t image_out = (size_t)output_dims->h * (size_t)output_dims->w * (size_t)output_dims->c;
    if (!te_pair3_fits(filter, length, output_dims->c) || (((uintptr_t)filter | (uintptr_t)scratch) & 3u) != 0) {
        return TE_ERROR_ARGUMENT; /* te-gen never asks: |bias| < 2^29, word arrays */
    }
    te_pair3_setup(filter, length, output_dims->c, params->output_offset, params->activation, &layer.q, &layer.job);
    te_pair3_end(layer.column, row >> 2);
    for (b = 0; b < input_dims->n; ++b) {
        image(&layer, input + (size_t)b * image_in, output + (size_t)b * image_out);
    }
#else
    (void)image;
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *pixels = input + (size_t)b * image_in;
        int16_t *column = (int16_t *)(void *)layer.column;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                int32_t t;
                te_im2col_patch(g, pixels, oy, ox, patches);
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

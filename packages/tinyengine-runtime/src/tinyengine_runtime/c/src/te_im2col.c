/*
 * tinyengine-runtime: the pieces te_conv_im2col_s8 and te_conv_im2col_rows_s8 share (te_im2col.h):
 * window patches, the Cortex-M column gather (with the column's sums), the common entry with its portable exact loop.
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
 * One group of te_im2col_gather: a word of four taps from each of r0, r1, r2 (advanced), EOR
 * 0x80 per byte (x + 128 as an unsigned byte), each added to its pixel's sum by USADA8 against r9
 * = 0 (r5, ip, lr: A, B, C), then 2 * (x + 128) masked into place (r4 = 0x01FE01FE): taps (0, 2)
 * in r6-r8, (1, 3) in r9-r11; one STM of the six words A02 B02 C02 A13 B13 C13 at r3 (advanced).
 */
#define TE_IM2COL_ASM_GROUP                                                                                     \
    "ldr r6, [r0], #4\n\t"                                                                                        \
    "ldr r7, [r1], #4\n\t"                                                                                        \
    "ldr r8, [r2], #4\n\t"                                                                                        \
    "eor r6, r6, #0x80808080\n\t"                                                                                 \
    "eor r7, r7, #0x80808080\n\t"                                                                                 \
    "eor r8, r8, #0x80808080\n\t"                                                                                 \
    "mov r9, #0\n\t"                                                                                              \
    "usada8 r5, r6, r9, r5\n\t"                                                                                   \
    "usada8 ip, r7, r9, ip\n\t"                                                                                   \
    "usada8 lr, r8, r9, lr\n\t"                                                                                   \
    "and r9, r4, r6, lsr #7\n\t"                                                                                  \
    "and r6, r4, r6, lsl #1\n\t"                                                                                  \
    "and r10, r4, r7, lsr #7\n\t"                                                                                 \
    "and r7, r4, r7, lsl #1\n\t"                                                                                  \
    "and r11, r4, r8, lsr #7\n\t"                                                                                 \
    "and r8, r4, r8, lsl #1\n\t"                                                                                  \
    "stm r3!, {r6-r11}\n\t"

/*
 * The column of pixels a, b, c with its end group (te_im2col.h). Registers: r0-r2 the sources,
 * r3 the column, r4 0x01FE01FE, r5 / ip / lr the sums of A / B / C, r6-r11 a group's words; on
 * the stack the three steps, the row's entry (label 2 for rows of two groups, 3 for one: Thumb
 * bit set) and the column's end (the loop runs until the column pointer reaches it). End words:
 * 2^30 - 256 * sum = 2^30 - 128 * (the sum of the column).
 */
__attribute__((naked, noinline))
void te_im2col_gather(__attribute__((unused)) const int8_t *a, __attribute__((unused)) const int8_t *b,
                      __attribute__((unused)) const int8_t *c, __attribute__((unused)) const te_im2col_job *job)
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "ldrd r4, r5, [r3]\n\t"      /* the column, groups per row */
        "ldr r6, [r3, #8]\n\t"       /* rows */
        "mul r10, r5, r6\n\t"
        "add r10, r10, r10, lsl #1\n\t"
        "add r10, r4, r10, lsl #3\n\t" /* the end: column + 24 bytes per group */
        "adr r9, 2f\n\t"
        "cmp r5, #1\n\t"
        "bne 1f\n\t"
        "adr r9, 3f\n"
        "1:\n\t"
        "orr r9, r9, #1\n\t"
        "add r6, r3, #16\n\t"
        "ldm r6, {r6, r7, r8}\n\t"   /* the steps */
        "push {r6-r10}\n\t"
        "mov r6, r3\n\t"
        "mov r3, r4\n\t"
        "ldr r4, [r6, #12]\n\t"
        "mov r5, #0\n\t"
        "mov ip, #0\n\t"
        "mov lr, #0\n\t"
        "bx r9\n"
        "2:\n\t" TE_IM2COL_ASM_GROUP
        "3:\n\t" TE_IM2COL_ASM_GROUP
        "ldm sp, {r6, r7, r8}\n\t"
        "add r0, r0, r6\n\t"
        "add r1, r1, r7\n\t"
        "add r2, r2, r8\n\t"
        "ldrd r6, r7, [sp, #12]\n\t"
        "cmp r3, r7\n\t"
        "it lo\n\t"
        "bxlo r6\n\t"
        "mov r6, #0x40000000\n\t"
        "sub r5, r6, r5, lsl #8\n\t"
        "sub ip, r6, ip, lsl #8\n\t"
        "sub lr, r6, lr, lsl #8\n\t"
        "stm r3, {r5, ip, lr}\n\t"
        "add sp, sp, #20\n\t"
        "pop {r4-r11, pc}\n");
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

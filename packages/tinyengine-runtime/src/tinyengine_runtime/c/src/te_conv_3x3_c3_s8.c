/*
 * int8 CONV_2D specialised for a 3x3 kernel on 3 input channels (the stem of most networks), on
 * the packed filter of te_conv.h (rows of the 27 taps, padded to 28, in pairs).
 *
 * The 27-value column of an output pixel is gathered with fixed trip counts straight into the
 * place the dot products read (slot tables), and interior pixels skip the padding tests. The
 * Cortex-M path gathers three output pixels (raster order; a short last block repeats its last
 * pixel) into one te_pair.h column as 2 * (input + offset) and runs te_pair3_block on it; the
 * portable path gathers one pixel in tap order for te_pair3_pixel_exact.
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_mac.h"
#include "tinyengine/te_pair.h"

#define TE_STEM_TAPS 27

size_t te_conv_3x3_c3_s8_scratch_bytes(void)
{
    return 6u * (size_t)te_pair3_row(TE_STEM_TAPS) + 12u;
}

/* The exact path's column: tap order. */
static const uint8_t te_stem_taps[TE_STEM_TAPS] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26
};
#if defined(TE_PAIR3_ASM)
/* te_pair3_slot(t, 0) of every tap (pixel p adds 2 * p). */
static const uint8_t te_stem_pair3[TE_STEM_TAPS] = {
    0, 6, 1, 7, 12, 18, 13, 19, 24, 30, 25, 31, 36, 42, 37, 43, 48, 54, 49, 55, 60, 66, 61, 67, 72, 78, 73
};
#endif

/*
 * The 27 values of output pixel (oy, ox) into column[slots[t] + at]: scale * (input + offset),
 * 0 for padding.
 */
TE_NOINLINE_ONE_COPY static void te_stem_column(const te_conv_params *params, const te_dims *input_dims,
                                                const int8_t *image, int32_t oy, int32_t ox, int16_t *column,
                                                const uint8_t *slots, int32_t at, int32_t scale)
{
    const int32_t y0 = oy * params->stride_h - params->pad_top;
    const int32_t x0 = ox * params->stride_w - params->pad_left;
    const int32_t dy = params->dilation_h;
    const int32_t dx = params->dilation_w;
    const int32_t offset = params->input_offset;
    const int32_t row = input_dims->w * 3;
    int32_t ky;
    int32_t kx;
    column += at;
    if (y0 >= 0 && x0 >= 0 && y0 + 2 * dy < input_dims->h && x0 + 2 * dx < input_dims->w) {
        for (ky = 0; ky < 3; ++ky) {
            const int8_t *src = image + (y0 + ky * dy) * row + x0 * 3;
            for (kx = 0; kx < 3; ++kx) {
                const int8_t *px = src + kx * dx * 3;
                column[slots[0]] = (int16_t)(scale * (px[0] + offset));
                column[slots[1]] = (int16_t)(scale * (px[1] + offset));
                column[slots[2]] = (int16_t)(scale * (px[2] + offset));
                slots += 3;
            }
        }
        return;
    }
    for (ky = 0; ky < 3; ++ky) {
        const int32_t iy = y0 + ky * dy;
        for (kx = 0; kx < 3; ++kx) {
            const int32_t ix = x0 + kx * dx;
            if (iy < 0 || iy >= input_dims->h || ix < 0 || ix >= input_dims->w) {
                column[slots[0]] = 0;
                column[slots[1]] = 0;
                column[slots[2]] = 0;
            } else {
                const int8_t *px = image + iy * row + ix * 3;
                column[slots[0]] = (int16_t)(scale * (px[0] + offset));
                column[slots[1]] = (int16_t)(scale * (px[1] + offset));
                column[slots[2]] = (int16_t)(scale * (px[2] + offset));
            }
            slots += 3;
        }
    }
}

#if defined(TE_PAIR3_ASM)
/* 2 * (input + offset) of four taps x into the pixel's even (k0, k2) and odd (k1, k3) words of a group. */
static inline void te_stem_group(int32_t x, int32_t off2, int32_t *words)
{
    const int32_t e = __sxtab16(off2, x);
    const int32_t o = te_sxtab16_ror8(off2, x);
    words[0] = __sadd16(e, e);
    words[3] = __sadd16(o, o);
}

/*
 * The seven groups of an interior pixel without dilation from its three 9-byte kernel rows a, b, c,
 * a word per group (words = the column + the pixel's index in the block). Groups that straddle two
 * rows are spliced; the last group's fourth tap (the padding, whose weight is 0) reads as 0.
 */
static inline void te_stem_interior(const int8_t *a, const int8_t *b, const int8_t *c, int32_t off2, int32_t *words)
{
    te_stem_group(te_read_s8x4(a), off2, words);
    te_stem_group(te_read_s8x4(a + 4), off2, words + 6);
    /* a[8], b[0..2]: the byte before b is inside the image (b's row is not the first) */
    te_stem_group((int32_t)(((uint32_t)te_read_s8x4(b - 1) & 0xFFFFFF00u) | (uint8_t)a[8]), off2, words + 12);
    te_stem_group(te_read_s8x4(b + 3), off2, words + 18);
    te_stem_group((int32_t)(te_read_u8x2(b + 7) | (te_read_u8x2(c) << 16)), off2, words + 24);
    te_stem_group(te_read_s8x4(c + 2), off2, words + 30);
    te_stem_group((int32_t)((uint32_t)te_read_s8x4(c + 5) >> 8), off2, words + 36);
}

/* Every output pixel of one batch image, three at a time, through te_pair3_block. */
static void te_stem_image_fast(const te_conv_params *params, const te_pair3_out *q, te_pair3_job *job,
                               const te_dims *input_dims, const te_dims *output_dims, const int8_t *image,
                               const int8_t *filter, int32_t *column, int8_t *output)
{
    const int32_t width = output_dims->w;
    const int32_t pixels = output_dims->h * width;
    const int32_t out_channels = output_dims->c;
    const int32_t row = input_dims->w * 3;
    const int32_t off2 = te_pack_s16x2(params->input_offset);
    const int plain = params->dilation_h == 1 && params->dilation_w == 1;
    int32_t oy = 0;
    int32_t ox = 0;
    int32_t p;
    for (p = 0; p < pixels; p += 3) {
        int8_t *out[3];
        int32_t k;
        for (k = 0; k < 3; ++k) {
            const int32_t y0 = oy * params->stride_h - params->pad_top;
            const int32_t x0 = ox * params->stride_w - params->pad_left;
            out[k] = output + (size_t)(oy * width + ox) * (size_t)out_channels;
            if (plain && y0 >= 0 && x0 >= 0 && y0 + 2 < input_dims->h && x0 + 2 < input_dims->w) {
                const int8_t *a = image + y0 * row + x0 * 3;
                te_stem_interior(a, a + row, a + 2 * row, off2, column + k);
            } else {
                te_stem_column(params, input_dims, image, oy, ox, (int16_t *)(void *)column, te_stem_pair3, 2 * k,
                               2);
            }
            if (p + k + 1 < pixels && ++ox == width) { /* a short last block repeats its last pixel */
                ox = 0;
                ++oy;
            }
        }
        te_pair3_block(column, filter, te_pair3_row(TE_STEM_TAPS), out_channels, q, job, out[0], out[1], out[2]);
    }
}
#endif

te_status te_conv_3x3_c3_s8(const te_conv_params *params, const te_dims *input_dims, const int8_t *input,
                            const te_dims *filter_dims, const int8_t *filter, const te_dims *output_dims,
                            int8_t *output, void *scratch)
{
    int16_t *column = (int16_t *)scratch;
    const size_t image_in = (size_t)input_dims->h * (size_t)input_dims->w * 3u;
    int32_t b;
    if (filter_dims->h != 3 || filter_dims->w != 3 || filter_dims->c != 3 || input_dims->c != 3 ||
        output_dims->c != filter_dims->n || output_dims->n != input_dims->n || params->stride_h < 1 ||
        params->stride_w < 1 || params->dilation_h < 1 || params->dilation_w < 1) {
        return TE_ERROR_ARGUMENT;
    }
    if (column == NULL) {
        return TE_ERROR_SCRATCH;
    }
#if defined(TE_PAIR3_ASM)
    if (te_pair3_fits(filter, TE_STEM_TAPS, output_dims->c) && (((uintptr_t)filter | (uintptr_t)scratch) & 3u) == 0) {
        const int32_t values = te_pair3_column_values(TE_STEM_TAPS);
        const size_t image_out = (size_t)output_dims->h * (size_t)output_dims->w * (size_t)output_dims->c;
        te_pair3_out q;
        te_pair3_job job;
        int32_t i;
        te_pair3_setup(filter, TE_STEM_TAPS, output_dims->c, params->output_offset, params->activation, &q, &job);
        for (i = 0; i < values; ++i) { /* the padding tap stays 0 */
            column[i] = 0;
        }
        te_pair3_end((int32_t *)scratch, te_pair3_row(TE_STEM_TAPS) >> 2);
        for (b = 0; b < input_dims->n; ++b) {
            te_stem_image_fast(params, &q, &job, input_dims, output_dims, input + (size_t)b * image_in, filter,
                               (int32_t *)scratch, output + (size_t)b * image_out);
        }
        return TE_OK;
    }
#endif
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *image = input + (size_t)b * image_in;
        int32_t oy;
        for (oy = 0; oy < output_dims->h; ++oy) {
            int32_t ox;
            for (ox = 0; ox < output_dims->w; ++ox) {
                te_stem_column(params, input_dims, image, oy, ox, column, te_stem_taps, 0, 1);
                te_pair3_pixel_exact(column, TE_STEM_TAPS, filter, output_dims->c, params->output_offset,
                                     params->activation, output);
                output += output_dims->c;
            }
        }
    }
    return TE_OK;
}
